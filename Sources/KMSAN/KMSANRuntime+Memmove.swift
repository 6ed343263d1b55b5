import CMetadataKernels
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
    /// When source and destination share their alignment modulo 4 (and differ), whole slots are
    /// processed at once with the same result. There is no shortcut for `dst == src`. Under
    /// `MemmoveOriginRule.perSlotIndex` (RFC v3) the copy goes to `memmoveMetadataPerSlot` instead (the policy is read once per call).
    package func memmoveMetadata(dst: KernelAddress, src: KernelAddress, count n: Int, on cpu: KernelCPU) {
        guard n > 0 else { return }
        if policy.memmoveOriginRule == .perSlotIndex {
            memmoveMetadataPerSlot(dst: dst, src: src, count: n, on: cpu)
            return
        }
        let backwards = dst > src
        var cache = ChainCache()
        if let d = addressSpace.contiguousRun(dst, count: n), let s = addressSpace.contiguousRun(src, count: n) {
            guard d.shadow != nil else { return }
            guard s.shadow != nil else {
                unpoison(dst, size: n, checked: false, on: cpu)
                return
            }
            let piece = CopyPiece(offset: 0, count: n, dstShadow: d.shadow, dstOrigin: d.origin, dstLead: d.lead,
                                  srcShadow: s.shadow, srcOrigin: s.origin, srcLead: s.lead)
            copyPieceMetadata(piece, backwards: backwards, cache: &cache, on: cpu)
            return
        }
        guard checkContiguous(dst, size: n, on: cpu), checkContiguous(src, size: n, on: cpu) else { return }
        var dstRuns: [(Int, Int, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt32>?, Int)] = []
        var srcRuns: [(Int, Int, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt32>?, Int)] = []
        var pos = 0
        // A range that wraps past the top of the address space has no metadata at all
        // (kmsan_get_metadata finds none): nothing to move.
        do throws(MemoryFault) {
            try addressSpace.forEachSegment(dst, count: n, unmappedAsUntracked: true) { s in
                dstRuns.append((pos, s.count, s.shadow, s.origin, Int(s.address.raw & 3))); pos += s.count
            }
            pos = 0
            try addressSpace.forEachSegment(src, count: n, unmappedAsUntracked: true) { s in
                srcRuns.append((pos, s.count, s.shadow, s.origin, Int(s.address.raw & 3))); pos += s.count
            }
        } catch {
            return
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
        // In place (dst == src), each byte re-reads the origin the byte before it just wrote in
        // its slot and chains it again, as the kernel's loop does: only the byte loop does that.
        guard p.srcLead == p.dstLead, p.srcShadow != p.dstShadow else {
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
            let dstWords = UnsafeMutableRawPointer(dS + bodyStart)
            let dstOrigins = dO + firstSlot, srcOrigins = sO + firstSlot
            // Without overlap, each block's shadow is copied while it is scanned (one pass over
            // the source shadow); with overlap, the shadow moves after all origins are done.
            let disjoint = abs(dstWords - UnsafeMutableRawPointer(mutating: srcWords)) >= slots * 4
            // The shadow of each whole slot as one 4-byte word (slot boundaries are 4-aligned).
            let srcSlots = srcWords.assumingMemoryBound(to: UInt32.self)
            let dstSlots = dstWords.assumingMemoryBound(to: UInt32.self)
            @inline(__always) func slot(_ k: Int) {
                if srcWords.loadUnaligned(fromByteOffset: k << 2, as: UInt32.self) == 0 {
                    dstOrigins[k] = 0
                } else {
                    dstOrigins[k] = newOrigin(OriginHandle(raw: srcOrigins[k])).raw
                }
            }
            // Blocks of 64 slots. The vectorized loop finishes clean blocks and uniformly
            // poisoned ones; a mixed block comes back here and goes slot by slot, in the
            // kernel's order.
            let blockSlots = Int(KH_BLOCK_SLOTS)
            @inline(__always) func block(_ b: Int) {
                if backwards {
                    for k in stride(from: b + blockSlots - 1, through: b, by: -1) { slot(k) }
                } else {
                    for k in b..<(b + blockSlots) { slot(k) }
                }
                if disjoint { (dstSlots + b).update(from: srcSlots + b, count: blockSlots) }
            }
            // Whole blocks go to the vectorized loop, which stops at each block it cannot
            // finish with the current chain cache; such a block is chained here (uniform) or
            // done slot by slot, and the loop resumes after it.
            let blocks = slots / blockSlots, tail = blocks * blockSlots
            func runBlocks() {
                var lo = 0, hi = blocks
                while lo < hi {
                    let r = kh_copy_slot_blocks(
                        dstSlots, srcSlots, dstOrigins, srcOrigins, lo, hi, backwards ? 1 : 0, disjoint ? 1 : 0,
                        cache.previousOld.raw, cache.previousNew.raw)
                    let b = r.stopped_at
                    if b >= hi * blockSlots { return }  // every block done
                    if r.uniform_origin != 0 {
                        kh_fill_origins(dstOrigins + b, blockSlots, newOrigin(OriginHandle(raw: r.uniform_origin)).raw)
                        if disjoint { (dstSlots + b).update(from: srcSlots + b, count: blockSlots) }
                    } else {
                        block(b)
                    }
                    if backwards { hi = b / blockSlots } else { lo = b / blockSlots + 1 }
                }
            }
            if backwards {
                for k in stride(from: slots - 1, through: tail, by: -1) { slot(k) }
                runBlocks()
            } else {
                runBlocks()
                for k in tail..<slots { slot(k) }
            }
            // Origins first (they read the source shadow), then the shadow not copied yet.
            if disjoint {
                (dstWords + tail * 4).copyMemory(from: srcWords + tail * 4, byteCount: (slots - tail) * 4)
            } else {
                dstWords.copyMemory(from: srcWords, byteCount: slots * 4)
            }
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
