import KMSAN
import KernelMemory

/// The runtime's own scenario ops (the contract's "core ops"), available in every scenario
/// whatever plugins the machine has: values and memory accesses, the instrumented string
/// functions, KMSAN's annotations, per-CPU variables and the few kernel functions the KMSAN
/// test suite calls (`printk`, `copy_from_kernel_nofault`, the stack depot, KUnit's
/// `KUNIT_EXPECT_EQ`).
///
/// What compiles to instructions or macros (loads, stores, `use`, arithmetic, `local`,
/// `this_cpu_ptr`, `kunit_expect_eq`) has `checksArgumentsEagerly == false`: its operands carry
/// their shadow. `memset`, `memcpy` and `memmove` are compiler intrinsics lowered to
/// `__msan_memcpy` and friends, whose arguments MemorySanitizer does not check either. Every
/// other op is an out-of-line kernel function, so with eager checks its uninitialized arguments
/// report in the caller. Misuse (a negative size, a pointer that is not what the op needs) is
/// an `OpError`; unmapped memory is the runtime's HARNESS `bad-access`. Nothing traps.
public enum CoreOps {
    /// Every core op, grouped by concern, in the order `kmsan-harness ops` lists them.
    public static let all: [ScenarioOp] = values + arithmetic + memory + annotations + perCPU + kernelFunctions + contexts + cpus
}

extension OpInvocation {
    /// Argument `index` as a value of `width`: its low bytes, with their shadow and origin.
    func value(_ index: Int, as width: ValueWidth) throws(OpError) -> ShadowedValue {
        let v = try value(index)
        return ShadowedValue(value: v.value, shadow: v.shadow, origin: v.origin, width: width)
    }

    /// The runtime.
    var runtime: KMSANRuntime { machine.runtime }

    /// Runs `body` in a frame of the kernel function `name` (source `file`), so that reports and
    /// origins raised inside name it, as the kernel's call path would.
    func inFrame<R>(_ name: String, file: String, _ body: () throws(OpError) -> R) throws(OpError) -> R {
        let site = runtime.symbols.site(in: name, file: file)
        let result: Result<R, OpError> = cpu.call(site) {
            do throws(OpError) { return .success(try body()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

extension ShadowedValue {
    /// An initialized 64-bit integer result (a count, a handle, an error code).
    public static func integer(_ value: Int) -> ShadowedValue { .initialized(UInt64(bitPattern: Int64(value)), width: .bits64) }
}
