import KernelMemory

/// The instrumented string functions (`__msan_memcpy`, `__msan_memmove`, `__msan_memset`):
/// they move the data, then the metadata.
extension KMSANRuntime {
    /// `memcpy(dst, src, n)`: copies the data, then the metadata with memmove semantics.
    /// Unmapped memory on either side is a HARNESS `bad-access` and nothing is copied.
    public func memcpy(_ dst: KernelAddress, _ src: KernelAddress, count n: Int, on cpu: KernelCPU) {
        copy(dst, src, n, site: hookSites.memcpy, on: cpu)
    }

    /// `memmove(dst, src, n)`: like `memcpy`, for overlapping ranges.
    public func memmove(_ dst: KernelAddress, _ src: KernelAddress, count n: Int, on cpu: KernelCPU) {
        copy(dst, src, n, site: hookSites.memmove, on: cpu)
    }

    private func copy(_ dst: KernelAddress, _ src: KernelAddress, _ n: Int, site: CallSite, on cpu: KernelCPU) {
        do {
            try addressSpace.moveData(to: dst, from: src, count: n)
        } catch {
            cpu.call(site) { reportFault(error, on: cpu) }
            return
        }
        guard n > 0 else { return }
        hook(cpu, site) { memmoveMetadata(dst: dst, src: src, count: n, on: cpu) }
    }

    /// `memset(dst, c, n)`: fills the data and unpoisons the range whatever `c` is (the
    /// compiler passes no shadow for `c`). Zero-length calls do nothing.
    public func memset(_ dst: KernelAddress, _ byte: UInt8, count n: Int, on cpu: KernelCPU) {
        do {
            try addressSpace.fillData(dst, byte: byte, count: n)
        } catch {
            cpu.call(hookSites.memset) { reportFault(error, on: cpu) }
            return
        }
        guard n > 0 else { return }
        hook(cpu, hookSites.memset) { unpoison(dst, size: n, checked: false, on: cpu) }
    }
}
