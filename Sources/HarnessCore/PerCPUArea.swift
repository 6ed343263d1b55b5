import KMSAN
import KernelMemory

/// A machine's per-CPU area, as the kernel's pcpu allocator lays out its first chunk: one unit
/// per possible CPU, units `unitSize` apart, and every variable at the same offset in each unit.
///
/// `allocate` returns a `__percpu` pointer: an address in the per-CPU section, which on x86-64
/// is linked at a small address (zero-based per-CPU data), so dereferencing it directly faults,
/// a HARNESS `bad-access` here. `pointer(_:cpu:)` is `per_cpu_ptr`: the unit's base plus the
/// offset.
///
/// Memory: the chunk comes from the runtime's boot memory (`bootMemory`), as the kernel's first
/// chunk comes from memblock (`pcpu_embed_first_chunk`), whatever plugins the machine has; it is
/// reserved on the first allocation only, so machines that never use per-CPU variables pay
/// nothing. Allocation is a bump allocator (8-byte aligned) that never reuses space; new
/// variables are zeroed and initialized in every unit, as `pcpu_alloc` zeroes them. Thread-safe.
public final class PerCPUArea: Sendable {
    /// Possible CPUs (`nr_cpu_ids`): units in the chunk.
    public static let possibleCPUs = 4
    /// Bytes per unit (`pcpu_unit_size`): 32 KiB.
    public static let unitSize = 8 * PAGE_SIZE
    /// Where `__percpu` pointers start: offsets in the zero-based per-CPU section. Below the user
    /// region and unmapped, so they fault when dereferenced without `this_cpu_ptr`.
    public static let sectionBase = KernelAddress(0x4000)
    private static let chunkOrder = (possibleCPUs * unitSize / PAGE_SIZE).trailingZeroBitCount

    private struct State {
        var chunk: KernelAddress?
        var unavailable = false
        var used = 0
    }
    private let runtime: KMSANRuntime
    private let state = Locked(State())

    /// An empty area over `runtime`'s boot memory.
    public init(runtime: KMSANRuntime) { self.runtime = runtime }

    /// The area's chunk and use, for `restoreState(_:)`.
    public func saveState() -> SavedState { state.saveState() }

    /// Puts back what `saveState()` returned.
    public func restoreState(_ saved: SavedState) { state.restoreState(saved) }

    /// `__alloc_percpu(size, 8)`: a zeroed, initialized variable in every unit, as a `__percpu`
    /// pointer; nil if `size` is 0 or negative, or the chunk is full or could not be reserved.
    public func allocate(size: Int) -> KernelAddress? {
        guard size > 0, size <= Self.unitSize else { return nil }
        let placed: (chunk: KernelAddress, offset: Int)? = state.withLock { s in
            if s.chunk == nil, !s.unavailable {
                if let frame = runtime.bootMemory.allocate(order: Self.chunkOrder) {
                    s.chunk = runtime.addressSpace.directMapAddress(of: frame)
                } else {
                    s.unavailable = true
                }
            }
            guard let chunk = s.chunk else { return nil }
            let offset = (s.used + 7) & ~7
            guard offset + size <= Self.unitSize else { return nil }
            s.used = offset + size
            return (chunk, offset)
        }
        guard let placed else { return nil }
        for cpu in 0..<Self.possibleCPUs {
            let address = placed.chunk + (cpu * Self.unitSize + placed.offset)
            try? runtime.addressSpace.fillData(address, byte: 0, count: size)
            runtime.unpoison(address, size: size, checked: false, on: nil)
        }
        return Self.sectionBase + placed.offset
    }

    /// `per_cpu_ptr(ptr, cpu)`: the address of the variable `ptr` in CPU `cpu`'s unit; nil if
    /// `ptr` was not returned by `allocate` (or points past what was allocated) or `cpu` is not
    /// a possible CPU.
    public func pointer(_ ptr: KernelAddress, cpu: Int) -> KernelAddress? {
        guard cpu >= 0, cpu < Self.possibleCPUs, ptr >= Self.sectionBase else { return nil }
        let offset = ptr - Self.sectionBase
        return state.withLock { s in
            guard let chunk = s.chunk, offset < s.used else { return nil }
            return chunk + (cpu * Self.unitSize + offset)
        }
    }
}
