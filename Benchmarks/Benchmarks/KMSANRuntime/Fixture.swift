import KMSAN
import KernelMemory

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One booted simulated machine plus the memory every benchmark works on.
///
/// package-benchmark runs each benchmark in its own process, so each process boots its own
/// fixture in the benchmark's setup hook. The fixture is used from one thread only (the
/// simulated CPU is not thread-safe), hence `@unchecked Sendable`.
final class Fixture: @unchecked Sendable {
    /// The largest memcpy the benchmarks make: 1 MiB (256 frames, well inside one 4 MiB section).
    static let maxCopySize = 1 << 20
    /// Size of the object poisoned and unpoisoned by the annotation benchmark.
    static let objectSize = 64
    /// Number of frames in the stack saved by the depot benchmark.
    static let depotFrames = 16

    let runtime: KMSANRuntime
    let cpu: KernelCPU
    /// Caller frames pushed around every measured runtime call, so captured stacks look real.
    private let frames: [CallSite]

    /// Simulated source whose shadow is fully poisoned with a single origin (one `poisonMemory`).
    let poisonedSource: KernelAddress
    /// Simulated source that is fully initialized (`unpoisonMemory` after the poison).
    let cleanSource: KernelAddress
    /// Destination below both sources: the runtime copies metadata forwards.
    let lowDestination: KernelAddress
    /// Destination above both sources: memmove semantics make the runtime copy backwards.
    let highDestination: KernelAddress
    /// The 64-byte object of the poison/unpoison benchmark.
    let object: KernelAddress

    /// Host buffers of `maxCopySize` bytes for the plain memcpy baseline.
    let hostSource: UnsafeMutableRawPointer
    let hostDestination: UnsafeMutableRawPointer

    /// A 16-frame stack (innermost first) that is already in the depot.
    let depotStack: [UInt64]

    /// Boots a 64 MiB machine and prepares every buffer and the depot record.
    init() throws {
        let runtime = try KMSANRuntime.boot(memorySize: 64 << 20, sink: InMemoryReportSink())
        let cpu = runtime.makeCPU(id: 0, comm: "kmsan-bench")
        self.runtime = runtime
        self.cpu = cpu
        frames = (0..<3).map { runtime.symbols.site(in: "bench_level\($0)", file: "bench/bench.c", line: 10 + $0) }

        // One 4 MiB section (1024 frames) per buffer, far below the boot-memory frames at the
        // top; the sources sit between the two destinations.
        func section(_ n: Int) -> KernelAddress {
            runtime.addressSpace.directMapAddress(of: PageFrameNumber(n * 1024))
        }
        precondition(PageFrameNumber(6 * 1024) <= runtime.bootMemory.firstFrame, "simulated memory too small")
        lowDestination = section(1)
        poisonedSource = section(2)
        cleanSource = section(3)
        highDestination = section(4)
        object = section(5) + 64

        let size = Self.maxCopySize
        // Default (malloc) alignment on purpose: with package-benchmark's MallocInterposer trait
        // on, freeing a block from aligned_alloc crashes the interposer (it reads a header in
        // front of the block). jemalloc still gives 16-byte-aligned 1 MiB blocks.
        hostSource = .allocate(byteCount: size, alignment: 16)
        hostDestination = .allocate(byteCount: size, alignment: 16)
        // Touch every host page so that no page fault lands in a measurement.
        hostSource.initializeMemory(as: UInt8.self, repeating: 0xa5, count: size)
        hostDestination.initializeMemory(as: UInt8.self, repeating: 0, count: size)

        depotStack = (0..<Self.depotFrames).map { 0xffff_ffff_8000_0000 | UInt64(0x1000 + $0 * 0x40) }

        // Data everywhere, then one poison of each source (one origin), then the clean source
        // is unpoisoned; the depot learns the 16-frame stack.
        let (poisoned, clean, stack) = (poisonedSource, cleanSource, depotStack)
        let destinations = [lowDestination, highDestination]
        inKernel {
            for address in [poisoned, clean] + destinations {
                runtime.memset(address, 0x5a, count: size, on: cpu)
            }
            runtime.poisonMemory(poisoned, size: size, on: cpu)
            runtime.poisonMemory(clean, size: size, on: cpu)
            runtime.unpoisonMemory(clean, size: size, on: cpu)
            _ = runtime.depot.save(stack)
        }
    }

    /// Runs `body` with three simulated caller frames pushed on the CPU's task.
    @inline(__always)
    func inKernel<R>(_ body: () -> R) -> R {
        cpu.call(frames[0]) { cpu.call(frames[1]) { cpu.call(frames[2], body) } }
    }

    /// Returns the machine's memory and the host buffers.
    func shutdown() {
        runtime.shutdown()
        hostSource.deallocate()
        hostDestination.deallocate()
    }
}

/// Reads `CLOCK_MONOTONIC` in nanoseconds.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Runs `body` `count` times back to back and returns the mean time of one run in nanoseconds.
@inline(__always)
func nanosecondsPerRun(_ count: Int, _ body: () -> Void) -> Double {
    let start = monotonicNanoseconds()
    for _ in 0..<count { body() }
    return Double(monotonicNanoseconds() - start) / Double(count)
}
