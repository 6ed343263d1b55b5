import KernelMemory

/// Finds the maximal runs of poisoned bytes that share one origin, across the contiguous pieces
/// of a checked range (the loop of `kmsan_internal_check_memory()`).
struct OriginRunScanner {
    /// Runs found so far: origin and first/last offsets from the start of the checked range.
    private(set) var runs: [(origin: OriginHandle, first: Int, last: Int)] = []
    private var current = OriginHandle.none
    private var start = -1
    /// Bytes scanned so far.
    private(set) var position = 0

    /// Ends the open run (if any) at offset `last`.
    mutating func close(at last: Int) {
        if !current.isNone { runs.append((current, start, last)) }
        current = .none
        start = -1
    }

    /// An untracked or unmapped piece: it counts as initialized.
    mutating func skip(_ count: Int) {
        close(at: position - 1)
        position += count
    }

    /// Scans `count` bytes whose shadow starts at `shadow`; `lead` is the first byte's offset
    /// within the origin slot at `slots`.
    mutating func scan(shadow: UnsafeMutablePointer<UInt8>, slots: UnsafeMutablePointer<UInt32>, lead: Int, count: Int) {
        var i = 0
        while i < count {
            // Clean bytes with no open run: skip them eight at a time.
            if current.isNone, i + 8 <= count, UnsafeRawPointer(shadow + i).loadUnaligned(as: UInt64.self) == 0 {
                i += 8
                continue
            }
            if shadow[i] == 0 {
                close(at: position + i - 1)
            } else {
                let o = OriginHandle(raw: slots[(lead + i) >> 2])
                if o != current {
                    close(at: position + i - 1)
                    current = o
                    start = position + i
                }
            }
            i += 1
        }
        position += count
    }
}

extension KMSANRuntime {
    /// `kmsan_internal_check_memory()`: one report per maximal run of poisoned bytes that
    /// share one origin value. Untracked and unmapped pages count as initialized, runs with
    /// origin 0 are skipped, offsets count from `address` and the size printed is `size`.
    package func checkRange(
        _ address: KernelAddress, size: Int, userAddress: KernelAddress?, reason: KMSANReportReason, on cpu: KernelCPU
    ) {
        guard size > 0 else { return }
        var scanner = OriginRunScanner()
        if let run = addressSpace.contiguousRun(address, count: size) {
            guard let shadow = run.shadow, let slots = run.origin else { return }
            scanner.scan(shadow: shadow, slots: slots, lead: run.lead, count: size)
        } else {
            guard checkContiguous(address, size: size, on: cpu) else { return }
            _ = try? addressSpace.forEachSegment(address, count: size, unmappedAsUntracked: true) { seg in
                if let shadow = seg.shadow, let slots = seg.origin {
                    scanner.scan(shadow: shadow, slots: slots, lead: Int(seg.address.raw & 3), count: seg.count)
                } else {
                    scanner.skip(seg.count)
                }
            }
        }
        scanner.close(at: size - 1)
        for r in scanner.runs {
            report(origin: r.origin, address: address, size: size, firstOffset: r.first, lastOffset: r.last,
                   userAddress: userAddress, reason: reason, on: cpu)
        }
    }
}
