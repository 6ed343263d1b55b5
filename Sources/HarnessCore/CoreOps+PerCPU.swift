import KMSAN
import KernelMemory

/// Per-CPU variables over the machine's `PerCPUArea`.
extension CoreOps {
    /// `alloc_percpu(size)`, `this_cpu_ptr(ptr)` and `per_cpu_ptr(ptr, cpu)`.
    public static let perCPU: [ScenarioOp] = [
        ScenarioOp(
            "alloc_percpu", [.init("size", .integer, range: 0...4096)], returnsValue: true, result: .percpuPointer,
            help: "a zeroed per-CPU variable of size bytes (a __percpu pointer: use this_cpu_ptr); NULL if size is 0 or the area is full"
        ) { inv throws(OpError) in
            let size = try inv.size(0)
            return .pointer(inv.machine.percpu.allocate(size: size) ?? .null)
        },
        ScenarioOp(
            "this_cpu_ptr", [.init("ptr", .pointer, resource: .percpuPointer)], returnsValue: true, result: .address,
            checksArgumentsEagerly: false,
            help: "the address of a per-CPU variable in the current CPU's unit (pointer arithmetic: keeps ptr's shadow)"
        ) { inv throws(OpError) in
            let ptr = try inv.value(0)
            guard let address = inv.machine.percpu.pointer(KernelAddress(ptr.value), cpu: inv.cpu.id) else {
                throw OpError("\(KernelAddress(ptr.value)) is not a pointer from alloc_percpu (or CPU \(inv.cpu.id) has no unit)")
            }
            return ShadowedValue(value: address.raw, shadow: ptr.shadow, origin: ptr.origin, width: .bits64)
        },
        ScenarioOp(
            "per_cpu_ptr", [.init("ptr", .pointer, resource: .percpuPointer), .init("cpu", .integer, range: cpuNumbers)],
            returnsValue: true, result: .address, checksArgumentsEagerly: false,
            help: "the address of a per-CPU variable in CPU cpu's unit (pointer arithmetic: keeps ptr's shadow)"
        ) { inv throws(OpError) in
            let ptr = try inv.value(0), cpu = try inv.integer(1)
            guard let address = inv.machine.percpu.pointer(KernelAddress(ptr.value), cpu: cpu) else {
                throw OpError("\(KernelAddress(ptr.value)) is not a pointer from alloc_percpu, or \(cpu) is not a possible CPU "
                              + "(0-\(PerCPUArea.possibleCPUs - 1))")
            }
            return ShadowedValue(value: address.raw, shadow: ptr.shadow, origin: ptr.origin, width: .bits64)
        },
    ]

    /// The possible CPUs' numbers (`nr_cpu_ids`), for generators.
    static let cpuNumbers: ClosedRange<Int64> = 0...Int64(PerCPUArea.possibleCPUs - 1)
}
