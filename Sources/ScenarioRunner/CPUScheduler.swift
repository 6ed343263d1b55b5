import Dispatch
import Foundation
import HarnessCore
import KMSAN

/// The CPUs of one scenario execution and the baton they pass: exactly one CPU runs program
/// code at a time, and which one is decided from the program alone (`CPUInterleave`), so an
/// interleaving is the same on every run.
///
/// CPU 0 runs the scenario's body on the caller's thread; another CPU gets a host thread of its
/// own (its own host stack, as its funcs nest independently) the first time a func is started
/// on it, and runs its work items in order, each to its end, in its kworker task. A CPU that
/// gives way picks the next CPU with work in CPU order after its own (round-robin), signals it
/// and waits for the baton to come back; the semaphores order every access to the state here
/// and to the machine, which only the baton holder touches.
///
/// A CPU waiting in `flush_cpu` has no work to do until its condition holds; CPU 0, its body
/// done, waits for every other CPU. If no CPU can run while some wait, they wait for each
/// other: the lowest such CPU is released with a HARNESS `misuse`. `finish()` stops the
/// threads on every path.
final class CPUScheduler: @unchecked Sendable {
    /// One func call queued on a CPU.
    struct Work {
        /// The func.
        let function: ResolvedScenario.Block
        /// Its arguments.
        let arguments: [ShadowedValue]
    }

    /// One CPU of the execution and what it has to do.
    final class Strand: @unchecked Sendable {
        /// The CPU.
        let cpu: KernelCPU
        /// Work items not started yet, oldest first.
        var queue: [Work] = []
        /// Whether a work item (CPU 0: the body) is running.
        var busy = false
        /// `flush_cpu(n)`: the CPU this one waits for, until it is idle.
        var waitingFor: Int?
        /// CPU 0 after its body: waiting for every other CPU.
        var waitingForAll = false
        /// Set when a deadlock was broken by releasing this CPU: it reports the misuse.
        var released = false
        /// The depth of func calls on this CPU (each CPU has its own host stack).
        var depth = 0
        /// Signalled to give this CPU the baton.
        let baton = DispatchSemaphore(value: 0)
        /// Signalled by this CPU's thread when it exits.
        let exited = DispatchSemaphore(value: 0)
        /// Whether a host thread runs this CPU (never for CPU 0).
        var hasThread = false

        init(cpu: KernelCPU) { self.cpu = cpu }

        /// Nothing running, nothing queued.
        var isIdle: Bool { !busy && queue.isEmpty }
    }

    /// Most work items pending at once: a program that starts funcs in a loop is stopped by its
    /// statement budget, and the queues never grow past this on the way.
    static let maxPendingWork = 1024
    /// Host stack of a CPU's thread: room for `ScenarioInterpreter.maxCallDepth` nested funcs
    /// and the plugins' frames under them, as the main thread has.
    static let threadStackSize = 8 << 20

    private let machine: Machine
    /// Strands by CPU number; a CPU nothing was started on has none.
    private var strands: [Strand?]
    /// The CPU holding the baton.
    private(set) var current: Strand
    /// Runs a work item on the CPU holding the baton (set once by the execution owning this).
    var perform: (Work) -> Void = { _ in }
    private var pending = 0
    private var stopping = false

    /// A scheduler whose CPU 0 is `cpu` (running the body).
    init(machine: Machine, cpu: KernelCPU) {
        self.machine = machine
        let main = Strand(cpu: cpu)
        main.busy = true
        strands = [Strand?](repeating: nil, count: PerCPUArea.possibleCPUs)
        strands[cpu.id] = main
        current = main
    }

    /// Whether more than one CPU ever had work (every yield point is free until then).
    private var isSingleCPU: Bool { strands.lazy.compactMap { $0 }.count == 1 }

    /// The CPU `n`'s strand, made with its kworker task and thread on first use.
    private func strand(_ n: Int) -> Strand {
        if let s = strands[n] { return s }
        let s = Strand(cpu: machine.makeCPU(id: n, comm: "kworker/\(n):1"))
        strands[n] = s
        return s
    }

    /// Whether every CPU but `s` is idle.
    private func othersAreIdle(_ s: Strand) -> Bool {
        strands.allSatisfy { t in t.map { $0 === s || $0.isIdle } ?? true }
    }

    /// Whether `s` can run now.
    private func isRunnable(_ s: Strand) -> Bool {
        if let n = s.waitingFor { return strands[n]?.isIdle ?? true }
        if s.waitingForAll { return !s.queue.isEmpty || othersAreIdle(s) }
        return !s.isIdle
    }

    /// Whether `s` waits in `flush_cpu` for a CPU that, through the CPUs it waits for in turn,
    /// waits for `s`: the CPUs a deadlock is made of (a CPU merely waiting for one of them is not).
    private func isOnWaitCycle(_ s: Strand) -> Bool {
        var n = s.waitingFor, steps = 0
        while let next = n, steps < strands.count {
            if next == s.cpu.id { return true }
            n = strands[next]?.waitingFor
            steps += 1
        }
        return false
    }

    /// The next runnable CPU after `s` in CPU order, `s` itself last; nil if none can run.
    private func nextRunnable(after s: Strand) -> Strand? {
        let n = strands.count
        for step in 1...n {
            if let t = strands[(s.cpu.id + step) % n], isRunnable(t) { return t }
        }
        return nil
    }

    /// Gives the baton to the next runnable CPU and waits for it to come back to `s`; returns
    /// at once if `s` is next. If none can run, CPUs wait for each other in `flush_cpu`: the
    /// lowest CPU on the cycle is released (and reports it). If nothing waits in a cycle
    /// either, the state is not what this type keeps it in: the runtime warns (KMSAN_WARN_ON)
    /// and CPU 0 is released, so the run still ends.
    private func giveWay(from s: Strand) {
        var next = nextRunnable(after: s)
        if next == nil {
            if let stuck = strands.lazy.compactMap({ $0 }).first(where: isOnWaitCycle) {
                stuck.waitingFor = nil
                stuck.released = true
                next = stuck
            } else if let main = strands.first ?? nil {
                machine.runtime.warnOn(true, "the CPU scheduler found no CPU that can run", on: s.cpu)
                main.waitingFor = nil
                main.waitingForAll = false
                main.released = true
                next = main
            }
        }
        guard let next, next !== s else { return }
        transfer(from: s, to: next)
        s.baton.wait()
    }

    /// Hands the baton to `next`, starting its thread on first use.
    private func transfer(from s: Strand, to next: Strand) {
        current = next
        if next.cpu.id != 0, !next.hasThread {
            next.hasThread = true
            let thread = Thread { [self] in self.workLoop(next) }
            thread.stackSize = Self.threadStackSize
            thread.name = "kmsan-harness CPU \(next.cpu.id)"
            thread.start()
        }
        next.baton.signal()
    }

    /// A CPU thread: waits for the baton, runs the next work item, gives way; until `finish`.
    private func workLoop(_ s: Strand) {
        defer { s.exited.signal() }
        s.baton.wait()
        while !stopping {
            runNextWork(on: s)
            giveWay(from: s)
        }
    }

    /// Runs the oldest work item queued on `s` (the baton holder) to its end; false if none.
    @discardableResult
    private func runNextWork(on s: Strand) -> Bool {
        guard !s.queue.isEmpty else { return false }
        let work = s.queue.removeFirst()
        pending -= 1
        s.busy = true
        perform(work)
        s.busy = false
        return true
    }

    /// Why `n` is not a CPU of the machine, or nil.
    private func impossibleCPU(_ n: Int) -> OpError? {
        strands.indices.contains(n) ? nil : OpError("CPU \(n) is not a possible CPU (0-\(strands.count - 1))")
    }

    /// `on_cpu(n, f, args...)` from the CPU holding the baton.
    func start(_ work: Work, onCPU n: Int) -> Result<Void, OpError> {
        if let error = impossibleCPU(n) { return .failure(error) }
        guard pending < Self.maxPendingWork else {
            return .failure(OpError("\(Self.maxPendingWork) funcs are already waiting to run: this one is dropped"))
        }
        let s = current, target = strand(n)
        let startsNow = target.isIdle && target !== s
        target.queue.append(work)
        pending += 1
        if startsNow {
            transfer(from: s, to: target)
            s.baton.wait()
        }
        return .success(())
    }

    /// A yield point of the CPU holding the baton.
    func yield() {
        guard !isSingleCPU else { return }
        giveWay(from: current)
    }

    /// `flush_cpu(n)` from the CPU holding the baton; an error if it would wait forever.
    func flush(cpu n: Int) -> Result<Void, OpError> {
        if let error = impossibleCPU(n) { return .failure(error) }
        let s = current
        guard n != s.cpu.id else { return .failure(OpError("a CPU cannot wait for its own work to finish")) }
        guard let target = strands[n], !target.isIdle else { return .success(()) }
        s.waitingFor = n
        while s.waitingFor != nil, !(target.isIdle) { giveWay(from: s) }
        s.waitingFor = nil
        if s.released {
            s.released = false
            return .failure(OpError("CPU \(n) can never finish: the CPUs wait for each other"))
        }
        return .success(())
    }

    /// CPU 0's body is done: runs the work queued on CPU 0, lets the other CPUs finish theirs,
    /// then stops their threads. Called on the caller's thread holding the baton, on every path.
    func finish() {
        let main = current
        main.busy = false
        while true {
            if runNextWork(on: main) { continue }
            guard !othersAreIdle(main) else { break }
            main.waitingForAll = true
            giveWay(from: main)
            main.waitingForAll = false
        }
        stopping = true
        for s in strands.lazy.compactMap({ $0 }) where s.hasThread {
            s.baton.signal()
            s.exited.wait()
        }
        for s in strands.lazy.compactMap({ $0 }) { s.cpu.pendingInterrupt = nil }
    }
}
