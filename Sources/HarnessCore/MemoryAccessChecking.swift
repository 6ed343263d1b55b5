import KMSAN
import KernelMemory

/// A subsystem that checks memory accesses the way compiler instrumentation does before they
/// happen: KASAN's `__asan_loadN`/`__asan_storeN` and the checked `memset`/`memcpy`/`memmove`.
/// The core's load, store and string ops call `Machine.checkAccess` first, which asks every
/// installed checker; a checker reports (`KMSANRuntime.reportKASAN`) and the access goes on,
/// as it does in the kernel after a KASAN report.
public protocol MemoryAccessChecking: Subsystem {
    /// Checks `size` bytes at `address` about to be read or written by the current function.
    func checkAccess(_ address: KernelAddress, size: Int, _ direction: KASANAccess.Direction, on cpu: KernelCPU)
}

extension Machine {
    /// Asks every installed `MemoryAccessChecking` subsystem about an access (nothing when none
    /// is installed, the common case: one empty-array test).
    @inline(__always)
    public func checkAccess(_ address: KernelAddress, size: Int, _ direction: KASANAccess.Direction, on cpu: KernelCPU) {
        guard !accessCheckers.isEmpty, size > 0 else { return }
        for checker in accessCheckers { checker.checkAccess(address, size: size, direction, on: cpu) }
    }
}
