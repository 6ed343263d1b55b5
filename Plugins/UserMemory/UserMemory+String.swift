import HarnessCore
import KMSAN
import KernelMemory

/// `strncpy_from_user` as lib/strncpy_from_user.c does it on x86-64, which has efficient
/// unaligned access, so it always starts a word at a time: each 8-byte user word is fetched by
/// `unsafe_get_user` (asm: its result is initialized) and written to `dst` by an ordinary
/// store, the word holding the NUL with the bytes after it masked to zero. A word that faults
/// falls back to a byte at a time; a byte that faults is -EFAULT. So the bytes written, up to
/// the end of the word holding the NUL, are initialized, and `dst` past them keeps whatever
/// shadow it had: copying all of `dst` back out is the classic infoleak.
extension UserMemory {
    /// `strncpy_from_user(dst, src, count)`: the string's length without the NUL; `count` when
    /// no NUL came within `count` bytes (then `dst` is not terminated); -EFAULT when `src` is
    /// not user space or the string runs into an unmapped page.
    public func strncpyFromUser(_ dst: KernelAddress, _ src: KernelAddress, count: Int, on cpu: KernelCPU) -> Int {
        cpu.call(sites.strncpy) { () -> Int in
            guard count > 0 else { return 0 }
            guard src < TASK_SIZE else { return -Errno.EFAULT }
            // do_strncpy_from_user's max: the user-specified limit or the end of user space.
            var max = Int(clamping: min(TASK_SIZE.raw - src.raw, UInt64(count)))
            var res = 0
            while max >= 8 {
                guard let bytes = try? runtime.addressSpace.readBytes(src + res, count: 8) else { break }
                let c = bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                if let zero = bytes.firstIndex(of: 0) {
                    let mask: UInt64 = zero == 0 ? 0 : (1 << UInt64(8 * zero)) - 1
                    return store(c & mask, .bits64, at: dst + res, on: cpu) ? res + zero : -Errno.EFAULT
                }
                guard store(c, .bits64, at: dst + res, on: cpu) else { return -Errno.EFAULT }
                res += 8
                max -= 8
            }
            while max > 0 {
                guard let byte = try? runtime.addressSpace.readBytes(src + res, count: 1).first else { return -Errno.EFAULT }
                guard store(UInt64(byte), .bits8, at: dst + res, on: cpu) else { return -Errno.EFAULT }
                if byte == 0 { return res }
                res += 1
                max -= 1
            }
            // Hit max: the caller's count, or the end of user space (an EFAULT).
            return res >= count ? res : -Errno.EFAULT
        }
    }

    /// One instrumented store of an initialized `value` to the kernel buffer; a fault there is
    /// reported (an oops in the kernel) and ends the copy.
    private func store(_ value: UInt64, _ width: ValueWidth, at address: KernelAddress, on cpu: KernelCPU) -> Bool {
        do throws(MemoryFault) {
            try runtime.addressSpace.validate(address, count: width.byteCount)
        } catch {
            runtime.reportFault(error, on: cpu)
            return false
        }
        runtime.store(.initialized(value, width: width), to: address, on: cpu)
        return true
    }
}
