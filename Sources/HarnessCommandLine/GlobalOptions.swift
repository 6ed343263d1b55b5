import ArgumentParser
import KMSAN

/// Options that override the defaults of every scenario in a run (a scenario's own `config`
/// line still wins).
public struct GlobalOptions: ParsableArguments {
    /// `--profile`.
    @Option(help: ArgumentHelp("Default KMSAN profile: \(KMSANPolicy.all.map(\.name).joined(separator: ", ")).", valueName: "PROFILE"))
    public var profile: String?
    /// `--panic`.
    @Flag(help: "Default to kmsan.panic: stop each scenario after its first report.")
    public var panic = false

    /// Creates the options (ArgumentParser's requirement).
    public init() {}

    /// Refuses an unknown profile before anything runs (a usage error: exit 64, with the usage).
    public func validate() throws { _ = try policy() }

    /// The named profile, or nil; an unknown name is a usage error listing the valid ones.
    public func policy() throws -> KMSANPolicy? {
        guard let profile else { return nil }
        guard let policy = KMSANPolicy.all.first(where: { $0.name == profile }) else {
            throw ValidationError("unknown profile '\(profile)'; expected one of \(KMSANPolicy.all.map(\.name).joined(separator: ", "))")
        }
        return policy
    }
}
