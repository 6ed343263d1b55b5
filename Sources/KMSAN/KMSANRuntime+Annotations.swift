import KernelMemory

/// One-off annotations kernel code calls directly (include/linux/kmsan-checks.h).
extension KMSANRuntime {
    /// `kmsan_poison_memory(address, size, flags)`: marks the range uninitialized with an
    /// origin of the current stack. Works on any memory (untracked memory is left alone).
    public func poisonMemory(_ address: KernelAddress, size: Int, gfp: GFPFlags = .kernel, on cpu: KernelCPU) {
        hook(cpu, hookSites.poisonMemory) { poison(address, size: size, flags: [], on: cpu) }
    }

    /// `kmsan_unpoison_memory(address, size)`: marks the range initialized. Unlike the other
    /// annotations it works from inside the runtime too (`HookGate.enabledOnly`).
    public func unpoisonMemory(_ address: KernelAddress, size: Int, on cpu: KernelCPU) {
        hook(cpu, hookSites.unpoisonMemory, gate: .enabledOnly) { unpoison(address, size: size, checked: false, on: cpu) }
    }

    /// `kmsan_check_memory(address, size)`: reports each run of uninitialized bytes. It checks
    /// only that KMSAN is on (`HookGate.enabledOnly`): from inside the runtime it still reports.
    public func checkMemory(_ address: KernelAddress, size: Int, on cpu: KernelCPU) {
        hook(cpu, hookSites.checkMemory, gate: .enabledOnly) {
            checkRange(address, size: size, userAddress: nil, reason: .any, on: cpu)
        }
    }

    /// `kmsan_memmove(to, from, size)`: moves only the metadata, for code that copies data
    /// behind the compiler's back.
    public func moveMetadata(to dst: KernelAddress, from src: KernelAddress, count: Int, on cpu: KernelCPU) {
        hook(cpu, hookSites.memmove) { memmoveMetadata(dst: dst, src: src, count: count, on: cpu) }
    }

    /// The metadata of one byte, for tests and debugging: its shadow and its slot's origin,
    /// or nil for untracked or unmapped memory.
    public func metadata(at address: KernelAddress) -> (shadow: UInt8, origin: OriginHandle)? {
        var result: (UInt8, OriginHandle)?
        _ = try? addressSpace.forEachSegment(address, count: 1, unmappedAsUntracked: true) { seg in
            if let s = seg.shadow { result = (s.pointee, OriginHandle(raw: seg.originSlot(ofByte: 0).pointee)) }
        }
        return result
    }
}
