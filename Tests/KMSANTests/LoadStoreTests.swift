import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// Instrumented loads, stores, uses, stack locals and eager argument checks.
@Suite struct LoadStoreTests {
    @Test func loadCarriesShadowAndTheSlotOrigin() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run { m.runtime.poisonMemory(page + 1, size: 1, on: m.cpu) }
        let v = m.runtime.load(.bits32, from: page, on: m.cpu)
        #expect(v.shadow == 0xff00)
        #expect(v.origin == m.origin(page))
        #expect(m.runtime.load(.bits32, from: page + 4, on: m.cpu).isInitialized)
    }

    @Test func storeOfAnInitializedValueLeavesOriginsAlone() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        let before = m.origin(page)
        m.run { m.runtime.store(.initialized(0x1234, width: .bits16), to: page, on: m.cpu) }
        #expect(m.shadow(page, count: 4) == [0, 0, 0xff, 0xff])
        #expect(m.origin(page) == before)
        #expect(try m.space.readBytes(page, count: 2) == [0x34, 0x12])
    }

    @Test func storeOfAnUninitializedValueChainsItsOrigin() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            let v = m.runtime.load(.bits32, from: src, on: m.cpu)
            m.cpu.call("helper") { m.runtime.store(v, to: dst, on: m.cpu) }
            m.use(.bits16, at: dst + 2)
        }
        #expect(m.origin(dst).depth == 1)
        let r = try #require(m.reports.first)
        #expect(r.origin.map(\.kind) == [.storedAt, .createdAt])
        #expect(r.origin[0].frames.first?.function == "helper")
        #expect(r.origin[1].frames.first?.function == "__alloc_frozen_pages_noprof")
    }

    /// LLVM's `paintOrigin` (MemorySanitizer.cpp) stores ceil(size / 4) origins from the slot of
    /// `address & ~3`: a 4-byte store at offset 2 paints slot 0 only, and bytes 4-5 get the
    /// shadow but keep their slot's old origin.
    @Test func anUnalignedStorePaintsTheSlotsFromTheAlignedDownAddress() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            let v = m.runtime.load(.bits32, from: src, on: m.cpu)
            m.runtime.store(v, to: dst + 2, on: m.cpu)
        }
        #expect(m.origin(dst).depth == 1)
        #expect(m.shadow(dst + 4, count: 2) == [0xff, 0xff])
        #expect(m.origin(dst + 4) == .none)
    }

    /// The twin: an aligned 8-byte store paints both of its slots.
    @Test func anAlignedStorePaintsEverySlotItCovers() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages(gfp: [.kernel, .zero])
        m.run { m.runtime.store(m.runtime.load(.bits64, from: src, on: m.cpu), to: dst + 8, on: m.cpu) }
        #expect(m.origin(dst + 8).depth == 1)
        #expect(m.origin(dst + 12) == m.origin(dst + 8))
        #expect(m.origin(dst + 16) == .none)
    }

    /// An 8-byte store at offset 2 touches three slots and paints two (0 and 1); across a
    /// page boundary the slow path paints the same two.
    @Test(arguments: [2, PAGE_SIZE - 6])
    func anUnalignedEightByteStorePaintsTwoOfItsThreeSlots(offset: Int) throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages(order: 1, gfp: [.kernel, .zero])
        m.run { m.runtime.store(m.runtime.load(.bits64, from: src, on: m.cpu), to: dst + offset, on: m.cpu) }
        let slot0 = (dst + offset).alignedDown(to: 4)
        #expect(m.origin(slot0).depth == 1)
        #expect(m.origin(slot0 + 4) == m.origin(slot0))
        #expect(m.shadow(slot0 + 8, count: 2) == [0xff, 0xff])
        #expect(m.origin(slot0 + 8) == .none)
    }

    @Test func loadFromUnmappedMemoryIsABadAccessAndReadsZero() throws {
        let m = try MachineFixture(runner: .kunit)
        var v = ShadowedValue.initialized(1)
        m.run { v = m.runtime.load(.bits64, from: KernelAddress(0xdead_0000), on: m.cpu) }
        #expect(v == .initialized(0, width: .bits64))
        #expect(m.titles == ["HARNESS: bad-access in test_case"])
        #expect(m.reports.first?.accessAddress == 0xdead_0000)
    }

    @Test func storeToUnmappedMemoryIsABadAccess() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run { m.runtime.store(.initialized(1), to: PAGE_OFFSET + m.runtime.memory.size, on: m.cpu) }
        #expect(m.titles == ["HARNESS: bad-access in test_case"])
    }

    @Test func loadsAcrossAPageBoundaryWork() throws {
        let m = try MachineFixture(runner: .kunit)
        let pages = m.allocPages(order: 1, gfp: [.kernel, .zero])
        m.run { m.runtime.store(.initialized(0x1122_3344_5566_7788), to: pages + PAGE_SIZE - 3, on: m.cpu) }
        #expect(m.runtime.load(.bits64, from: pages + PAGE_SIZE - 3, on: m.cpu) == .initialized(0x1122_3344_5566_7788))
    }

    @Test func uninitializedLocalReportsWithItsName() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run {
            let x = m.runtime.local(size: 4, name: "uninit", on: m.cpu)
            m.use(.bits32, at: x)
        }
        let r = try #require(m.reports.first)
        #expect(r.title == "KMSAN: uninit-value in test_case")
        #expect(r.origin.count == 1)
        #expect(r.origin[0].kind == .localVariable)
        #expect(r.origin[0].variable == "uninit")
        #expect(r.origin[0].frames.map(\.function) == ["test_case", "kunit_try_run_case"])
    }

    @Test func initializedLocalDoesNotReport() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run {
            let x = m.runtime.local(size: 4, name: "init", on: m.cpu)
            m.runtime.store(.initialized(1, width: .bits32), to: x, on: m.cpu)
            m.use(.bits32, at: x)
        }
        #expect(m.reports.isEmpty)
    }

    @Test func localsAreFreedWhenTheirFrameReturns() throws {
        let m = try MachineFixture(runner: .kunit)
        var first = KernelAddress.null, second = KernelAddress.null
        m.run {
            m.cpu.call("f") { first = m.runtime.local(size: 64, name: "a", on: m.cpu) }
            m.cpu.call("g") { second = m.runtime.local(size: 64, name: "b", on: m.cpu) }
        }
        #expect(first == second)
        #expect(m.cpu.current.stackUsed == 0)
    }

    @Test func stackOverflowIsAHarnessFinding() throws {
        let m = try MachineFixture(runner: .kunit)
        var address = KernelAddress(1)
        m.run { address = m.runtime.local(size: KernelTask.stackSize + 1, name: "huge", on: m.cpu) }
        #expect(address == .null)
        #expect(m.titles == ["HARNESS: misuse in test_case"])
    }

    /// test_params: eager checks report in the caller.
    @Test func eagerChecksReportInTheCaller() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run {
            let args = m.runtime.passArguments([m.runtime.load(.bits32, from: page, on: m.cpu), .initialized(1)], on: m.cpu)
            m.cpu.call("two_param_fn") { m.runtime.branch(on: args[0], on: m.cpu) }
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_case"])
    }

    @Test func withoutEagerChecksTheCalleeReports() throws {
        var options = KMSANOptions()
        options.eagerChecks = false
        let m = try MachineFixture(options: options, runner: .kunit)
        let page = m.allocPages()
        m.run {
            let args = m.runtime.passArguments([m.runtime.load(.bits32, from: page, on: m.cpu), .initialized(1)], on: m.cpu)
            m.cpu.call("two_param_fn") { m.runtime.branch(on: args[0], on: m.cpu) }
        }
        #expect(m.titles == ["KMSAN: uninit-value in two_param_fn"])
    }

    @Test func eagerReturnValueCheckReportsInTheCallee() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        var returned = ShadowedValue.initialized(0)
        m.run {
            returned = m.cpu.call("get_value") {
                m.runtime.returnValue(m.runtime.load(.bits32, from: page, on: m.cpu), on: m.cpu)
            }
        }
        #expect(m.titles == ["KMSAN: uninit-value in get_value"])
        #expect(returned.isInitialized)
    }

    @Test func initializedArgumentsPassSilently() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run { _ = m.runtime.passArguments([.initialized(1), .initialized(2)], on: m.cpu) }
        #expect(m.reports.isEmpty)
    }
}
