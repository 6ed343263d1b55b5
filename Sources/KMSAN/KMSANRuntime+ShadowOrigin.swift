import KernelMemory

extension KMSANRuntime {
    /// `kmsan_metadata_is_contiguous()`: whether the metadata of `[address, address + size)`
    /// can be walked as one block. Ranges within a page, in the vmalloc region (whose metadata
    /// is mapped virtually contiguous) or entirely untracked always can; a direct-map range
    /// whose pages have metadata in different sections, or that mixes tracked and untracked
    /// pages, cannot.
    package func metadataIsContiguous(_ address: KernelAddress, size: Int) -> Bool {
        guard size > 0, size > PAGE_SIZE - address.pageOffset else { return true }
        var tracked = 0
        var untracked = 0
        var directMapRuns = 0
        var allVmalloc = true
        _ = try? addressSpace.forEachSegment(address, count: size, unmappedAsUntracked: true) { seg in
            if seg.region != .vmalloc { allVmalloc = false }
            if seg.shadow != nil { tracked += 1 } else { untracked += 1 }
            if seg.region == .directMap, seg.shadow != nil { directMapRuns += 1 }
        }
        if allVmalloc || tracked == 0 { return true }
        return untracked == 0 && directMapRuns <= 1
    }

    /// Warns (and disables KMSAN) when a range's metadata is not contiguous; true if it is.
    package func checkContiguous(_ address: KernelAddress, size: Int, on cpu: KernelCPU?) -> Bool {
        !warnOn(!metadataIsContiguous(address, size: size),
                "kmsan_metadata_is_contiguous: attempting to access two shadow page ranges (access of size \(size) at \(address))",
                on: cpu)
    }

    /// `kmsan_internal_set_shadow_origin()`: fills the shadow of the range with `shadow` and
    /// applies the slot rule to the origins of every 4-byte slot the range touches.
    ///
    /// A nonzero origin always overwrites a slot; origin 0 clears a slot only if all its shadow
    /// bytes are now zero (mainline, the fix of google/kmsan#70 covered by test_unpoison_memory),
    /// or always under `UnpoisonOriginRule.overwriteWholeSlots` (RFC v3's
    /// `kmsan_internal_set_origin()`, whose TODO admits it): a partial unpoison then wipes the
    /// origin of the slot's bytes still poisoned, and a later check of them reports nothing.
    /// The rule is read once per call. The widening to slots
    /// never leaves the pages backing the range. With `checked`, tracked-memory expectations
    /// are enforced: setting metadata on untracked memory is a runtime warning.
    package func setShadowOrigin(
        _ address: KernelAddress, size: Int, shadow value: UInt8, origin: OriginHandle, checked: Bool, cpu: KernelCPU?
    ) {
        guard size > 0 else { return }
        let overwrite = origin.raw != 0 || policy.unpoisonOriginRule == .overwriteWholeSlots
        if let run = addressSpace.contiguousRun(address, count: size) {
            if let shadow = run.shadow, let slots = run.origin {
                Self.fill(shadow: shadow, slots: slots, lead: run.lead, count: size, value: value, origin: origin, overwrite: overwrite)
            } else if checked {
                warnUntracked(address, size: size, cpu: cpu)
            }
            return
        }
        guard checkContiguous(address, size: size, on: cpu) else { return }
        var untracked: KernelAddress?
        _ = try? addressSpace.forEachSegment(address, count: size, unmappedAsUntracked: true) { seg in
            guard let shadow = seg.shadow, let slots = seg.origin else {
                if untracked == nil { untracked = seg.address }
                return
            }
            Self.fill(shadow: shadow, slots: slots, lead: Int(seg.address.raw & 3), count: seg.count,
                      value: value, origin: origin, overwrite: overwrite)
        }
        if checked, let at = untracked { warnUntracked(at, size: size, cpu: cpu) }
    }

    private func warnUntracked(_ address: KernelAddress, size: Int, cpu: KernelCPU?) {
        warnOn(true, "kmsan_internal_set_shadow_origin: not memsetting \(size) bytes starting at \(address), because the shadow is NULL", on: cpu)
    }

    /// The slot rule over one contiguous run: `lead` is the first byte's offset in its slot;
    /// the slots touched are widened within the run's page, never beyond it.
    @inline(__always)
    private static func fill(
        shadow: UnsafeMutablePointer<UInt8>, slots: UnsafeMutablePointer<UInt32>, lead: Int, count: Int,
        value: UInt8, origin: OriginHandle, overwrite: Bool
    ) {
        shadow.update(repeating: value, count: count)
        let slotCount = (lead + count + 3) >> 2
        if overwrite {
            slots.update(repeating: origin.raw, count: slotCount)
        } else {
            let aligned = UnsafeRawPointer(shadow - lead)
            for i in 0..<slotCount where aligned.loadUnaligned(fromByteOffset: i << 2, as: UInt32.self) == 0 {
                slots[i] = 0
            }
        }
    }

    /// `kmsan_internal_poison_memory()`: poisons with a fresh origin of the current stack.
    package func poison(_ address: KernelAddress, size: Int, flags: PoisonFlags, on cpu: KernelCPU) {
        let origin = saveStack(on: cpu, useAfterFree: flags.contains(.free))
        setShadowOrigin(address, size: size, shadow: 0xff, origin: origin, checked: flags.contains(.check), cpu: cpu)
    }

    /// `kmsan_internal_unpoison_memory()`.
    package func unpoison(_ address: KernelAddress, size: Int, checked: Bool, on cpu: KernelCPU?) {
        setShadowOrigin(address, size: size, shadow: 0, origin: .none, checked: checked, cpu: cpu)
    }
}

/// How a poisoning treats the memory (`KMSAN_POISON_*`).
public struct PoisonFlags: OptionSet, Sendable, Hashable {
    /// The raw bits.
    public var rawValue: UInt8
    /// Wraps raw bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// KMSAN_POISON_CHECK: the memory must be tracked (a warning otherwise).
    public static let check = PoisonFlags(rawValue: 1)
    /// KMSAN_POISON_FREE: the origin gets the use-after-free bit.
    public static let free = PoisonFlags(rawValue: 2)
}
