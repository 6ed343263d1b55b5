import KernelMemory

/// The running state of one metadata copy: the last source origin and the chained origin made
/// for it, so consecutive bytes with one source origin share one chain link.
struct ChainCache {
    var previousOld = OriginHandle.none
    var previousNew = OriginHandle.none
}

/// One run of a copy in which both source and destination metadata are contiguous.
private struct CopyPiece {
    var offset: Int
    var count: Int
    var dstShadow: UnsafeMutablePointer<UInt8>?
    var dstOrigin: UnsafeMutablePointer<UInt32>?
    var dstLead: Int
    var srcShadow: UnsafeMutablePointer<UInt8>?
    var srcOrigin: UnsafeMutablePointer<UInt32>?
    var srcLead: Int
}

extension KMSANRuntime {
    /// `kmsan_internal_memmove_metadata()`: copies shadow and origins with memmove semantics
    /// (backwards when `dst > src`).
    ///
    /// Untracked destination: nothing. Untracked source: the destination is unpoisoned. Per
    /// byte: a clean source byte clears the destination shadow byte and clears the destination
    /// origin slot only if that whole slot is now clean; a poisoned byte copies its shadow and
    /// writes the chained origin of its source slot (one chain link per run of equal origins).
    /// When source and destination share their alignment modulo 4, whole slots are processed
    /// at once with the same result.
    package func memmoveMetadata(dst: KernelAddress, src: KernelAddress, count n: Int, on cpu: KernelCPU) {
        guard n > 0, checkContiguous(dst, size: n, on: cpu), checkContiguous(src, size: n, on: cpu) else { return }
        var dstRuns: [(Int, Int, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt32>?, Int)] = []
        var srcRuns: [(Int, Int, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt32>?, Int)] = []
        var pos = 0
        _ = try? addressSpace.forEachSegment(dst, count: n, unmappedAsUntracked: true) { s in
            dstRuns.append((pos, s.count, s.shadow, s.origin, Int(s.address.raw & 3))); pos += s.count
        }
        pos = 0
        _ = try? addressSpace.forEachSegment(src, count: n, unmappedAsUntracked: true) { s in
            srcRuns.append((pos, s.count, s.shadow, s.origin, Int(s.address.raw & 3))); pos += s.count
        }
        // Cut both run lists at every boundary of either.
        var pieces: [CopyPiece] = []
        var di = 0, si = 0, off = 0
        while off < n {
            let d = dstRuns[di], s = srcRuns[si]
            let end = min(d.0 + d.1, s.0 + s.1)
            let dDelta = off - d.0, sDelta = off - s.0
            pieces.append(CopyPiece(
                offset: off, count: end - off,
                dstShadow: d.2.map { $0 + dDelta }, dstOrigin: d.3.map { $0 + ((d.4 + dDelta) >> 2) }, dstLead: (d.4 + dDelta) & 3,
                srcShadow: s.2.map { $0 + sDelta }, srcOrigin: s.3.map { $0 + ((s.4 + sDelta) >> 2) }, srcLead: (s.4 + sDelta) & 3))
            off = end
            if end == d.0 + d.1 { di += 1 }
            if end == s.0 + s.1 { si += 1 }
        }
        let backwards = dst > src
        var cache = ChainCache()
        for piece in (backwards ? pieces.reversed() : pieces) {
            guard piece.dstShadow != nil else { continue }
            guard piece.srcShadow != nil else {
                unpoison(dst + piece.offset, size: piece.count, checked: false, on: cpu)
                continue
            }
            copyPieceMetadata(piece, backwards: backwards, cache: &cache, on: cpu)
        }
    }

    private func copyPieceMetadata(_ p: CopyPiece, backwards: Bool, cache: inout ChainCache, on cpu: KernelCPU) {
        let dS = p.dstShadow!, dO = p.dstOrigin!, sS = p.srcShadow!, sO = p.srcOrigin!
        @inline(__always) func newOrigin(_ old: OriginHandle) -> OriginHandle {
            if old == cache.previousOld { return cache.previousNew }
            let chained = chainOrigin(old, on: cpu)
            let new = chained.isNone ? old : chained
            cache.previousOld = old
            cache.previousNew = new
            return new
        }
        @inline(__always) func byte(_ i: Int) {
            let oSrc = (i + p.srcLead) >> 2, oDst = (i + p.dstLead) >> 2
            if sS[i] == 0 {
                dS[i] = 0
                let word = UnsafeRawPointer(dS - p.dstLead).loadUnaligned(fromByteOffset: oDst << 2, as: UInt32.self)
                if word == 0 { dO[oDst] = 0 }
                return
            }
            dS[i] = sS[i]
            dO[oDst] = newOrigin(OriginHandle(raw: sO[oSrc])).raw
        }
        guard p.srcLead == p.dstLead else {
            if backwards { for i in stride(from: p.count - 1, through: 0, by: -1) { byte(i) } }
            else { for i in 0..<p.count { byte(i) } }
            return
        }
        // Same alignment: partial head slot, whole slots, partial tail slot.
        let head = min(p.count, (4 - p.srcLead) & 3)
        let slots = (p.count - head) >> 2
        let bodyStart = head, bodyEnd = head + slots * 4
        let firstSlot = (head + p.srcLead) >> 2
        func wholeSlots() {
            let srcWords = UnsafeRawPointer(sS + bodyStart)
            let dstOrigins = dO + firstSlot, srcOrigins = sO + firstSlot
            @inline(__always) func slot(_ k: Int) {
                if srcWords.loadUnaligned(fromByteOffset: k << 2, as: UInt32.self) == 0 {
                    dstOrigins[k] = 0
                } else {
                    dstOrigins[k] = newOrigin(OriginHandle(raw: srcOrigins[k])).raw
                }
            }
            if backwards {
                var k = slots - 1
                while k >= 0 { slot(k); k -= 1 }
            } else {
                var k = 0
                while k + 1 < slots {
                    if srcWords.loadUnaligned(fromByteOffset: k << 2, as: UInt64.self) == 0 {
                        dstOrigins[k] = 0; dstOrigins[k + 1] = 0
                    } else {
                        slot(k); slot(k + 1)
                    }
                    k += 2
                }
                if k < slots { slot(k) }
            }
            // Origins first (they read the source shadow), then the shadow itself.
            UnsafeMutableRawPointer(dS + bodyStart).copyMemory(from: srcWords, byteCount: slots * 4)
        }
        if backwards {
            for i in stride(from: p.count - 1, through: bodyEnd, by: -1) { byte(i) }
            wholeSlots()
            for i in stride(from: head - 1, through: 0, by: -1) { byte(i) }
        } else {
            for i in 0..<head { byte(i) }
            wholeSlots()
            for i in bodyEnd..<p.count { byte(i) }
        }
    }
}
