import KernelMemory

/// The metadata of one range as pieces with contiguous shadow and origins: a single piece for a
/// direct-map range inside one section, one piece per page (or unmapped stretch) otherwise.
/// Offsets count from the range's first byte.
private struct MetadataPieces {
    /// One piece: `count` bytes from offset `pos`; `lead` is its first byte's address modulo 4.
    struct Piece {
        var pos: Int
        var count: Int
        var shadow: UnsafeMutablePointer<UInt8>?
        var origin: UnsafeMutablePointer<UInt32>?
        var lead: Int
    }

    /// The pieces, in address order.
    var pieces: [Piece] = []

    /// The pieces of `[address, address + count)`.
    init(_ space: AddressSpace, _ address: KernelAddress, count: Int) {
        if let run = space.contiguousRun(address, count: count) {
            pieces = [Piece(pos: 0, count: count, shadow: run.shadow, origin: run.origin, lead: run.lead)]
            return
        }
        var pos = 0
        _ = try? space.forEachSegment(address, count: count, unmappedAsUntracked: true) { seg in
            pieces.append(Piece(pos: pos, count: seg.count, shadow: seg.shadow, origin: seg.origin,
                                lead: Int(seg.address.raw & 3)))
            pos += seg.count
        }
    }

    /// Whether the first byte has metadata: all the seed's `kmsan_get_metadata(addr, n)` looks at.
    var firstIsTracked: Bool { pieces.first?.shadow != nil }

    /// The piece holding byte `pos` and `pos`'s offset in it.
    private func locate(_ pos: Int) -> (Piece, Int) {
        var lo = 0, hi = pieces.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) >> 1
            if pieces[mid].pos <= pos { lo = mid } else { hi = mid - 1 }
        }
        return (pieces[lo], pos - pieces[lo].pos)
    }

    /// The shadow byte of byte `pos`, or nil where untracked.
    func shadow(at pos: Int) -> UnsafeMutablePointer<UInt8>? {
        let (p, k) = locate(pos)
        return p.shadow.map { $0 + k }
    }

    /// Slot `i` counted from the range's first byte rounded down to 4 (`lead` is that byte's
    /// address modulo 4): its 4 shadow bytes as one little-endian word (0 where untracked) and
    /// its origin slot (nil where untracked). A slot never crosses a page, so its bytes before
    /// or after the range are read from the same shadow page.
    func slot(_ i: Int, lead: Int) -> (shadow: UInt32, origin: UnsafeMutablePointer<UInt32>?) {
        let (p, k) = locate(max(0, (i << 2) - lead))
        guard let s = p.shadow, let o = p.origin else { return (0, nil) }
        let inSlot = (p.lead + k) & 3
        let word = UnsafeRawPointer(s + k - inSlot).loadUnaligned(as: UInt32.self)
        return (word, o + ((p.lead + k) >> 2))
    }
}

extension KMSANRuntime {
    /// The RFC v3 metadata copy (`kmsan_memcpy_memmove_metadata()` of the seed), used under
    /// `MemmoveOriginRule.perSlotIndex`. Mainline replaced it with the per-byte rule of
    /// `kmsan_internal_memmove_metadata()` (the fix covered by test_memcpy_initialized_gap).
    ///
    /// 1. Untracked destination: nothing. Untracked source: the destination shadow is zeroed
    ///    and its origins are left as they are.
    /// 2. The shadow is copied byte for byte with memmove semantics.
    /// 3. Origins go slot by slot, `min(src_slots, dst_slots)` of them, backwards when
    ///    `dst > src`: source slot *i* (from `src` rounded down to 4) feeds destination slot *i*
    ///    (from `dst` rounded down), whatever the two alignments. The source slot's shadow word
    ///    is read after step 2 (so an overlapping copy sees moved shadow) and masked as the seed
    ///    masks it: for slot 0, `(w << 8*(src%4)) >> 8*(src%4)`; for the last source slot,
    ///    `(w >> 8*((src+n)%4)) << 8*((src+n)%4)`. On a little-endian machine these shifts clear
    ///    the slot's high (last) bytes and low (first) bytes respectively, which is what the seed
    ///    did on x86 (later versions swapped them).
    /// 4. A nonzero masked word with a nonzero source origin different from the last one chained
    ///    makes a new chain link (or keeps the origin if chaining gives 0); the destination slot
    ///    then gets the latest chained origin. A zero masked word writes origin 0 into the
    ///    destination slot, even if the destination slot still holds poisoned bytes the copy
    ///    did not touch: those bytes are no longer reported.
    func memmoveMetadataPerSlot(dst: KernelAddress, src: KernelAddress, count n: Int, on cpu: KernelCPU) {
        let twoRuns = addressSpace.contiguousRun(dst, count: n) != nil && addressSpace.contiguousRun(src, count: n) != nil
        if !twoRuns {
            guard checkContiguous(dst, size: n, on: cpu), checkContiguous(src, size: n, on: cpu) else { return }
        }
        let d = MetadataPieces(addressSpace, dst, count: n)
        let s = MetadataPieces(addressSpace, src, count: n)
        guard d.firstIsTracked else { return }
        guard s.firstIsTracked else {
            for p in d.pieces { p.shadow?.update(repeating: 0, count: p.count) }
            return
        }
        copyShadow(to: d, from: s, count: n)

        let srcLead = Int(src.raw & 3), dstLead = Int(dst.raw & 3)
        let srcSlots = (srcLead + n + 3) >> 2, dstSlots = (dstLead + n + 3) >> 2
        let steps = min(srcSlots, dstSlots)
        let backwards = dst > src
        let headBits = UInt32(srcLead * 8), tailBits = UInt32(((srcLead + n) & 3) * 8)
        var oldOrigin: UInt32 = 0, newOrigin: UInt32 = 0
        var i = backwards ? steps - 1 : 0
        for _ in 0..<steps {
            let (word, srcOrigin) = s.slot(i, lead: srcLead)
            var shadow = word
            if i == 0 { shadow = (shadow << headBits) >> headBits }
            if i == srcSlots - 1 { shadow = (shadow >> tailBits) << tailBits }
            let origin = srcOrigin?.pointee ?? 0
            if origin != 0, origin != oldOrigin, shadow != 0 {
                oldOrigin = origin
                let chained = chainOrigin(OriginHandle(raw: origin), on: cpu)
                newOrigin = chained.isNone ? origin : chained.raw
            }
            d.slot(i, lead: dstLead).origin?.pointee = shadow != 0 ? newOrigin : 0
            i += backwards ? -1 : 1
        }
    }

    /// Copies `n` shadow bytes with memmove semantics; untracked source bytes read as 0 and
    /// untracked destination bytes are skipped.
    private func copyShadow(to d: MetadataPieces, from s: MetadataPieces, count n: Int) {
        if d.pieces.count == 1, s.pieces.count == 1, let ds = d.pieces[0].shadow, let ss = s.pieces[0].shadow {
            UnsafeMutableRawPointer(ds).copyMemory(from: ss, byteCount: n)
            return
        }
        // Several pieces: snapshot the source first, which is what memmove guarantees.
        let bytes = (0..<n).map { s.shadow(at: $0)?.pointee ?? 0 }
        for p in d.pieces {
            guard let shadow = p.shadow else { continue }
            for k in 0..<p.count { shadow[k] = bytes[p.pos + k] }
        }
    }
}
