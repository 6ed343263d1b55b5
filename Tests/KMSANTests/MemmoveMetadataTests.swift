import HarnessTesting
import Testing
@testable import KMSAN
import KernelMemory

/// memcpy/memmove/memset metadata (kmsan-semantics.md, "memcpy / memmove / memset").
@Suite struct MemmoveMetadataTests {
    @Test func copyingPoisonedBytesCopiesShadowAndChainsTheOrigin() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages(gfp: [.kernel, .zero])
        let created = m.origin(src)
        m.run { m.runtime.memcpy(dst, src, count: 8, on: m.cpu) }
        #expect(m.shadow(dst, count: 8) == [UInt8?](repeating: 0xff, count: 8))
        let o = m.origin(dst)
        #expect(o.depth == 1)
        #expect(m.runtime.depot.fetch(o).last == UInt64(created.raw))
        // Consecutive bytes with one source origin share one chain link.
        #expect(m.origin(dst + 4) == o)
    }

    @Test func copyingCleanBytesClearsShadowAndOrigin() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages(gfp: [.kernel, .zero])
        let dst = m.allocPages()
        m.run { m.runtime.memcpy(dst, src, count: 8, on: m.cpu) }
        #expect(m.shadow(dst, count: 8) == [UInt8?](repeating: 0, count: 8))
        #expect(m.origin(dst).isNone)
        #expect(m.origin(dst + 4).isNone)
    }

    /// `__msan_memmove` returns early only for n == 0, and `kmsan_internal_memmove_metadata`
    /// has no dst == src shortcut: in place, each poisoned byte re-reads the origin the byte
    /// before it wrote into their slot and chains it once more (4 links for 4 bytes).
    @Test func anInPlaceMoveChainsEachPoisonedByteAgain() throws {
        let m = try MachineFixture(runner: .kunit)
        let p = m.allocPages()
        let created = m.origin(p)
        m.run { m.runtime.memmove(p, p, count: 4, on: m.cpu) }
        #expect(m.shadow(p, count: 4) == [UInt8?](repeating: 0xff, count: 4))
        #expect(m.origin(p).depth == 4)
        #expect(m.origin(p + 4) == created)
    }

    /// The twin: a zero-length move in place leaves the origin as it was.
    @Test func aZeroLengthInPlaceMoveChainsNothing() throws {
        let m = try MachineFixture(runner: .kunit)
        let p = m.allocPages()
        let created = m.origin(p)
        m.run { m.runtime.memcpy(p, p, count: 0, on: m.cpu) }
        #expect(m.origin(p) == created)
    }

    @Test func cleanBytesIntoAPartlyPoisonedSlotKeepItsOrigin() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages(gfp: [.kernel, .zero])
        let dst = m.allocPages()
        let before = m.origin(dst)
        m.run { m.runtime.memcpy(dst, src, count: 2, on: m.cpu) }
        #expect(m.shadow(dst, count: 4) == [0, 0, 0xff, 0xff])
        #expect(m.origin(dst) == before)
    }

    /// test_memcpy_aligned_to_unaligned: a 4-byte uninit value copied to offset 1 touches two
    /// destination slots; both get an origin, so both halves report.
    @Test func unalignedCopyGivesBothTouchedSlotsAnOrigin() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.runtime.memcpy(dst + 1, src, count: 4, on: m.cpu)
            m.runtime.checkMemory(dst, size: 4, on: m.cpu)
            m.runtime.checkMemory(dst + 4, size: 4, on: m.cpu)
        }
        #expect(!m.origin(dst).isNone)
        #expect(!m.origin(dst + 4).isNone)
        #expect(m.reports.map(\.byteRange) == [ByteRange(first: 1, last: 3, size: 4), ByteRange(first: 0, last: 0, size: 4)])
    }

    @Test func untrackedSourceUnpoisonsTheDestination() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages()
        try m.runtime.memory.setTracked(false, from: m.space.directMapFrame(src)!)
        m.run { m.runtime.memcpy(dst, src, count: 16, on: m.cpu) }
        #expect(m.shadow(dst, count: 16) == [UInt8?](repeating: 0, count: 16))
        #expect(m.origin(dst).isNone)
    }

    @Test func untrackedDestinationIsLeftAlone() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages()
        try m.runtime.memory.setTracked(false, from: m.space.directMapFrame(dst)!)
        m.run { m.runtime.memcpy(dst, src, count: 16, on: m.cpu) }
        #expect(m.runtime.metadata(at: dst) == nil)
        #expect(m.runtime.isEnabled)
    }

    @Test func memmoveBackwardsOverlapKeepsEverySourceByte() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        // Bytes 0..3 poisoned, 4..7 clean; move 8 bytes up by 2.
        m.run {
            m.runtime.poisonMemory(page, size: 4, on: m.cpu)
            m.runtime.memmove(page + 2, page, count: 8, on: m.cpu)
        }
        #expect(m.shadow(page + 2, count: 8) == [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])
    }

    @Test func memsetUnpoisonsWhateverTheFillValue() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run { m.runtime.memset(page, 0xa5, count: 10, on: m.cpu) }
        #expect(try m.space.readBytes(page, count: 10) == [UInt8](repeating: 0xa5, count: 10))
        #expect(m.shadow(page, count: 10) == [UInt8?](repeating: 0, count: 10))
        #expect(m.shadow(page + 10, count: 1) == [0xff])
    }

    @Test func zeroLengthCopiesAndFillsDoNothing() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages(gfp: [.kernel, .zero])
        let dst = m.allocPages()
        let before = m.origin(dst)
        m.run {
            m.runtime.memcpy(dst, src, count: 0, on: m.cpu)
            m.runtime.memset(dst, 0, count: 0, on: m.cpu)
        }
        #expect(m.shadow(dst, count: 1) == [0xff])
        #expect(m.origin(dst) == before)
    }

    @Test func copyMovesTheDataToo() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages(gfp: [.kernel, .zero])
        let dst = m.allocPages(gfp: [.kernel, .zero])
        try m.space.writeBytes([1, 2, 3, 4, 5], at: src)
        m.run { m.runtime.memcpy(dst + 3, src, count: 5, on: m.cpu) }
        #expect(try m.space.readBytes(dst + 3, count: 5) == [1, 2, 3, 4, 5])
    }

    @Test func copyFromUnmappedMemoryIsABadAccessAndCopiesNothing() throws {
        let m = try MachineFixture(runner: .kunit)
        let dst = m.allocPages(gfp: [.kernel, .zero])
        m.run { m.runtime.memcpy(dst, VMALLOC_START, count: 8, on: m.cpu) }
        #expect(m.titles == ["HARNESS: bad-access in test_case"])
        #expect(m.shadow(dst, count: 8) == [UInt8?](repeating: 0, count: 8))
    }

    /// The whole-slot and whole-block fast paths must give exactly what the kernel's byte loop
    /// gives, for any mix of shadow and origins, aligned or not, forwards or backwards. Regions
    /// of 256 bytes are clean, fully poisoned with one of two origins, or random, so every path
    /// runs (neighbouring poisoned regions often share an origin, whatever the block alignment).
    @Test(arguments: 0..<60)
    func fastPathsMatchTheByteLoop(seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(seed))
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(order: 1, gfp: [.kernel, .zero])
        let n = Int(rng.next() % 1500) + 1
        let srcOff = Int(rng.next() % 64), dstOff = Int(rng.next() % 64) + (rng.next() % 2 == 0 ? 0 : 700)
        var origins: [OriginHandle] = []
        m.run {
            for k in 0..<4 {
                m.cpu.setCurrentSite(m.runtime.symbols.site(in: "test_case", file: "t", line: 100 + k))
                origins.append(m.runtime.saveStack(on: m.cpu))
            }
        }
        let pfn = m.space.directMapFrame(page)!
        for frame in [pfn, pfn.advanced(by: 1)] {
            var kinds: [UInt64] = []
            try m.runtime.memory.withShadow(of: frame) { s in
                for region in 0..<(s.count / 256) {
                    let kind = rng.next() % 4
                    kinds.append(kind)
                    for i in (region * 256)..<(region * 256 + 256) {
                        switch kind {
                        case 0: s[i] = 0
                        case 1, 2: s[i] = 0xff
                        default: s[i] = rng.next() % 3 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : 0
                        }
                    }
                }
            }
            try m.runtime.memory.withOrigins(of: frame) { o in
                for i in 0..<o.count {
                    let kind = kinds[i / 64]
                    o[i] = kind == 1 || kind == 2 ? origins[Int(kind) - 1].raw : origins[Int(rng.next() % 4)].raw
                }
            }
        }
        let src = page + srcOff, dst = page + dstOff
        var expected = ReferenceMetadata(m, page, bytes: 2 * PAGE_SIZE)
        m.run { expected.memmove(dst: dstOff, src: srcOff, count: n, runtime: m.runtime, cpu: m.cpu) }
        m.run { m.runtime.memmoveMetadata(dst: dst, src: src, count: n, on: m.cpu) }
        let actual = ReferenceMetadata(m, page, bytes: 2 * PAGE_SIZE)
        #expect(actual.shadow == expected.shadow)
        #expect(actual.origins == expected.origins)
    }
}

/// The kernel's byte loop of `kmsan_internal_memmove_metadata`, over a copy of the metadata.
struct ReferenceMetadata {
    var shadow: [UInt8]
    var origins: [UInt32]

    init(_ m: MachineFixture, _ base: KernelAddress, bytes: Int) {
        shadow = (0..<bytes).map { m.runtime.metadata(at: base + $0)!.shadow }
        origins = stride(from: 0, to: bytes, by: 4).map { m.runtime.metadata(at: base + $0)!.origin.raw }
    }

    mutating func memmove(dst: Int, src: Int, count n: Int, runtime: KMSANRuntime, cpu: KernelCPU) {
        var prevOld: UInt32 = 0, prevNew: UInt32 = 0
        let backwards = dst > src
        for k in 0..<n {
            let i = backwards ? n - 1 - k : k
            let s = src + i, d = dst + i
            if shadow[s] == 0 {
                shadow[d] = 0
                let slot = d / 4
                if shadow[slot * 4..<slot * 4 + 4].allSatisfy({ $0 == 0 }) { origins[slot] = 0 }
                continue
            }
            shadow[d] = shadow[s]
            let old = origins[s / 4]
            let new: UInt32
            if old == prevOld {
                new = prevNew
            } else {
                let chained = runtime.chainOrigin(OriginHandle(raw: old), on: cpu).raw
                new = chained == 0 ? old : chained
            }
            origins[d / 4] = new
            prevOld = old
            prevNew = new
        }
    }
}

/// `kmsan_memmove`: the metadata-only annotation, for code that moves data behind the
/// compiler's back.
@Suite struct MoveMetadataAnnotationTests {
    @Test func movesMetadataButNotData() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages(gfp: [.kernel, .zero])
        try m.space.writeBytes([7, 7, 7, 7], at: src)
        m.run { m.runtime.moveMetadata(to: dst, from: src, count: 4, on: m.cpu) }
        #expect(m.shadow(dst, count: 4) == [0xff, 0xff, 0xff, 0xff])
        #expect(m.origin(dst).depth == 1)
        #expect(try m.space.readBytes(dst, count: 4) == [0, 0, 0, 0])
    }

    @Test func insideTheRuntimeItDoesNothing() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.runtime.enterRuntime(m.cpu)
            m.runtime.moveMetadata(to: dst, from: src, count: 4, on: m.cpu)
            m.runtime.leaveRuntime(m.cpu)
        }
        #expect(m.shadow(dst, count: 4) == [0, 0, 0, 0])
    }
}
