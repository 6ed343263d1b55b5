import BundledPlugins
import HarnessTesting
import ScenarioRunner

/// The scenarios under `Harnesses/`, parsed once per test process with the bundled plugins:
/// what `kmsan-harness run` runs.
enum BundledSuite {
    /// The repository's `Harnesses/` folder, parsed.
    static let folder = ScenarioFolder("../../../Harnesses", relativeTo: #filePath, plugins: BundledPlugins.all)
}
