import KMSAN

/// What a report must look like: the `expect` line of a scenario, as a value.
///
/// Tool, bug type and the function named by the header must match; every optional clause
/// that is set must match too (`bytes` the byte-range line, `createdAt` a frame of the creation
/// stack, `local` the local variable's name, `storedAt` a frame of some chain link,
/// `access` KASAN's `Read|Write of size N` line, `cpu` the number the CPU line prints).
///
/// A function name matches a frame of that name, or of that name with `_noprof` appended:
/// since Linux 6.10 (memory allocation profiling) the allocator's functions are
/// `kmalloc_noprof`, `alloc_pages_noprof`, ..., under macros with the old names, and
/// `created-at kmalloc` names the same call as `created-at kmalloc_noprof`.
public struct ReportExpectation: Sendable, Equatable, CustomStringConvertible {
    /// The tool (`KMSAN`, `KASAN`, `HARNESS`).
    public var tool: KernelReport.Tool
    /// The bug type or HARNESS error kind.
    public var bugType: String
    /// The function the header names.
    public var function: String
    /// `bytes i-j of n`.
    public var bytes: ByteRange?
    /// `created-at f`: a frame of the creation stack.
    public var createdAt: String?
    /// `local name`: the local variable's name.
    public var local: String?
    /// `stored-at f`: a frame of some chain link.
    public var storedAt: String?
    /// `read|write size` (KASAN): e.g. `Read of size 1`.
    public var access: String?
    /// `cpu n`: the CPU the report was raised on (its `CPU: n` line).
    public var cpu: Int?

    /// Creates an expectation.
    public init(
        _ tool: KernelReport.Tool, _ bugType: String, in function: String, bytes: ByteRange? = nil,
        createdAt: String? = nil, local: String? = nil, storedAt: String? = nil, access: String? = nil, cpu: Int? = nil
    ) {
        self.tool = tool; self.bugType = bugType; self.function = function; self.bytes = bytes
        self.createdAt = createdAt; self.local = local; self.storedAt = storedAt; self.access = access; self.cpu = cpu
    }

    /// The expectation `report` meets: its tool, type and function, and its byte range or
    /// KASAN access line if it has one (what a reproducer's `expect` line says).
    public init(describing report: KernelReport) {
        self.init(report.tool, report.bugType, in: report.function, bytes: report.byteRange,
                  access: report.kasanAccess.map { "\($0.direction.rawValue) of size \($0.size)" })
    }

    /// `expect KMSAN <type> in <func>`.
    public static func kmsan(_ type: KMSANBugType, in function: String, bytes: ByteRange? = nil,
                             createdAt: String? = nil, local: String? = nil, storedAt: String? = nil) -> ReportExpectation {
        ReportExpectation(.kmsan, type.rawValue, in: function, bytes: bytes, createdAt: createdAt, local: local, storedAt: storedAt)
    }

    /// `expect HARNESS <kind> in <func>`.
    public static func harness(_ kind: HarnessErrorKind, in function: String) -> ReportExpectation {
        ReportExpectation(.harness, kind.rawValue, in: function)
    }

    /// `expect WARNING <kind> in <func>`.
    public static func warning(_ kind: WarningKind, in function: String) -> ReportExpectation {
        ReportExpectation(.warning, kind.rawValue, in: function)
    }

    /// `expect KASAN <type> in <func> [read|write size]`.
    public static func kasan(_ type: KASANBugType, in function: String, access: KASANAccess? = nil) -> ReportExpectation {
        ReportExpectation(.kasan, type.rawValue, in: function,
                          access: access.map { "\($0.direction.rawValue) of size \($0.size)" })
    }

    /// Why `report` does not match, or nil if it does.
    public func mismatch(_ report: KernelReport) -> String? {
        if report.tool != tool || report.bugType != bugType || !Self.names(report.function, function) {
            return "expected \(tool.rawValue): \(bugType) in \(function), got \(report.title)"
        }
        if let bytes, report.byteRange != bytes {
            return "expected bytes \(bytes.first)-\(bytes.last) of \(bytes.size), got \(report.byteRange.map { "\($0.first)-\($0.last) of \($0.size)" } ?? "no byte range")"
        }
        if let createdAt, !Self.origin(of: report, .createdAt, hasFrame: createdAt) {
            return "expected a creation stack with \(createdAt)"
        }
        if let local, !report.origin.contains(where: { $0.kind == .localVariable && $0.variable == local }) {
            return "expected local variable \(local)"
        }
        if let storedAt, !Self.origin(of: report, .storedAt, hasFrame: storedAt) {
            return "expected a chain link stored at \(storedAt)"
        }
        let accessLine = report.kasanAccess.map { "\($0.direction.rawValue) of size \($0.size)" }
        if let access, accessLine != access, !report.message.contains(where: { $0.hasPrefix(access) }) {
            return "expected the access line '\(access)'"
        }
        if let cpu, report.cpu != cpu { return "expected the report on CPU \(cpu), got CPU \(report.cpu)" }
        return nil
    }

    /// Whether some origin record of `report` of `kind` has a frame named `function`.
    static func origin(of report: KernelReport, _ kind: OriginBlock.Kind, hasFrame function: String) -> Bool {
        report.origin.contains { $0.kind == kind && $0.frames.contains { names($0.function, function) } }
    }

    /// Whether the frame function `actual` is the `expected` name (see the type's note on
    /// `_noprof`).
    static func names(_ actual: String, _ expected: String) -> Bool {
        actual == expected || (actual.hasSuffix("_noprof") && actual.dropLast("_noprof".count) == expected)
    }

    /// Compares reports with expectations one to one, in order; nil if all match, else the
    /// first mismatch (an empty `expected` means no report at all).
    public static func firstMismatch(expected: [ReportExpectation], actual: [KernelReport]) -> String? {
        for (i, e) in expected.enumerated() {
            guard i < actual.count else { return "expectation \(i + 1) (\(e)) has no report: only \(actual.count) report(s)" }
            if let why = e.mismatch(actual[i]) { return "report \(i + 1): \(why)" }
        }
        if actual.count > expected.count {
            let extra = actual[expected.count]
            return expected.isEmpty ? "expected no report, got \(extra.title)" : "unexpected report \(expected.count + 1): \(extra.title)"
        }
        return nil
    }

    /// The `expect` line.
    public var description: String {
        var s = "\(tool.rawValue) \(bugType) in \(function)"
        if let b = bytes { s += " bytes \(b.first)-\(b.last) of \(b.size)" }
        if let c = createdAt { s += " created-at \(c)" }
        if let l = local { s += " local \(l)" }
        if let st = storedAt { s += " stored-at \(st)" }
        if let a = access { s += " \(a)" }
        if let c = cpu { s += " cpu \(c)" }
        return s
    }
}
