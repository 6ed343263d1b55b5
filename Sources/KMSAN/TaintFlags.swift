/// The kernel's taint flags the simulated machine can set (include/linux/panic.h, the
/// `taint_flags` table of kernel/panic.c).
///
/// Encoding: bit i is `TAINT_*` number i, as in `tainted_mask`. Linux 6.18 has 20 flags,
/// printed in this order, one character each (the set letter, else ' ', except
/// PROPRIETARY_MODULE, which prints 'G' when clear):
///
/// | bit | flag | letter | | bit | flag | letter |
/// |---|---|---|---|---|---|---|
/// | 0 | PROPRIETARY_MODULE | P / G | | 10 | CRAP | C |
/// | 1 | FORCED_MODULE | F | | 11 | FIRMWARE_WORKAROUND | I |
/// | 2 | CPU_OUT_OF_SPEC | S | | 12 | OOT_MODULE | O |
/// | 3 | FORCED_RMMOD | R | | 13 | UNSIGNED_MODULE | E |
/// | 4 | MACHINE_CHECK | M | | 14 | SOFTLOCKUP | L |
/// | 5 | BAD_PAGE | B | | 15 | LIVEPATCH | K |
/// | 6 | USER | U | | 16 | AUX | X |
/// | 7 | DIE | D | | 17 | RANDSTRUCT | T |
/// | 8 | OVERRIDDEN_ACPI_TABLE | A | | 18 | TEST | N |
/// | 9 | WARN | W | | 19 | FWCTL | J |
///
/// KMSAN and KASAN reports add BAD_PAGE (`add_taint(TAINT_BAD_PAGE, ...)` at the end of
/// mm/kmsan/report.c `kmsan_report` and mm/kasan/report.c `end_report`); `WARN()` adds WARN
/// after printing (kernel/panic.c `__warn`). HARNESS findings are the harness's own and taint
/// nothing.
public struct TaintFlags: OptionSet, Sendable, Hashable {
    /// Bit i: `TAINT_*` number i.
    public let rawValue: UInt32

    /// Creates a set from its bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// TAINT_BAD_PAGE ('B').
    public static let badPage = TaintFlags(rawValue: 1 << 5)
    /// TAINT_WARN ('W').
    public static let warn = TaintFlags(rawValue: 1 << 9)

    /// Each flag in table order: its letter when set, when clear, and its name.
    private static let table: [(set: Character, clear: Character, name: String)] = [
        ("P", "G", "PROPRIETARY_MODULE"), ("F", " ", "FORCED_MODULE"), ("S", " ", "CPU_OUT_OF_SPEC"),
        ("R", " ", "FORCED_RMMOD"), ("M", " ", "MACHINE_CHECK"), ("B", " ", "BAD_PAGE"), ("U", " ", "USER"),
        ("D", " ", "DIE"), ("A", " ", "OVERRIDDEN_ACPI_TABLE"), ("W", " ", "WARN"), ("C", " ", "CRAP"),
        ("I", " ", "FIRMWARE_WORKAROUND"), ("O", " ", "OOT_MODULE"), ("E", " ", "UNSIGNED_MODULE"),
        ("L", " ", "SOFTLOCKUP"), ("K", " ", "LIVEPATCH"), ("X", " ", "AUX"), ("T", " ", "RANDSTRUCT"),
        ("N", " ", "TEST"), ("J", " ", "FWCTL"),
    ]

    private func isSet(_ bit: Int) -> Bool { rawValue & (1 << UInt32(bit)) != 0 }

    /// `print_tainted()`: `Not tainted`, or `Tainted: ` and one character per flag.
    public var printed: String {
        guard !isEmpty else { return "Not tainted" }
        return "Tainted: " + String(Self.table.indices.map { isSet($0) ? Self.table[$0].set : Self.table[$0].clear })
    }

    /// `print_tainted_verbose()`: `Tainted: [B]=BAD_PAGE, [W]=WARN` (only set flags).
    public var printedVerbose: String {
        "Tainted: " + Self.table.indices.filter(isSet).map { "[\(Self.table[$0].set)]=\(Self.table[$0].name)" }
            .joined(separator: ", ")
    }

    /// The letters of the set flags, in table order (`"BW"`): the JSON form.
    public var letters: String { String(Self.table.indices.filter(isSet).map { Self.table[$0].set }) }

    /// The flags named by `letters` (unknown letters are ignored).
    public init(letters: String) {
        var raw: UInt32 = 0
        for (i, entry) in Self.table.enumerated() where letters.contains(entry.set) { raw |= 1 << UInt32(i) }
        self.init(rawValue: raw)
    }
}
