import HarnessCore
import HarnessTesting
import KMSAN
import KernelMemory
import Testing
@testable import VmallocPlugin

/// kasan_release_vmalloc's two behaviours (mm/kasan/shadow.c): Linux 5.5-6.8 passes the merged
/// free region, so an edge shadow page goes once its neighbours are free; 6.9+ passes the area
/// itself, so partial edge pages stay.
@Suite struct ShadowReleaseTests {
    /// Three one-page areas (two pages each with the guard: 24 KiB, inside one 32 KiB shadow
    /// page), all freed and purged; the shadow pages left installed.
    static func shadowLeftAfterFreeingThree(release: String) throws -> (before: Int, after: Int) {
        try withVmalloc(release: release) { m, v in
            var before = 0
            m.run("test_fn") {
                let areas = (0..<3).compactMap { _ in v.vmalloc(100, on: m.cpu) }
                before = v.shadowPageCount
                for a in areas { v.vfree(a, on: m.cpu) }
                v.vmUnmapAliases(on: m.cpu)
            }
            #expect(v.invariantViolations().isEmpty)
            return (before, v.shadowPageCount)
        }
    }

    @Test func theMergedReleaseFreesTheSharedPageOnceEveryNeighbourIsFree() throws {
        let (before, after) = try Self.shadowLeftAfterFreeingThree(release: "merged")
        #expect(before == 1)
        #expect(after == 0)
    }

    @Test func theAreaReleaseKeepsAPartialEdgePage() throws {
        let (before, after) = try Self.shadowLeftAfterFreeingThree(release: "area")
        #expect(before == 1)
        #expect(after == 1)
    }

    @Test func aPageFullyInsideAFreedAreaGoesUnderBothBehaviours() throws {
        for release in ["merged", "area"] {
            try withVmalloc(release: release) { m, v in
                m.run("test_fn") {
                    // 96 KiB plus the guard page: the shadow pages fully inside go at the purge.
                    guard let a = v.vmalloc(96 << 10, on: m.cpu) else { return }
                    #expect(v.shadowPageCount == 4)
                    v.vfree(a, on: m.cpu)
                    v.vmUnmapAliases(on: m.cpu)
                }
                #expect(v.shadowPageCount <= 1, "\(release)")
                #expect(v.invariantViolations().isEmpty)
            }
        }
    }

    @Test func aLiveNeighbourKeepsTheSharedPageUnderBothBehaviours() throws {
        for release in ["merged", "area"] {
            try withVmalloc(release: release) { m, v in
                m.run("test_fn") {
                    guard let a = v.vmalloc(100, on: m.cpu), let b = v.vmalloc(100, on: m.cpu) else { return }
                    v.vfree(a, on: m.cpu)
                    v.vmUnmapAliases(on: m.cpu)
                    #expect(v.shadowPageCount == 1)
                    // b's bytes are still accessible and its overrun still reported.
                    m.runtime.store(.initialized(1, width: .bits8), to: b + 99, on: m.cpu)
                    v.checkAccess(b + 99, size: 1, .write, on: m.cpu)
                    v.checkAccess(b + 100, size: 1, .write, on: m.cpu)
                }
                #expect(m.titles == ["KASAN: vmalloc-out-of-bounds in test_fn"])
                #expect(v.invariantViolations().isEmpty)
            }
        }
    }

    @Test func theLazyPurgeRunsOnItsOwnPastLazyMaxPages() throws {
        try withVmalloc { m, v in
            m.run("test_fn") {
                // 64 KiB areas: 17 pages each with the guard, past 8192 lazy pages after 482 frees.
                for _ in 0..<490 {
                    guard let a = v.vmalloc(64 << 10, on: m.cpu) else { return }
                    v.vfree(a, on: m.cpu)
                }
            }
            #expect(v.lazyPageCount < VmallocAllocator.lazyMaxPages)
            #expect(v.lazyPageCount > 0)
            #expect(v.invariantViolations().isEmpty)
        }
    }
}
