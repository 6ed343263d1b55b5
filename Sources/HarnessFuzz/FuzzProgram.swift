import HarnessCore

/// A fuzz input: a sequence of op calls across the installed plugins, like a syzkaller program.
/// Call `i` that returns a value defines register `ri`; later calls take it as an argument
/// (`.result(i, offset:)`), which is how resources (caches, objects, pages) flow from the ops
/// that produce them to the ops that consume them.
///
/// A program is only ever built against an `OpTable`; `OpTable.validate(_:)` is the one check
/// that it fits (every op exists, argument counts match, every result reference points back to
/// a call that returns a value). The generator, the mutator and both decoders only produce
/// programs that pass it.
public struct FuzzProgram: Hashable, Sendable {
    /// The calls, in order.
    public var calls: [FuzzCall]

    /// Creates a program.
    public init(_ calls: [FuzzCall] = []) { self.calls = calls }

    /// Number of calls.
    public var count: Int { calls.count }
}

/// One call of a `FuzzProgram`.
public struct FuzzCall: Hashable, Sendable {
    /// Index of the op in the program's `OpTable`.
    public var op: Int
    /// The arguments, one per parameter (more for a variadic op).
    public var arguments: [FuzzArgument]

    /// Creates a call.
    public init(op: Int, arguments: [FuzzArgument]) {
        self.op = op
        self.arguments = arguments
    }
}

/// An argument of a `FuzzCall`.
public enum FuzzArgument: Hashable, Sendable {
    /// A literal: an initialized 64-bit value (written as a number or named constants).
    case literal(UInt64)
    /// The value call `index` returned, plus a byte offset (`r3+8`).
    case result(Int, offset: Int64)
    /// A string of `[a-z0-9_]` characters (a cache name, a local's name).
    case string(String)

    /// Whether it refers to call `index`'s result.
    func refers(to index: Int) -> Bool {
        if case .result(let i, _) = self { return i == index }
        return false
    }
}
