import HarnessCore
import KMSAN
import KernelMemory

/// `get_user` and `put_user` of 1, 2, 4 or 8 bytes, as x86-64 builds them
/// (arch/x86/include/asm/uaccess.h): the access itself is a call into `__get_user_N` or
/// `__put_user_N`, assembly that checks the range below TASK_SIZE_MAX and that KMSAN does not
/// instrument (nor does it check the asm's inputs: see `MemorySanitizer.cpp` on KMSAN and inline
/// asm). The instrumentation around it is what KMSAN sees:
///
/// - `get_user(x, ptr)`: `instrument_get_user` unpoisons the value the asm returned, and the
///   assignment to `x` is an ordinary store of it: data from user space is initialized. A fault
///   gives -EFAULT and `x = 0`.
/// - `put_user(x, ptr)`: `__x = (x)` is a store into a stack temporary (chaining an
///   uninitialized value's origin), the asm stores it to user space, then `instrument_put_user`
///   calls `kmsan_copy_to_user(ptr, &__x, size, 0)`, whether the store faulted or not: a user
///   `ptr` has `__x` checked (`kernel-infoleak`, reported in the caller, since both are macros);
///   a kernel `ptr` fails the range check (-EFAULT) and the hook moves `__x`'s metadata to it, as
///   the hook's kernel-destination path does.
extension UserMemory {
    /// `get_user(*x, ptr)` of `width`: 0, or -EFAULT (and `*x = 0`) when `ptr` is not a mapped
    /// user range.
    public func getUser(into x: KernelAddress, from ptr: KernelAddress, width: ValueWidth, on cpu: KernelCPU) -> Int {
        let n = width.byteCount
        var value: UInt64 = 0
        var result = -Errno.EFAULT
        if UserAccess.accessOK(ptr, n), let bytes = try? runtime.addressSpace.readBytes(ptr, count: n) {
            value = bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            result = 0
        }
        runtime.store(.initialized(value, width: width), to: x, on: cpu)
        return result
    }

    /// `put_user(value, ptr)` of `value.width`: 0, or -EFAULT when `ptr` is not a mapped user
    /// range (nothing is written then: the asm store faults before writing). The KMSAN hook
    /// runs either way, after the access.
    public func putUser(_ value: ShadowedValue, to ptr: KernelAddress, on cpu: KernelCPU) -> Int {
        let n = value.width.byteCount
        return runtime.withLocal(size: n, name: "__x", on: cpu) { x -> Int in
            runtime.store(value, to: x, on: cpu)
            var result = -Errno.EFAULT
            if UserAccess.accessOK(ptr, n), (try? runtime.addressSpace.validate(ptr, count: n)) != nil {
                let bytes = (0..<n).map { UInt8(truncatingIfNeeded: value.value >> UInt64(8 * $0)) }
                if (try? runtime.addressSpace.writeBytes(bytes, at: ptr)) != nil { result = 0 }
            }
            runtime.copyToUser(to: ptr, from: x, toCopy: n, left: 0, on: cpu)
            return result
        }
    }
}
