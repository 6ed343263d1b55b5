import HarnessTesting
import Testing
@testable import KMSAN
import KernelMemory

/// KMSAN_WARN_ON: an internal inconsistency disables KMSAN with a warning; with kmsan.panic
/// it is fatal (kmsan-semantics.md, "Runtime warnings").
@Suite struct RuntimeWarningTests {
    /// Frames 1023 and 1024 are in different sections, whose metadata is not contiguous.
    func straddlingRange(_ m: MachineFixture) -> KernelAddress {
        m.space.directMapAddress(of: PageFrameNumber(PhysicalMemory.framesPerSection)) - 8
    }

    @Test func accessAcrossNonContiguousMetadataDisablesKMSAN() throws {
        let m = try MachineFixture(runner: .kunit)
        let a = straddlingRange(m)
        m.run { m.runtime.checkMemory(a, size: 16, on: m.cpu) }
        #expect(!m.runtime.isEnabled)
        #expect(!m.runtime.isHalted)
        #expect(m.reports.map(\.tool) == [.warning])
        #expect(m.reports[0].kernelText.contains("attempting to access two shadow page ranges"))
        #expect(m.reports[0].kernelText.hasPrefix("------------[ cut here ]------------\nWARNING: CPU: 0 PID: 1 at "))
    }

    @Test func accessWithinOneSectionIsFine() throws {
        let m = try MachineFixture(runner: .kunit)
        let a = m.space.directMapAddress(of: PageFrameNumber(PhysicalMemory.framesPerSection)) + 8
        m.run { m.runtime.checkMemory(a, size: 2 * PAGE_SIZE, on: m.cpu) }
        #expect(m.runtime.isEnabled)
        #expect(m.reports.allSatisfy { $0.tool == .kmsan })
    }

    @Test func afterAWarningNothingIsReported() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.runtime.checkMemory(straddlingRange(m), size: 16, on: m.cpu)
            m.use(.bits32, at: page)
        }
        #expect(m.reports.count == 1)
    }

    @Test func warningWithPanicHaltsTheMachine() throws {
        var options = KMSANOptions()
        options.panicOnReport = true
        let m = try MachineFixture(options: options, runner: .kunit)
        m.run { m.runtime.checkMemory(straddlingRange(m), size: 16, on: m.cpu) }
        #expect(m.runtime.isHalted)
        #expect(m.reports.first?.panicked == true)
    }

    @Test func checkedMetadataOnUntrackedMemoryWarns() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        try m.runtime.memory.setTracked(false, from: m.space.directMapFrame(page)!)
        m.run { m.runtime.slabAlloc(SlabCacheDescriptor(objectSize: 32), object: page, gfp: .kernel, on: m.cpu) }
        #expect(m.reports.map(\.tool) == [.warning])
        #expect(!m.runtime.isEnabled)
    }

    @Test func uncheckedMetadataOnUntrackedMemoryIsSilent() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        try m.runtime.memory.setTracked(false, from: m.space.directMapFrame(page)!)
        m.run { m.runtime.poisonMemory(page, size: 32, on: m.cpu) }
        #expect(m.reports.isEmpty)
        #expect(m.runtime.isEnabled)
    }

    /// mm/kmsan/hooks.c `kmsan_enable_current`: `KMSAN_WARN_ON(depth == 0)`, then `depth--`
    /// anyway; the next `kmsan_disable_current` brings it back to 0.
    @Test func enableCurrentUnderflowWarnsAndDecrementsAnyway() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run { m.runtime.enableCurrent(on: m.cpu) }
        #expect(m.reports.map(\.tool) == [.warning])
        #expect(m.cpu.current.kmsan.depth == -1)
        #expect(!m.runtime.isEnabled)
        m.run { m.runtime.disableCurrent(on: m.cpu) }
        #expect(m.cpu.current.kmsan.depth == 0)
        #expect(m.reports.count == 1)
    }

    @Test func balancedEnableAndDisableDoNotWarn() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run {
            m.runtime.disableCurrent(on: m.cpu)
            m.runtime.enableCurrent(on: m.cpu)
        }
        #expect(m.reports.isEmpty)
        #expect(m.runtime.isEnabled)
    }

    @Test func nestedRuntimeEntryWarns() throws {
        let m = try MachineFixture(runner: .kunit)
        m.runtime.enterRuntime(m.cpu)
        m.runtime.enterRuntime(m.cpu)
        #expect(m.reports.map(\.tool) == [.warning])
    }
}
