#if canImport(Glibc)
import Glibc
#endif
extension KMSANRuntime {
    /// `kmsan_save_stack_with_flags()`: saves the current stack of `cpu` (innermost first,
    /// at most 64 frames) and returns its handle with the given extra bits.
    package func saveStack(on cpu: KernelCPU, useAfterFree: Bool = false) -> OriginHandle {
        let task = cpu.current
        let handle = task.withFrames { frames -> OriginHandle in
            for entry in task.savedStacks where entry.frames.count == frames.count {
                let same = entry.frames.withUnsafeBufferPointer { saved in
                    frames.isEmpty || memcmp(frames.baseAddress!, saved.baseAddress!, frames.count * MemoryLayout<UInt64>.stride) == 0
                }
                if same { return entry.handle }
            }
            let n = min(frames.count, StackDepot.maxEntries)
            let handle = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(n, 1)) { buf -> OriginHandle in
                let last = frames.count - 1
                for i in 0..<n { buf[i] = frames[last - i] }
                return depot.save(UnsafeBufferPointer(rebasing: buf[0..<n]))
            }
            let entry = (frames: Array(frames), handle: handle)
            if task.savedStacks.count < KernelTask.savedStackCacheSize {
                task.savedStacks.append(entry)
            } else {
                task.savedStacks[task.nextSavedStack] = entry
                task.nextSavedStack = (task.nextSavedStack + 1) % KernelTask.savedStackCacheSize
            }
            return handle
        }
        return handle.with(depth: 0, useAfterFree: useAfterFree)
    }

    /// `kmsan_internal_chain_origin()`: a new link {current stack, previous origin} one level
    /// deeper, inheriting the UAF bit. Returns the input unchanged at depth 7, and 0 for 0.
    package func chainOrigin(_ id: OriginHandle, on cpu: KernelCPU) -> OriginHandle {
        guard !id.isNone, id.depth < OriginHandle.maxDepth else { return id }
        let head = cpu.call(hookSites.chainOrigin) { saveStack(on: cpu) }
        let entries: [UInt64] = [StackDepot.chainMagic, UInt64(head.raw), UInt64(id.raw)]
        let link = depot.save(entries)
        return link.isNone ? id : link.with(depth: id.depth + 1, useAfterFree: id.isUseAfterFree)
    }

    /// `__msan_poison_alloca()`'s origin: {alloca magic, variable name, the creating function's
    /// return address, its caller's}.
    package func localVariableOrigin(name: String, on cpu: KernelCPU) -> OriginHandle {
        let pc1 = cpu.current.topFrame ?? 0
        let pc2 = cpu.current.callerFrame ?? 0
        return depot.save([StackDepot.allocaMagic, symbols.intern(name), pc1, pc2])
    }

    /// The frame a report header names: the first real frame at or after `index` (an inlined
    /// function has no return address of its own; `%pS` names the function it is inlined into).
    package func headerFrame(in stack: [SymbolizedFrame], from index: Int = 0) -> SymbolizedFrame? {
        guard index < stack.count else { return nil }
        return stack[index...].first { !$0.isInlined } ?? stack[index]
    }

    /// Symbolizes a stack (innermost first) after skipping its leading runtime frames, as
    /// `get_stack_skipnr()` does: names starting with `kmsan_` or `__msan_`.
    package func printableStack<S: Sequence>(_ addresses: S) -> [SymbolizedFrame] where S.Element == UInt64 {
        var out: [SymbolizedFrame] = []
        var skipping = true
        for a in addresses {
            let frame = symbols.symbolize(a)
            if skipping, frame.function.hasPrefix("kmsan_") || frame.function.hasPrefix("__msan_") { continue }
            skipping = false
            out.append(frame)
        }
        return out
    }

    /// `kmsan_print_origin()` as data: the blocks of an origin's description, newest first.
    public func describeOrigin(_ origin: OriginHandle) -> [OriginBlock] {
        var blocks: [OriginBlock] = []
        var current = origin
        // A well-formed chain ends within KMSAN_MAX_ORIGIN_DEPTH + 1 records; the bound only
        // guards against a corrupted depot.
        for _ in 0..<(OriginHandle.maxDepth + 2) where !current.isNone {
            let entries = depot.fetch(current)
            if entries.count == 4, entries[0] == StackDepot.allocaMagic {
                let frames = [entries[2], entries[3]].filter { $0 != 0 }.map { symbols.symbolize($0) }
                blocks.append(OriginBlock(kind: .localVariable, frames: frames, variable: symbols.string(at: entries[1]) ?? "?"))
                return blocks
            }
            if entries.count == 3, entries[0] == StackDepot.chainMagic {
                let head = depot.fetch(OriginHandle(raw: UInt32(truncatingIfNeeded: entries[1])))
                blocks.append(OriginBlock(
                    kind: .storedAt, frames: printableStack(head),
                    truncatedBefore: current.depth == OriginHandle.maxDepth))
                current = OriginHandle(raw: UInt32(truncatingIfNeeded: entries[2]))
                continue
            }
            blocks.append(OriginBlock(kind: .createdAt, frames: printableStack(entries)))
            return blocks
        }
        return blocks
    }
}
