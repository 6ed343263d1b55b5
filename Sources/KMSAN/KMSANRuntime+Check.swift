import KernelMemory

extension KMSANRuntime {
    /// `kmsan_internal_check_memory()`: one report per maximal run of poisoned bytes that
    /// share one origin value. Untracked and unmapped pages count as initialized, runs with
    /// origin 0 are skipped, offsets count from `address` and the size printed is `size`.
    package func checkRange(
        _ address: KernelAddress, size: Int, userAddress: KernelAddress?, reason: KMSANReportReason, on cpu: KernelCPU
    ) {
        guard size > 0, checkContiguous(address, size: size, on: cpu) else { return }
        var runs: [(origin: OriginHandle, first: Int, last: Int)] = []
        var current = OriginHandle.none
        var start = -1
        var pos = 0
        func close(at last: Int) {
            if !current.isNone { runs.append((current, start, last)) }
            current = .none
            start = -1
        }
        _ = try? addressSpace.forEachSegment(address, count: size, unmappedAsUntracked: true) { seg in
            defer { pos += seg.count }
            guard let shadow = seg.shadow else {
                close(at: pos - 1)
                return
            }
            var i = 0
            while i < seg.count {
                // Skip clean bytes eight at a time.
                if current.isNone, i & 7 == 0, i + 8 <= seg.count,
                   UnsafeRawPointer(shadow + i).loadUnaligned(as: UInt64.self) == 0 {
                    i += 8
                    continue
                }
                if shadow[i] == 0 {
                    close(at: pos + i - 1)
                } else {
                    let o = OriginHandle(raw: seg.originSlot(ofByte: i).pointee)
                    if o != current {
                        close(at: pos + i - 1)
                        current = o
                        start = pos + i
                    }
                }
                i += 1
            }
        }
        close(at: size - 1)
        for r in runs {
            report(origin: r.origin, address: address, size: size, firstOffset: r.first, lastOffset: r.last,
                   userAddress: userAddress, reason: reason, on: cpu)
        }
    }
}
