import KMSAN
import KernelMemory

/// Kernel functions the KMSAN test suite calls: `printk`, the stack trace and stack depot API
/// (test_stackdepot_roundtrip) and KUnit's `KUNIT_EXPECT_EQ`.
extension CoreOps {
    /// `printk`, `stack_trace_save`, `stack_depot_save`, `stack_depot_fetch`, `kunit_expect_eq`.
    public static let kernelFunctions: [ScenarioOp] = [
        ScenarioOp(
            "printk", [.init("value", .value)], isVariadic: true, returnsValue: false,
            help: "print values: with eager checks an uninit argument reports in the caller, else in number() while formatting"
        ) { inv throws(OpError) in
            let site = inv.runtime.symbols.site(in: "number", file: "lib/vsprintf.c")
            try inv.inFrame("printk", file: "kernel/printk/printk.c") { () throws(OpError) in
                try inv.inFrame("vsnprintf", file: "lib/vsprintf.c") { () throws(OpError) in
                    for argument in inv.arguments {
                        guard case .value(let v) = argument else { continue }
                        inv.cpu.call(site) { inv.runtime.check(v, on: inv.cpu) }
                    }
                }
            }
            return nil
        },
        ScenarioOp(
            "stack_trace_save", [.init("store", .pointer, resource: .address), .init("size", .integer, range: 0...64), .init("skipnr", .integer, range: 0...8)],
            returnsValue: true,
            help: "store up to size return addresses of the current stack (innermost first, skipping skipnr) as u64s; returns how many"
        ) { inv throws(OpError) in
            let size = try inv.size(1), skip = try inv.size(2)
            let frames = inv.cpu.current.frames.reversed().dropFirst(skip).prefix(size)
            return try inv.inFrame("stack_trace_save", file: "kernel/stacktrace.c") { () throws(OpError) in
                .integer(storeEntries(Array(frames), at: try inv.pointer(0), inv))
            }
        },
        ScenarioOp(
            "stack_depot_save", [.init("entries", .pointer, resource: .address), .init("nr_entries", .integer, range: 0...64), .init("gfp", .gfp)],
            returnsValue: true, result: .depotHandle,
            help: "save nr_entries u64 return addresses to the stack depot; returns the 32-bit handle (0 for none)"
        ) { inv throws(OpError) in
            let address = try inv.pointer(0), count = try inv.size(1)
            let (bytes, overflow) = count.multipliedReportingOverflow(by: 8)
            guard !overflow else { throw OpError("nr_entries \(count) is too large") }
            return try inv.inFrame("stack_depot_save", file: "lib/stackdepot.c") { () throws(OpError) -> ShadowedValue in
                // lib/stackdepot.c is not instrumented: it reads the entries' bits, not their shadow.
                let raw: [UInt8]
                do throws(MemoryFault) {
                    raw = try inv.runtime.addressSpace.readBytes(address, count: bytes)
                } catch {
                    inv.runtime.reportFault(error, on: inv.cpu)
                    return .initialized(0, width: .bits32)
                }
                var entries: [UInt64] = []
                entries.reserveCapacity(count)
                for i in 0..<count {
                    var e: UInt64 = 0
                    for b in 0..<8 { e |= UInt64(raw[i * 8 + b]) << UInt64(8 * b) }
                    entries.append(e)
                }
                return .initialized(UInt64(inv.runtime.depot.save(entries).raw), width: .bits32)
            }
        },
        ScenarioOp(
            "stack_depot_fetch", [.init("handle", .integer, resource: .depotHandle), .init("entries", .pointer, resource: .address), .init("size", .integer, range: 0...64)],
            returnsValue: true,
            help: "copy up to size entries of a depot record to entries (initialized); returns the record's entry count (0 if unknown)"
        ) { inv throws(OpError) in
            let handle = OriginHandle(raw: UInt32(truncatingIfNeeded: try inv.value(0).value))
            let size = try inv.size(2)
            let entries = inv.runtime.depot.fetch(handle)
            return try inv.inFrame("stack_depot_fetch", file: "lib/stackdepot.c") { () throws(OpError) -> ShadowedValue in
                let stored = storeEntries(Array(entries.prefix(size)), at: try inv.pointer(1), inv)
                return .integer(stored < min(size, entries.count) ? 0 : entries.count)
            }
        },
        ScenarioOp(
            "kunit_expect_eq", [.init("a", .value), .init("b", .value)], returnsValue: false, checksArgumentsEagerly: false,
            help: "KUNIT_EXPECT_EQ: a branch on a == b (LLVM's exact equality rule); different values are a HARNESS expectation-failed"
        ) { inv throws(OpError) in
            let a = try inv.value(0), b = try inv.value(1)
            inv.runtime.check(ShadowedValue.equal(a, b), on: inv.cpu)
            if a.value != b.value {
                inv.runtime.reportHarnessFinding(
                    .expectationFailed,
                    "KUNIT_EXPECT_EQ failed: 0x\(String(a.value, radix: 16)) != 0x\(String(b.value, radix: 16))", on: inv.cpu)
            }
            return nil
        },
    ]

    /// Stores `entries` as initialized u64s at `address`; the whole range is checked first so a
    /// bad buffer is one HARNESS `bad-access`. Returns how many were stored (0 on a fault).
    private static func storeEntries(_ entries: [UInt64], at address: KernelAddress, _ inv: OpInvocation) -> Int {
        do {
            try inv.runtime.addressSpace.validate(address, count: entries.count * 8)
        } catch {
            inv.runtime.reportFault(error, on: inv.cpu)
            return 0
        }
        for (i, e) in entries.enumerated() {
            inv.runtime.store(.initialized(e, width: .bits64), to: address + i * 8, on: inv.cpu)
        }
        return entries.count
    }
}
