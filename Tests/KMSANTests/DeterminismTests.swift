import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// The same program gives the same handles and the same text on any machine.
@Suite struct DeterminismTests {
    func program() throws -> (texts: [String], handles: [UInt32?]) {
        let m = try MachineFixture(runner: .kunit)
        m.run {
            let page = m.allocPages()
            let x = m.runtime.local(size: 8, name: "x", on: m.cpu)
            m.runtime.memcpy(x, page, count: 8, on: m.cpu)
            m.runtime.checkMemory(x, size: 8, on: m.cpu)
            m.use(.bits32, at: page)
        }
        return (m.reports.map(\.kernelText), m.reports.map(\.originHandle))
    }

    @Test func twoRunsPrintTheSameReports() throws {
        let a = try program(), b = try program()
        #expect(a.texts.count == 2)
        #expect(a.texts == b.texts)
        #expect(a.handles == b.handles)
    }

    @Test func aDifferentProgramPrintsSomethingElse() throws {
        let a = try program()
        let m = try MachineFixture(runner: .kunit)
        m.run {
            let page = m.allocPages()
            m.use(.bits32, at: page)
        }
        #expect(m.reports.map(\.kernelText) != a.texts)
    }

    @Test func frameOffsetsAreStableAndInsideTheFunction() {
        let s1 = SymbolTable(), s2 = SymbolTable()
        _ = s2.site(in: "unrelated", file: "x", line: 1)
        let a = s1.symbolize(s1.site(in: "kmalloc", file: "mm/slub.c", line: 10).address)
        let b = s2.symbolize(s2.site(in: "kmalloc", file: "mm/slub.c", line: 10).address)
        #expect(a.symbol == b.symbol)
        #expect(a.offset > 0 && a.offset < a.size)
    }

    @Test func namesAreMadeCIdentifiers() {
        let s = SymbolTable()
        #expect(s.symbolize(s.site(in: "foo.bar(x:)").address).function == "foo_bar_x__")
    }
}
