import HarnessTesting
import Testing
import Foundation
import KMSAN
import KernelMemory

/// The kernel's report layout (report-format.md), its JSON twin, and the sinks.
@Suite struct ReportFormatTests {
    /// A program whose report shows every KMSAN block: a chain link and a creation stack, a
    /// byte range and an access line.
    func chainedReport() throws -> (MachineFixture, KernelReport) {
        let m = try MachineFixture(runner: .kunit)
        return (m, try m.chainedReport())
    }

    @Test func kmsanReportHasTheKernelLayout() throws {
        let (m, r) = try chainedReport()
        let f = { (name: String, line: Int) in m.runtime.symbols.symbolize(m.runtime.symbols.site(in: name, file: "test", line: line).address) }
        let expected = """
        =====================================================
        BUG: KMSAN: uninit-value in \(f("test_case", 8).symbol)
         \(f("test_case", 8))
         kunit_try_run_case+\(hexPart(r.stack[1])) lib/kunit/test.c:388

        Uninit was stored to memory at:
         \(f("helper_copy", 20))
         \(f("test_case", 7))
         kunit_try_run_case+\(hexPart(r.stack[1])) lib/kunit/test.c:388

        Uninit was created at:
         \(r.origin[1].frames[0])
         \(r.origin[1].frames[1])
         \(f("test_case", 1))
         kunit_try_run_case+\(hexPart(r.stack[1])) lib/kunit/test.c:388

        Bytes 0-3 of 4 are uninitialized
        Memory access of size 4 starts at \(r.accessAddress.map(hex16)!)

        CPU: 0 UID: 0 PID: 1 Comm: kunit_try_catch Not tainted 6.18.0-kmsan-harness #1 PREEMPT(full)\u{20}
        Hardware name: kmsan-harness simulated machine
        =====================================================

        """
        #expect(r.kernelText == expected)
        #expect(r.origin[1].frames.map(\.function) == ["__alloc_frozen_pages_noprof", "alloc_pages_noprof", "test_case", "kunit_try_run_case"])
    }

    private func hexPart(_ f: SymbolizedFrame) -> String { "0x\(String(f.offset, radix: 16))/0x\(String(f.size, radix: 16))" }

    /// get_stack_skipnr(): runtime frames are skipped at the top of a stack only.
    @Test func runtimeFramesAreSkippedAtTheTopOnly() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run {
            m.cpu.call("kmsan_outer_helper") {
                m.cpu.call("caller_fn") {
                    m.cpu.call("__msan_inner") {
                        m.cpu.call("kmsan_innermost") { m.runtime.checkMemory(m.allocPages(), size: 1, on: m.cpu) }
                    }
                }
            }
        }
        let r = try #require(m.reports.first)
        #expect(r.function == "caller_fn")
        #expect(r.stack.map(\.function) == ["caller_fn", "kmsan_outer_helper", "test_case", "kunit_try_run_case"])
    }

    @Test func withoutRuntimeFramesTheInnermostFrameIsNamed() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run { m.cpu.call("caller_fn") { m.runtime.checkMemory(m.allocPages(), size: 1, on: m.cpu) } }
        #expect(m.reports.first?.stack.map(\.function) == ["caller_fn", "test_case", "kunit_try_run_case"])
    }

    @Test func separatorIs53EqualsSigns() {
        #expect(KernelReport.separator == String(repeating: "=", count: 53))
    }

    @Test func everyFrameLineParsesWithSyzkallersRule() throws {
        let (_, r) = try chainedReport()
        let lines = r.kernelText.split(separator: "\n").map(String.init).filter { $0.hasPrefix(" ") }
        #expect(lines.count == 9)
        for line in lines {
            #expect(SyzkallerTitle.function(ofFrameLine: line) != nil, "unparsed frame line: \(line)")
        }
        #expect(SyzkallerTitle.function(ofFrameLine: " closure #1 in test_case()") == nil)
        #expect(SyzkallerTitle.function(ofFrameLine: " test_case") == nil)
    }

    @Test func syzkallerTitleNamesTheTestFunction() throws {
        let (_, r) = try chainedReport()
        #expect(SyzkallerTitle.title(of: r.kernelText) == "KMSAN: uninit-value in test_case")
    }

    @Test func localVariableBlockHasAtMostTwoFrames() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run {
            m.cpu.call("deeper") {
                let x = m.runtime.local(size: 8, name: "buf", on: m.cpu)
                m.runtime.checkMemory(x, size: 8, on: m.cpu)
            }
        }
        let text = try #require(m.reports.first).kernelText
        #expect(text.contains("\nLocal variable buf created at:\n deeper+"))
        let block = text.components(separatedBy: "Local variable buf created at:\n")[1]
        #expect(block.split(separator: "\n").prefix(3).filter { $0.hasPrefix(" ") }.count == 2)
        #expect(block.contains(" test_case+"))
        #expect(!block.contains("kunit_try_run_case"))
    }

    @Test func depthSevenLinkPrintsTheNotRecordedMarker() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run {
            var v = m.runtime.load(.bits32, from: page, on: m.cpu)
            for i in 1...9 {
                m.runtime.store(v, to: page + 8 * i, on: m.cpu)
                v = m.runtime.load(.bits32, from: page + 8 * i, on: m.cpu)
            }
            m.runtime.branch(on: v, on: m.cpu)
        }
        let r = try #require(m.reports.first)
        #expect(r.origin.filter { $0.kind == .storedAt }.count == 7)
        #expect(r.origin.first?.truncatedBefore == true)
        #expect(r.kernelText.contains("\n\n<Zero or more stacks not recorded to save memory>\n\nUninit was stored to memory at:\n"))
    }

    @Test func shallowChainsHaveNoMarker() throws {
        let (_, r) = try chainedReport()
        #expect(!r.kernelText.contains("not recorded"))
    }

    @Test func harnessReportNamesTheCaller() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run {
            m.cpu.call(m.runtime.symbols.site(in: "kfree", file: "mm/slub.c", line: 4720, role: .subsystemEntry)) {
                m.runtime.reportHarnessFinding(.doubleFree, "object freed twice", on: m.cpu)
            }
        }
        let r = try #require(m.reports.first)
        #expect(r.title == "HARNESS: double-free in test_case")
        #expect(r.kernelText.hasPrefix("=====================================================\nBUG: HARNESS: double-free in test_case+"))
        #expect(r.kernelText.contains("\nobject freed twice\n kfree+"))
    }

    @Test func jsonCarriesTheSameFacts() throws {
        let (_, r) = try chainedReport()
        let line = r.jsonLine
        #expect(!line.contains("\n"))
        #expect(try KernelReport.fromJSONLine(line) == r)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["title"] as? String == "KMSAN: uninit-value in test_case")
        #expect(object?["type"] as? String == "report")
    }

    @Test func sinksReceiveEveryReportInOrder() throws {
        let text = TextCollector()
        let memory = InMemoryReportSink()
        let runtime = try KMSANRuntime.boot(
            memorySize: 4 << 20,
            sink: MultiplexReportSink([memory, TextStreamReportSink(format: .jsonLines, write: text.append)]))
        defer { runtime.shutdown() }
        let cpu = runtime.makeCPU()
        cpu.call("first") { runtime.reportHarnessFinding(.misuse, "one", on: cpu) }
        cpu.call("second") { runtime.reportHarnessFinding(.misuse, "two", on: cpu) }
        #expect(memory.reports.map(\.function) == ["first", "second"])
        #expect(text.lines.count == 2)
        #expect(memory.drain().count == 2)
        #expect(memory.reports.isEmpty)
    }
}

/// A thread-safe text accumulator for sink tests.
final class TextCollector: @unchecked Sendable {
    private var storage = ""
    private let lock = NSLock()
    /// Appends text.
    @Sendable func append(_ s: String) { lock.lock(); storage += s; lock.unlock() }
    /// Lines so far.
    var lines: [Substring] { lock.lock(); defer { lock.unlock() }; return storage.split(separator: "\n") }
}
