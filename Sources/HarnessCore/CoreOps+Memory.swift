import KMSAN
import KernelMemory

/// The string functions: `memset`, `memcpy`, `memmove` (compiler intrinsics lowered to
/// `__msan_*`), lib/string.c's `memset16/32/64`, and mm/maccess.c's `copy_from_kernel_nofault`.
extension CoreOps {
    /// `memset`, `memcpy`, `memmove`, `memset16`, `memset32`, `memset64`, `copy_from_kernel_nofault`.
    public static let memory: [ScenarioOp] = [
        ScenarioOp(
            "memset", [.init("addr", .pointer, resource: .address), .init("c", .integer, range: 0...255), .init("n", .integer, range: 0...65536)], returnsValue: false,
            checksArgumentsEagerly: false,
            help: "fill n bytes with the low byte of c; the range becomes initialized whatever c is"
        ) { inv throws(OpError) in
            let n = try inv.size(2)
            inv.machine.checkAccess(try inv.pointer(0), size: n, .write, on: inv.cpu)
            inv.runtime.memset(try inv.pointer(0), UInt8(truncatingIfNeeded: try inv.value(1).value), count: n, on: inv.cpu)
            return nil
        },
        ScenarioOp(
            "memcpy", [.init("dst", .pointer, resource: .address), .init("src", .pointer, resource: .address), .init("n", .integer, range: 0...65536)], returnsValue: false,
            checksArgumentsEagerly: false,
            help: "copy n bytes; shadow follows the data and uninitialized bytes get chained origins"
        ) { inv throws(OpError) in
            let n = try inv.size(2)
            // KASAN's memcpy interceptor: the source is checked as a read, then the destination as a write.
            inv.machine.checkAccess(try inv.pointer(1), size: n, .read, on: inv.cpu)
            inv.machine.checkAccess(try inv.pointer(0), size: n, .write, on: inv.cpu)
            inv.runtime.memcpy(try inv.pointer(0), try inv.pointer(1), count: n, on: inv.cpu)
            return nil
        },
        ScenarioOp(
            "memmove", [.init("dst", .pointer, resource: .address), .init("src", .pointer, resource: .address), .init("n", .integer, range: 0...65536)], returnsValue: false,
            checksArgumentsEagerly: false,
            help: "memcpy for overlapping ranges (the same metadata routine)"
        ) { inv throws(OpError) in
            let n = try inv.size(2)
            inv.machine.checkAccess(try inv.pointer(1), size: n, .read, on: inv.cpu)
            inv.machine.checkAccess(try inv.pointer(0), size: n, .write, on: inv.cpu)
            inv.runtime.memmove(try inv.pointer(0), try inv.pointer(1), count: n, on: inv.cpu)
            return nil
        },
        memsetN(.bits16), memsetN(.bits32), memsetN(.bits64),
        ScenarioOp(
            "copy_from_kernel_nofault", [.init("dst", .pointer, resource: .address), .init("src", .pointer, resource: .address), .init("n", .integer, range: 0...65536)],
            returnsValue: true,
            help: "check src (reports name copy_from_kernel_nofault), then copy; returns 0, -EFAULT (src unmapped) or -ERANGE (src in user space)"
        ) { inv throws(OpError) in
            try copyFromKernelNofault(inv)
        },
    ]

    /// lib/string.c's `memsetN(s, v, count)`: a loop of instrumented N-byte stores of `v`, so
    /// the memory gets v's shadow (initialized for a literal) and, if uninitialized, v's
    /// chained origin stored at `memsetN`.
    private static func memsetN(_ width: ValueWidth) -> ScenarioOp {
        let bits = width.byteCount * 8
        return ScenarioOp(
            "memset\(bits)", [.init("addr", .pointer, resource: .address), .init("value", .value), .init("count", .integer, range: 0...4096)], returnsValue: false,
            help: "store the low \(bits) bits of value count times from addr (lib/string.c); the memory gets value's shadow"
        ) { inv throws(OpError) in
            let address = try inv.pointer(0)
            let value = try inv.value(1, as: width)
            let count = try inv.size(2)
            let (bytes, overflow) = count.multipliedReportingOverflow(by: width.byteCount)
            guard !overflow else { throw OpError("count \(count) is too large") }
            return try inv.inFrame("memset\(bits)", file: "lib/string.c") { () throws(OpError) -> ShadowedValue? in
                do throws(MemoryFault) {
                    try inv.runtime.addressSpace.validate(address, count: bytes)
                } catch {
                    inv.runtime.reportFault(error, on: inv.cpu)
                    return nil
                }
                for i in 0..<count {
                    inv.runtime.store(value, to: address + i * width.byteCount, on: inv.cpu)
                }
                return nil
            }
        }
    }


    /// mm/maccess.c: `copy_from_kernel_nofault_allowed()` refuses user addresses (x86:
    /// below TASK_SIZE_MAX) with -ERANGE. Then `copy_from_kernel_nofault_loop` runs with u64
    /// chunks, then u32, u16 and u8 for what is left (x86 has efficient unaligned access, so
    /// `align` is 0 and alignment never narrows the chunk). Per chunk: `__get_kernel_nofault`
    /// (inline asm, whose outputs KMSAN unpoisons, so that destination chunk ends up
    /// initialized), then `kmsan_check_memory(src, sizeof(type))` in the function's own frame.
    /// So a 12-byte source reports per 8- and 4-byte chunk, with byte ranges relative to each.
    /// An unmapped source chunk ends the copy with -EFAULT, not a report: that is what
    /// "nofault" means; the chunks before it were copied and checked. An unmapped destination is
    /// a plain store fault: a HARNESS `bad-access`.
    private static func copyFromKernelNofault(_ inv: OpInvocation) throws(OpError) -> ShadowedValue {
        let dst = try inv.pointer(0), src = try inv.pointer(1)
        let n = try inv.size(2)
        let runtime = inv.runtime, cpu = inv.cpu
        return try inv.inFrame("copy_from_kernel_nofault", file: "mm/maccess.c") { () throws(OpError) -> ShadowedValue in
            guard src >= TASK_SIZE else { return .integer(-Errno.ERANGE) }
            var done = 0
            for chunk in [8, 4, 2, 1] {
                while n - done >= chunk {
                    do {
                        try runtime.addressSpace.validate(src + done, count: chunk)
                    } catch {
                        return .integer(-Errno.EFAULT)
                    }
                    do throws(MemoryFault) {
                        try runtime.addressSpace.moveData(to: dst + done, from: src + done, count: chunk)
                    } catch {
                        runtime.reportFault(error, on: cpu)
                        return .integer(-Errno.EFAULT)
                    }
                    runtime.unpoisonMemory(dst + done, size: chunk, on: cpu)
                    runtime.checkMemory(src + done, size: chunk, on: cpu)
                    done += chunk
                }
            }
            return .integer(0)
        }
    }
}
