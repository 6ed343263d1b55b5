import BundledPlugins
import HarnessCore
import HarnessFuzz

/// The fuzz tests' one fixture: op tables over the bundled plugins (and the planted driver).
enum FuzzFixture {
    /// The bundled plugins' ops.
    static let bundled = OpTable(try! PluginSet(BundledPlugins.all))
    /// The bundled plugins plus the toy driver, with or without its bug.
    static func withToyDevice(planted: Bool) -> OpTable {
        OpTable(try! PluginSet(BundledPlugins.all + [PlantedBugPlugin(planted: planted)]))
    }

    /// `count` programs generated from `seed`.
    static func programs(_ count: Int, seed: UInt64, table: OpTable = bundled, maxLength: Int = 16) -> [FuzzProgram] {
        var random = FuzzRandom(seed: seed)
        let generator = ProgramGenerator(table: table, maxLength: maxLength)
        return (0..<count).map { _ in generator.generate(&random) }
    }
}
