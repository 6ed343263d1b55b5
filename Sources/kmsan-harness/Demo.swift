import KMSAN
import KernelMemory

/// Small programs against the simulated kernel whose reports show the runtime at work.
/// Each runs on a fresh machine, like a KUnit case, and prints what KMSAN prints.
enum Demo {
    struct Program: Sendable {
        var name: String
        var summary: String
        var body: @Sendable (KMSANRuntime, KernelCPU) -> Void
    }

    /// What one program produced, and what its machine took from the host.
    struct Outcome {
        var reports: [KernelReport]
        /// The machine's jemalloc arena while it ran.
        var hostWhileRunning: HostArenaStatistics
        /// The arena after teardown (0 bytes allocated when everything was given back).
        var hostAfterTeardown: HostArenaStatistics?
        var arena: UInt32
    }

    /// Boots a machine, runs `program` as the function named after it, and tears it down.
    static func run(_ program: Program, writeText: @escaping @Sendable (String) -> Void) throws -> Outcome {
        let memorySink = InMemoryReportSink()
        let runtime = try KMSANRuntime.boot(
            memorySize: 16 << 20,
            sink: MultiplexReportSink([memorySink, TextStreamReportSink(write: writeText)]))
        let cpu = runtime.makeCPU(id: 0, comm: "kunit_try_catch")
        let runner = runtime.symbols.site(in: "kunit_try_run_case", file: "lib/kunit/test.c", line: 388)
        cpu.call(runner) {
            cpu.call(program.name) { program.body(runtime, cpu) }
        }
        let running = runtime.memory.arena.statistics()
        return Outcome(reports: memorySink.reports, hostWhileRunning: running,
                       hostAfterTeardown: runtime.shutdown(), arena: runtime.memory.arena.index)
    }

    /// A page from the boot allocator, given KMSAN metadata as the page allocator would.
    static func allocPage(_ runtime: KMSANRuntime, _ cpu: KernelCPU, gfp: GFPFlags = .kernel) -> PageFrameNumber {
        let pfn = runtime.bootMemory.allocate(order: 0)!
        cpu.call("alloc_pages_noprof") {
            cpu.call("__alloc_frozen_pages_noprof") { runtime.allocPage(pfn, order: 0, gfp: gfp, on: cpu) }
        }
        return pfn
    }

    static let programs: [Program] = [
        Program(name: "test_uninit_stack_var", summary: "use of an uninitialized stack variable") { rt, cpu in
            cpu.step()
            let cond = rt.local(size: 4, name: "cond", on: cpu)
            cpu.step()
            rt.branch(on: rt.load(.bits32, from: cond, on: cpu), on: cpu)
        },
        Program(name: "test_uninit_page", summary: "use of a word of a fresh page") { rt, cpu in
            cpu.step()
            let page = rt.addressSpace.directMapAddress(of: allocPage(rt, cpu))
            cpu.step()
            rt.branch(on: rt.load(.bits32, from: page, on: cpu), on: cpu)
        },
        Program(name: "test_initialized_gap_copy", summary: "two runs around an initialized gap") { rt, cpu in
            cpu.step()
            let page = rt.addressSpace.directMapAddress(of: allocPage(rt, cpu))
            cpu.step()
            let src = page, dst = page + 64
            cpu.step()
            rt.memset(src + 4, 0, count: 4, on: cpu)
            cpu.step()
            rt.memcpy(dst, src, count: 12, on: cpu)
            cpu.step()
            rt.checkMemory(dst, size: 12, on: cpu)
        },
        Program(name: "test_uaf_pages", summary: "read of a freed page") { rt, cpu in
            cpu.step()
            let pfn = allocPage(rt, cpu, gfp: [.kernel, .zero])
            cpu.step()
            cpu.call("__free_pages") { cpu.call("__free_frozen_pages") { rt.freePage(pfn, order: 0, on: cpu) } }
            cpu.step()
            let value = rt.load(.bits8, from: rt.addressSpace.directMapAddress(of: pfn) + 3, on: cpu)
            cpu.step()
            rt.branch(on: value, on: cpu)
        },
        Program(name: "test_long_origin_chain", summary: "an uninitialized value stored 9 times") { rt, cpu in
            cpu.step()
            let page = rt.addressSpace.directMapAddress(of: allocPage(rt, cpu))
            cpu.step()
            var value = rt.load(.bits32, from: page, on: cpu)
            for i in 1...9 {
                cpu.step()
                cpu.call("store_\(i)") { rt.store(value, to: page + 8 * i, on: cpu) }
                value = rt.load(.bits32, from: page + 8 * i, on: cpu)
            }
            cpu.step()
            rt.branch(on: value, on: cpu)
        },
        Program(name: "test_infoleak_partial_init", summary: "copy_to_user of a partly initialized buffer") { rt, cpu in
            cpu.step()
            let page = rt.addressSpace.directMapAddress(of: allocPage(rt, cpu))
            cpu.step()
            rt.memset(page, 0xaa, count: 6, on: cpu)
            cpu.step()
            let user = KernelAddress(0x0000_7f00_0000_0000)
            cpu.step()
            let backing = rt.bootMemory.allocate(order: 0)!
            rt.addressSpace.userPages.map(user, to: PageMapping(frame: backing, metadata: .untracked))
            cpu.step()
            cpu.call("_copy_to_user") {
                rt.memcpy(user + 0x20, page, count: 16, on: cpu)
                rt.copyToUser(to: user + 0x20, from: page, toCopy: 16, left: 0, on: cpu)
            }
        },
    ]
}
