import HarnessTesting
import Testing
@testable import KMSAN
import KernelMemory

/// Origins, the stack depot and chaining (kmsan-semantics.md, "Origins and the stack depot").
@Suite struct OriginChainTests {
    @Test func handleLayoutKeepsRecordAndExtraBitsApart() {
        let h = OriginHandle(record: 41).with(depth: 5, useAfterFree: true)
        #expect(h.record == 41)
        #expect(h.depth == 5)
        #expect(h.isUseAfterFree)
        #expect(h.raw == UInt32(42) | (UInt32((5 << 1) | 1) << 27))
        let plain = OriginHandle(record: 41)
        #expect(plain.depth == 0)
        #expect(!plain.isUseAfterFree)
        #expect(plain != h)
    }

    @Test func noneHasNoRecordAndKeepsNoExtraBits() {
        #expect(OriginHandle.none.record == nil)
        #expect(OriginHandle.none.with(depth: 3, useAfterFree: true) == .none)
    }

    @Test func identicalStacksShareOneRecord() {
        let depot = StackDepot()
        let stack: [UInt64] = (0..<16).map { 0xffff_ffff_8000_0000 | UInt64($0) }
        let a = depot.save(stack)
        let b = depot.save(stack)
        #expect(a == b)
        #expect(depot.count == 1)
        #expect(depot.fetch(a) == stack)
    }

    @Test func differentStacksGetDifferentRecords() {
        let depot = StackDepot()
        let a = depot.save([1, 2, 3])
        let b = depot.save([1, 2, 4])
        let c = depot.save([1, 2])
        #expect(Set([a, b, c]).count == 3)
        #expect(depot.count == 3)
    }

    @Test func depotKeepsAtMost64EntriesAndNoEmptyStacks() {
        let depot = StackDepot()
        let long = (0..<100).map { UInt64($0) + 1 }
        #expect(depot.fetch(depot.save(long)).count == StackDepot.maxEntries)
        #expect(depot.save([]) == .none)
    }

    @Test func depotGrowsBeyondItsInitialTable() {
        let depot = StackDepot()
        let handles = (0..<5000).map { depot.save([UInt64($0) &* 0x9e37_79b9, 7]) }
        #expect(Set(handles).count == 5000)
        #expect(depot.fetch(handles[4321]) == [UInt64(4321) &* 0x9e37_79b9, 7])
    }

    @Test func chainingAddsOneLevelAndInheritsUseAfterFree() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run {
            let freed = m.runtime.saveStack(on: m.cpu, useAfterFree: true)
            let link = m.runtime.chainOrigin(freed, on: m.cpu)
            #expect(link.depth == 1)
            #expect(link.isUseAfterFree)
            let entries = m.runtime.depot.fetch(link)
            #expect(entries.count == 3)
            #expect(entries[0] == StackDepot.chainMagic)
            #expect(entries[2] == UInt64(freed.raw))
            let fresh = m.runtime.saveStack(on: m.cpu)
            #expect(!m.runtime.chainOrigin(fresh, on: m.cpu).isUseAfterFree)
        }
    }

    @Test func chainingStopsAtDepthSeven() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run {
            var o = m.runtime.saveStack(on: m.cpu)
            for expected in 1...7 {
                o = m.runtime.chainOrigin(o, on: m.cpu)
                #expect(o.depth == expected)
            }
            #expect(m.runtime.chainOrigin(o, on: m.cpu) == o)
        }
    }

    @Test func chainingNoOriginGivesNoOrigin() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run { #expect(m.runtime.chainOrigin(.none, on: m.cpu) == .none) }
    }

    @Test func differentCallSitesAreDifferentOrigins() throws {
        let m = try MachineFixture(runner: .kunit)
        var a = OriginHandle.none, b = OriginHandle.none, c = OriginHandle.none
        m.run {
            m.cpu.setCurrentSite(m.runtime.symbols.site(in: "test_case", file: "t", line: 10))
            a = m.runtime.saveStack(on: m.cpu)
            c = m.runtime.saveStack(on: m.cpu)
            m.cpu.setCurrentSite(m.runtime.symbols.site(in: "test_case", file: "t", line: 11))
            b = m.runtime.saveStack(on: m.cpu)
        }
        #expect(a == c)
        #expect(a != b)
    }

    @Test func describeOriginWalksTheChainNewestFirst() throws {
        let m = try MachineFixture(runner: .kunit)
        var blocks: [OriginBlock] = []
        m.run {
            var o = m.runtime.saveStack(on: m.cpu)
            o = m.runtime.chainOrigin(o, on: m.cpu)
            o = m.runtime.chainOrigin(o, on: m.cpu)
            blocks = m.runtime.describeOrigin(o)
        }
        #expect(blocks.map(\.kind) == [.storedAt, .storedAt, .createdAt])
        #expect(blocks.allSatisfy { !$0.truncatedBefore })
        #expect(blocks[0].frames.first?.function == "test_case")
    }

    /// The task's cache of recent stacks must never hand one site the handle of another.
    @Test func alternatingSitesKeepTheirOwnOrigins() throws {
        let m = try MachineFixture(runner: .kunit)
        var seen: [Int: Set<OriginHandle>] = [:]
        m.run {
            for round in 0..<3 {
                for line in 0..<6 {
                    m.cpu.setCurrentSite(m.runtime.symbols.site(in: "test_case", file: "t", line: 100 + line))
                    let h = m.runtime.saveStack(on: m.cpu, useAfterFree: round == 2)
                    seen[line, default: []].insert(h.with(depth: 0, useAfterFree: false))
                    #expect(h.isUseAfterFree == (round == 2))
                }
            }
        }
        #expect(seen.values.allSatisfy { $0.count == 1 })
        #expect(Set(seen.values.map { $0.first! }).count == 6)
        #expect(m.runtime.depot.count >= 6)
    }

    @Test func theCachedHandleIsTheDepotsOwn() throws {
        let m = try MachineFixture(runner: .kunit)
        var cached = OriginHandle.none, direct = OriginHandle.none
        m.run {
            _ = m.runtime.saveStack(on: m.cpu)
            cached = m.runtime.saveStack(on: m.cpu)
            direct = m.runtime.depot.save(m.cpu.current.frames.reversed())
        }
        #expect(cached == direct)
    }
}
