import KernelMemory

/// Instrumented loads, stores, uses, stack locals and calls: what the compiler inserts
/// around every memory access and branch of a KMSAN kernel.
extension KMSANRuntime {
    /// Loads `width` bytes at `address`: the value with its shadow and origin.
    ///
    /// The origin is the slot of `address` rounded down to 4 (one origin load, as the
    /// compiler emits). With KMSAN off or inside the runtime, loads read as initialized (the
    /// kernel's dummy load page). An unmapped address is a HARNESS `bad-access` and reads 0.
    public func load(_ width: ValueWidth, from address: KernelAddress, on cpu: KernelCPU) -> ShadowedValue {
        var value: UInt64 = 0, shadow: UInt64 = 0
        let tracking = isEnabled && !isInRuntime(cpu)
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
    /// (a new "stored to memory at" link with the current stack) and painted over every slot
    /// the store touches; a fully initialized store leaves the origins alone, as compiled
    /// code does. An unmapped address is a HARNESS `bad-access` and stores nothing.
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
        let tracking = isEnabled && !isInRuntime(cpu)
        var origin = OriginHandle.none
        if tracking, value.shadow != 0 {
            enterRuntime(cpu)
            origin = chainOrigin(value.origin, on: cpu)
            leaveRuntime(cpu)
        }
        if let run {
            for i in 0..<n {
                run.data.storeBytes(of: UInt8(truncatingIfNeeded: value.value >> UInt64(8 * i)), toByteOffset: i, as: UInt8.self)
            }
            if tracking, let s = run.shadow, let slots = run.origin {
                for i in 0..<n { s[i] = UInt8(truncatingIfNeeded: value.shadow >> UInt64(8 * i)) }
                if value.shadow != 0 { slots.update(repeating: origin.raw, count: (run.lead + n + 3) >> 2) }
            }
            return
        }
        var shift: UInt64 = 0
        _ = try? addressSpace.forEachSegment(address, count: n) { seg in
            for i in 0..<seg.count {
                seg.data.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: value.value >> shift), toByteOffset: i, as: UInt8.self)
                if tracking, let s = seg.shadow {
                    s[i] = UInt8(truncatingIfNeeded: value.shadow >> shift)
                    if value.shadow != 0 { seg.originSlot(ofByte: i).pointee = origin.raw }
                }
                shift += 8
            }
        }
    }

    /// A conditional use (a branch or a pointer dereference on `value`): reports
    /// `uninit-value` (or `use-after-free`) with no byte range if any bit is uninitialized.
    public func use(_ value: ShadowedValue, on cpu: KernelCPU) {
        guard value.shadow != 0 else { return }
        hook(cpu, hookSites.warning) {
            report(origin: value.origin, address: nil, size: 0, firstOffset: 0, lastOffset: 0,
                   userAddress: nil, reason: .any, on: cpu)
        }
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

    /// Passes `arguments` to a call made from the current frame. With eager checks
    /// (CONFIG_KMSAN_CHECK_PARAM_RETVAL) each argument with uninitialized bits reports here, in
    /// the caller, and the callee receives initialized values; without, the shadow travels on.
    public func passArguments(_ arguments: [ShadowedValue], on cpu: KernelCPU) -> [ShadowedValue] {
        guard options.eagerChecks else { return arguments }
        return arguments.map { arg in
            use(arg, on: cpu)
            return arg.shadow == 0 ? arg : .initialized(arg.value, width: arg.width)
        }
    }

    /// Returns `value` from the current frame: with eager checks it is checked here, in the
    /// callee, and the caller receives an initialized value.
    public func returnValue(_ value: ShadowedValue, on cpu: KernelCPU) -> ShadowedValue {
        guard options.eagerChecks else { return value }
        use(value, on: cpu)
        return value.shadow == 0 ? value : .initialized(value.value, width: value.width)
    }
}
