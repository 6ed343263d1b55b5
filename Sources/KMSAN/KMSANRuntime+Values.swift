import KernelMemory

/// Instrumented loads, stores, uses, stack locals and calls: what the compiler inserts
/// around every memory access and branch of a KMSAN kernel.
extension KMSANRuntime {
    /// Loads `width` bytes at `address`: the value with its shadow and origin.
    ///
    /// The origin is the slot of `address` rounded down to 4 (one origin load, as the
    /// compiler emits). With KMSAN off, loads read as initialized (the kernel's dummy load
    /// page). Inside the runtime (an NMI, a nested hardirq) they read the real shadow:
    /// `__msan_metadata_ptr_for_load_n` has no in-runtime guard (mm/kmsan/instrumentation.c).
    /// An unmapped address is a HARNESS `bad-access` and reads 0.
    public func load(_ width: ValueWidth, from address: KernelAddress, on cpu: KernelCPU) -> ShadowedValue {
        var value: UInt64 = 0, shadow: UInt64 = 0
        let tracking = isEnabled
        if let run = addressSpace.contiguousRun(address, count: width.byteCount) {
            for i in 0..<width.byteCount {
                value |= UInt64(run.data.load(fromByteOffset: i, as: UInt8.self)) << UInt64(8 * i)
                if tracking, let s = run.shadow { shadow |= UInt64(s[i]) << UInt64(8 * i) }
            }
            let origin = shadow != 0 ? OriginHandle(raw: run.origin.unsafelyUnwrapped.pointee) : .none
            return ShadowedValue(value: value, shadow: shadow, origin: origin, width: width)
        }
        var shift: UInt64 = 0
        do {
            try addressSpace.forEachSegment(address, count: width.byteCount) { seg in
                for i in 0..<seg.count {
                    value |= UInt64(seg.data.unsafelyUnwrapped.load(fromByteOffset: i, as: UInt8.self)) << shift
                    if tracking, let s = seg.shadow { shadow |= UInt64(s[i]) << shift }
                    shift += 8
                }
            }
        } catch {
            cpu.call(hookSites.load) { reportFault(error, on: cpu) }
            return .initialized(0, width: width)
        }
        let origin = shadow != 0 ? firstSlotOrigin(address) : .none
        return ShadowedValue(value: value, shadow: shadow, origin: origin, width: width)
    }

    private func firstSlotOrigin(_ address: KernelAddress) -> OriginHandle {
        var o = OriginHandle.none
        _ = try? addressSpace.forEachSegment(address.alignedDown(to: 4), count: 1) { seg in
            if let p = seg.origin { o = OriginHandle(raw: p.pointee) }
        }
        return o
    }

    /// Stores `value` at `address` (its low `value.width` bytes).
    ///
    /// The shadow is stored with the data. If any bit is uninitialized, the origin is chained
    /// (`__msan_chain_origin`: a new "stored to memory at" link with the current stack; inside
    /// the runtime the origin passes unchained) and painted as LLVM's `paintOrigin` does: one
    /// 4-byte origin for each started 4 bytes of the store, from the slot of `address & ~3`
    /// (`kmsan_get_metadata` aligns down). So an unaligned store paints one slot fewer than it
    /// touches when it crosses one more boundary: a 4-byte store at offset 2 paints only the
    /// slot of bytes 0-3, and bytes 4-5 keep the old origin of their slot. A fully initialized
    /// store leaves the origins alone. An unmapped address is a HARNESS `bad-access` and
    /// stores nothing.
    public func store(_ value: ShadowedValue, to address: KernelAddress, on cpu: KernelCPU) {
        let n = value.width.byteCount
        let run = addressSpace.contiguousRun(address, count: n)
        if run == nil {
            do {
                try addressSpace.validate(address, count: n)
            } catch {
                cpu.call(hookSites.store) { reportFault(error, on: cpu) }
                return
            }
        }
        let tracking = isEnabled
        var origin = OriginHandle.none
        if tracking, value.shadow != 0 {
            if isInRuntime(cpu) {
                origin = value.origin
            } else {
                enterRuntime(cpu)
                origin = chainOrigin(value.origin, on: cpu)
                leaveRuntime(cpu)
            }
        }
        let paintedSlots = (n + 3) >> 2
        if let run {
            for i in 0..<n {
                run.data.storeBytes(of: UInt8(truncatingIfNeeded: value.value >> UInt64(8 * i)), toByteOffset: i, as: UInt8.self)
            }
            if tracking, let s = run.shadow, let slots = run.origin {
                for i in 0..<n { s[i] = UInt8(truncatingIfNeeded: value.shadow >> UInt64(8 * i)) }
                if value.shadow != 0 { slots.update(repeating: origin.raw, count: paintedSlots) }
            }
            return
        }
        var shift: UInt64 = 0
        _ = try? addressSpace.forEachSegment(address, count: n) { seg in
            for i in 0..<seg.count {
                seg.data.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: value.value >> shift), toByteOffset: i, as: UInt8.self)
                if tracking, let s = seg.shadow { s[i] = UInt8(truncatingIfNeeded: value.shadow >> shift) }
                shift += 8
            }
        }
        guard tracking, value.shadow != 0 else { return }
        // Slot k > 0 starts at a byte of the store (4k <= n - 1 + (address & 3)), so it is mapped.
        for k in 0..<paintedSlots {
            let slot = k == 0 ? address : address.alignedDown(to: 4) + 4 * k
            _ = try? addressSpace.forEachSegment(slot, count: 1) { seg in
                if seg.shadow != nil { seg.originSlot(ofByte: 0).pointee = origin.raw }
            }
        }
    }

    /// A check MemorySanitizer inserts on a whole value (`insertShadowCheck`): a pointer
    /// before it is dereferenced (`-msan-check-access-address`), a divisor, an argument or a
    /// return value under eager checks. Reports `uninit-value` (or `use-after-free`) with no
    /// byte range if any bit is uninitialized.
    public func check(_ value: ShadowedValue, on cpu: KernelCPU) {
        guard value.shadow != 0 else { return }
        hook(cpu, hookSites.warning) {
            report(origin: value.origin, address: nil, size: 0, firstOffset: 0, lastOffset: 0,
                   userAddress: nil, reason: .any, on: cpu)
        }
    }

    /// C's `if (value)`: `icmp ne value, 0`, then a branch on that 1-bit result, which is
    /// checked. By MemorySanitizer's exact equality rule (`ShadowedValue.notEqual`) the
    /// condition is defined, and nothing reports, when some initialized bit of `value` is 1.
    public func branch(on value: ShadowedValue, on cpu: KernelCPU) {
        guard value.shadow != 0 else { return }
        check(.notEqual(value, .initialized(0, width: value.width)), on: cpu)
    }

    /// A new stack local of `size` bytes in the current frame, poisoned with a local-variable
    /// origin naming `name` (`__msan_poison_alloca`). Freed when the frame returns. A stack
    /// overflow is a HARNESS `misuse` and returns the null address.
    public func local(size: Int, name: String, on cpu: KernelCPU) -> KernelAddress {
        let task = cpu.current
        let room = KernelTask.stackSize - task.stackUsed
        // Checked before any arithmetic on `size`, which a program may make as large as it likes.
        guard !task.stackBase.isNull, size >= 0, size <= room, (max(size, 1) + 7) & ~7 <= room else {
            reportHarnessFinding(.misuse, "kernel stack overflow: no room for local '\(name)' of \(size) bytes", on: cpu)
            return .null
        }
        task.stackUsed += (max(size, 1) + 7) & ~7
        let address = task.stackBase + (KernelTask.stackSize - task.stackUsed)
        guard size > 0, isEnabled, !isInRuntime(cpu) else { return address }
        // The origin names the function creating the local and its caller, so it is taken
        // before the runtime's own frame is pushed.
        let origin = localVariableOrigin(name: name, on: cpu)
        hook(cpu, hookSites.poisonAlloca) {
            setShadowOrigin(address, size: size, shadow: 0xff, origin: origin, checked: false, cpu: cpu)
        }
        return address
    }

    /// Runs `body` with a new stack local of `size` bytes (made as `local` makes one) whose
    /// lifetime ends when `body` returns: the stack is as it was before. For a temporary whose
    /// address the kernel passes on within one statement, as `put_user`'s `__x`, which
    /// `instrument_put_user` hands to `kmsan_copy_to_user`.
    public func withLocal<R>(size: Int, name: String, on cpu: KernelCPU, _ body: (KernelAddress) -> R) -> R {
        let task = cpu.current
        let used = task.stackUsed
        defer { task.stackUsed = used }
        return body(local(size: size, name: name, on: cpu))
    }

    /// Passes `arguments` to a call made from the current frame. With eager checks
    /// (CONFIG_KMSAN_CHECK_PARAM_RETVAL) each argument with uninitialized bits reports here, in
    /// the caller, and the callee receives initialized values; without, the shadow travels on.
    public func passArguments(_ arguments: [ShadowedValue], on cpu: KernelCPU) -> [ShadowedValue] {
        guard options.eagerChecks else { return arguments }
        return arguments.map { arg in
            check(arg, on: cpu)
            return arg.shadow == 0 ? arg : .initialized(arg.value, width: arg.width)
        }
    }

    /// Returns `value` from the current frame: with eager checks it is checked here, in the
    /// callee, and the caller receives an initialized value.
    public func returnValue(_ value: ShadowedValue, on cpu: KernelCPU) -> ShadowedValue {
        guard options.eagerChecks else { return value }
        check(value, on: cpu)
        return value.shadow == 0 ? value : .initialized(value.value, width: value.width)
    }
}
