import HarnessCore
import KMSAN
import ScenarioLanguage

/// How scenarios run: the machine every scenario starts from, command-line overrides, and the
/// plugins each fresh machine gets.
///
/// Precedence, lowest first: `configuration` (the built-in defaults unless the caller changed
/// them), then `profile` and `panic` (the command line's `--profile` / `--panic`: the run's
/// defaults), then the scenario's own `config` lines, which always win.
public struct ScenarioRunOptions: Sendable {
    /// The machine configuration every scenario starts from.
    public var configuration: MachineConfiguration
    /// `--profile`: the run's default KMSAN profile, unless a scenario sets `config profile=`.
    public var profile: KMSANPolicy?
    /// `--panic`: the run's default for `kmsan.panic`, unless a scenario sets `config panic=`.
    public var panic: Bool?
    /// The plugins; each scenario gets a fresh machine built from them. Scenarios must have
    /// been parsed with the same set.
    public var plugins: PluginSet
    /// The simulated memory the machines running at once may have in all (4 GiB: at most
    /// about 12 GiB of host memory if every byte is touched); see `MemoryBudget`.
    public var memoryBudget = MachineConfiguration.maxMemorySize

    /// Creates options.
    public init(
        configuration: MachineConfiguration = MachineConfiguration(), profile: KMSANPolicy? = nil, panic: Bool? = nil,
        plugins: PluginSet
    ) {
        self.configuration = configuration
        self.profile = profile
        self.panic = panic
        self.plugins = plugins
    }

    /// The configuration `scenario` runs with: the base, the overrides, then its `config` lines.
    public func configuration(for scenario: Scenario) -> MachineConfiguration {
        var base = configuration
        if let profile { base.kmsan.policy = profile }
        if let panic { base.kmsan.panicOnReport = panic }
        return scenario.settings.applied(to: base)
    }
}
