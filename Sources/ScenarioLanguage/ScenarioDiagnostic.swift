/// An error in a scenario file, printed as `path:line:column: error: <message>`, the way
/// compilers print them (so editors jump to it). The message names what was expected.
public struct ScenarioDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// Where the error is.
    public var position: SourcePosition
    /// What is wrong, and what was expected.
    public var message: String

    /// Creates a diagnostic.
    public init(path: String, position: SourcePosition, message: String) {
        self.path = path
        self.position = position
        self.message = message
    }

    /// `path:line:column: error: message`.
    public var description: String { "\(path):\(position.line):\(position.column): error: \(message)" }
}
