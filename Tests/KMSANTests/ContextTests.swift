import HarnessTesting
import Testing
@testable import KMSAN
import KernelMemory

/// Per-task and per-CPU contexts and the in-runtime guard (kmsan-semantics.md, "Contexts and
/// re-entrancy").
@Suite struct ContextTests {
    @Test func hooksDoNothingWhileInTheRuntime() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.runtime.enterRuntime(m.cpu)
            m.runtime.poisonMemory(page, size: 8, on: m.cpu)
            m.runtime.leaveRuntime(m.cpu)
        }
        #expect(m.shadow(page, count: 8) == [UInt8?](repeating: 0, count: 8))
        #expect(m.runtime.isEnabled)
    }

    @Test func theSameHookOutsideTheRuntimeWorks() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run { m.runtime.poisonMemory(page, size: 8, on: m.cpu) }
        #expect(m.shadow(page, count: 8) == [UInt8?](repeating: 0xff, count: 8))
    }

    @Test func interruptsUseThePerCPUContext() throws {
        let m = try MachineFixture(runner: .kunit)
        #expect(m.cpu.context === m.cpu.current.kmsan)
        m.cpu.withInterrupt(.hardirq) {
            #expect(m.cpu.context === m.cpu.percpuContext)
            #expect(!m.cpu.inTask)
        }
        #expect(m.cpu.inTask)
    }

    /// A task inside the runtime does not stop an interrupt on its CPU from running hooks,
    /// because the interrupt has the per-CPU context.
    @Test func anInterruptOfATaskInTheRuntimeStillRunsHooks() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.runtime.enterRuntime(m.cpu)
            m.cpu.withInterrupt(.hardirq) { m.runtime.poisonMemory(page, size: 4, on: m.cpu) }
            m.runtime.leaveRuntime(m.cpu)
        }
        #expect(m.shadow(page, count: 4) == [0xff, 0xff, 0xff, 0xff])
    }

    /// google/kmsan#92: softirq and hardirq share the per-CPU context, so a hardirq arriving
    /// while a softirq is in the runtime skips its hooks (and leaves stale metadata).
    @Test func hardirqInsideASoftirqInTheRuntimeSkipsHooks() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.cpu.withInterrupt(.softirq) {
                m.runtime.enterRuntime(m.cpu)
                m.cpu.withInterrupt(.hardirq) { m.runtime.poisonMemory(page, size: 4, on: m.cpu) }
                m.runtime.leaveRuntime(m.cpu)
            }
        }
        #expect(m.shadow(page, count: 4) == [0, 0, 0, 0])
    }

    @Test func nestedHardirqsAndNMIsCountAsInTheRuntime() throws {
        let m = try MachineFixture(runner: .kunit)
        m.cpu.withInterrupt(.hardirq) {
            #expect(!m.runtime.isInRuntime(m.cpu))
            m.cpu.withInterrupt(.hardirq) { #expect(m.runtime.isInRuntime(m.cpu)) }
        }
        m.cpu.withInterrupt(.nmi) { #expect(m.runtime.isInRuntime(m.cpu)) }
    }

    /// `__msan_metadata_ptr_for_load_n`/`_store_n` take no in-runtime guard
    /// (mm/kmsan/instrumentation.c): code in an NMI reads and writes real shadow, and only
    /// `__msan_chain_origin` leaves the origin as it is.
    @Test func loadsAndStoresInAnNMIUseRealShadow() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages(gfp: [.kernel, .zero])
        let created = m.origin(src)
        m.cpu.withInterrupt(.nmi) {
            let v = m.runtime.load(.bits32, from: src, on: m.cpu)
            #expect(v.shadow == 0xffff_ffff)
            m.runtime.store(v, to: dst, on: m.cpu)
        }
        #expect(m.shadow(dst, count: 4) == [UInt8?](repeating: 0xff, count: 4))
        #expect(m.origin(dst) == created)
    }

    /// The twin: the same store in task context chains the origin.
    @Test func storesInTaskContextChainTheOrigin() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages(gfp: [.kernel, .zero])
        m.run { m.runtime.store(m.runtime.load(.bits32, from: src, on: m.cpu), to: dst, on: m.cpu) }
        #expect(m.origin(dst).depth == 1)
    }

    @Test func exitedTasksNoLongerReport() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        let task = m.runtime.createTask(comm: "exiting")
        let main = m.cpu.current
        m.cpu.switchTo(task)
        m.runtime.exitTask(task, on: m.cpu)
        m.cpu.call("do_exit") { m.use(.bits32, at: page) }
        m.cpu.switchTo(main)
        m.run { m.use(.bits32, at: page) }
        #expect(m.reports.map(\.comm) == ["kunit_try_catch"])
    }

    @Test func newTasksGetFreshContextsAndStacks() throws {
        let m = try MachineFixture(runner: .kunit)
        let a = m.runtime.createTask(comm: "a"), b = m.runtime.createTask(comm: "b")
        #expect(a.pid != b.pid)
        #expect(a.kmsan !== b.kmsan)
        #expect(a.stackBase != b.stackBase)
        #expect(a.kmsan.depth == 0 && a.kmsan.inRuntime == 0)
        #expect(m.shadow(a.stackBase, count: 8) == [UInt8?](repeating: 0, count: 8))
        #expect(m.runtime.createTask(comm: "a_task_name_longer_than_15").comm.count == 15)
    }

    @Test func exitingATaskReturnsItsStack() throws {
        let m = try MachineFixture(runner: .kunit)
        let before = m.runtime.bootMemory.allocatedFrames
        let task = m.runtime.createTask(comm: "short")
        #expect(m.runtime.bootMemory.allocatedFrames == before + 4)
        m.runtime.exitTask(task, on: m.cpu)
        #expect(m.runtime.bootMemory.allocatedFrames == before)
    }

    @Test func callsBeyondTheDepthLimitRunWithoutAFrame() throws {
        let m = try MachineFixture(runner: .kunit)
        let site = m.runtime.symbols.site(in: "recurse", file: "t", line: 1)
        var deepest = 0, ran = 0
        func recurse(_ n: Int) {
            m.cpu.call(site) {
                ran += 1
                deepest = max(deepest, m.cpu.current.callDepth)
                if n > 0 { recurse(n - 1) }
            }
        }
        recurse(KernelTask.maxCallDepth + 50)
        #expect(ran == KernelTask.maxCallDepth + 51)
        #expect(deepest == KernelTask.maxCallDepth)
        #expect(m.cpu.current.callDepth == 0)
    }

    @Test func callsWithinTheLimitEachHaveAFrame() throws {
        let m = try MachineFixture(runner: .kunit)
        let site = m.runtime.symbols.site(in: "recurse", file: "t", line: 1)
        var depths: [Int] = []
        func recurse(_ n: Int) {
            m.cpu.call(site) {
                depths.append(m.cpu.current.callDepth)
                if n > 0 { recurse(n - 1) }
            }
        }
        recurse(9)
        #expect(depths == Array(1...10))
        #expect(m.cpu.current.callDepth == 0)
    }

    /// A context switch inside a call: the call's frame comes off the stack it went on, and the
    /// task switched to keeps its own stack untouched.
    @Test func aTaskSwitchInsideACallPopsTheOriginalTasksFrame() throws {
        let m = try MachineFixture(runner: .kunit)
        let main = m.cpu.current
        let other = m.runtime.createTask(comm: "other")
        m.cpu.call("schedule") {
            #expect(main.callDepth == 1)
            m.cpu.switchTo(other)
            m.cpu.call("other_fn") { #expect(other.callDepth == 1) }
        }
        #expect(main.callDepth == 0)
        #expect(other.callDepth == 0)
        #expect(m.cpu.current === other)
    }

    /// The switch drops the last reference to the old task while its call runs: the task lives
    /// on until that call returns, so the pop writes memory that is still its stack (this was a
    /// heap-use-after-free under AddressSanitizer), and it is let go at the next switch.
    @Test func aSwitchDroppingTheLastReferenceKeepsTheTaskUntilItsCallsReturn() throws {
        let m = try MachineFixture(runner: .kunit)
        weak var weakFirst: KernelTask?
        do {
            let first = m.runtime.createTask(comm: "first")
            weakFirst = first
            m.cpu.switchTo(first)
        }
        m.cpu.call("schedule") {
            m.cpu.switchTo(m.runtime.createTask(comm: "second"))   // the CPU held the last strong reference to `first`
        }
        #expect(weakFirst?.callDepth == 0)
        m.cpu.switchTo(m.runtime.createTask(comm: "third"))
        #expect(weakFirst == nil)
    }

    /// Without a switch, the frame is popped from the same task (the twin).
    @Test func aCallWithoutASwitchPopsItsOwnFrame() throws {
        let m = try MachineFixture(runner: .kunit)
        let main = m.cpu.current
        m.cpu.call("outer") {
            m.cpu.call("inner") { #expect(main.callDepth == 2) }
            #expect(main.callDepth == 1)
        }
        #expect(main.callDepth == 0)
    }
}
