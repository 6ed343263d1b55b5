import HarnessCore
import KMSAN
import KernelMemory

/// Scatterlists and the device side.
extension DMAMappings {
    /// `sg_init_table` on a new table of `count` empty entries (at most `maxEntries`).
    public func sgInitTable(_ count: Int, on cpu: KernelCPU) -> KernelAddress {
        cpu.call(sites.sgInit) { () -> KernelAddress in
            guard count >= 1, count <= Self.maxEntries else {
                let message = "sg_init_table: \(count) entries (1...\(Self.maxEntries) fit one page)"
                runtime.reportHarnessFinding(.misuse, message, on: cpu)
                return .null
            }
            return state.withLock { s in
                let handle = Self.tableBase + UInt64(s.nextTable) * 0x1000
                s.nextTable += 1
                s.tables[handle] = Array(repeating: DMAState.Entry(), count: count)
                return KernelAddress(handle)
            }
        }
    }

    /// `sg_set_buf(&sgl[index], buf, len)`.
    public func sgSetBuf(_ table: KernelAddress, index: Int, _ buffer: KernelAddress, length: Int, on cpu: KernelCPU) {
        cpu.call(sites.sgSetBuf) { setEntry(table, index: index, buffer, length: length, "sg_set_buf", on: cpu) }
    }

    /// `sg_set_page(&sgl[index], page, len, offset)`: the entry points at the page's direct-map
    /// address plus `offset` (no check here, as in the kernel: `dma_map_sg` checks the range).
    public func sgSetPage(_ table: KernelAddress, index: Int, page: KernelAddress, length: Int, offset: Int,
                          on cpu: KernelCPU) {
        cpu.call(sites.sgSetPage) {
            guard let pfn = runtime.addressSpace.frame(ofPageHandle: page), offset >= 0, offset <= PAGE_SIZE << 10 else {
                runtime.reportHarnessFinding(.misuse, "sg_set_page: \(page) is not a struct page pointer of this machine "
                                             + "(or offset \(offset) is out of range)", on: cpu, address: page)
                return
            }
            setEntry(table, index: index, runtime.addressSpace.directMapAddress(of: pfn) + offset, length: length,
                     "sg_set_page", on: cpu)
        }
    }

    /// Sets entry `index` of `table`, or reports the misuse.
    private func setEntry(_ table: KernelAddress, index: Int, _ buffer: KernelAddress, length: Int, _ api: String,
                          on cpu: KernelCPU) {
        let ok = state.withLock { s -> Bool in
            guard var entries = s.tables[table.raw], entries.indices.contains(index), length >= 0 else { return false }
            entries[index] = DMAState.Entry(buffer: buffer, length: length)
            s.tables[table.raw] = entries
            return true
        }
        if !ok {
            runtime.reportHarnessFinding(.misuse, "\(api): \(table) has no entry \(index) (or the length is negative)",
                                         on: cpu, address: table)
        }
    }

    /// `dma_map_sg` -> `__dma_map_sg_attrs`: each set entry is mapped, `kmsan_handle_dma_sg`
    /// running the hook per entry; the count of entries mapped (0 on failure).
    public func mapSG(_ device: KernelAddress, _ table: KernelAddress, count: Int, direction: DMADirection,
                      on cpu: KernelCPU) -> Int {
        cpu.call(sites.mapSG) {
            guard let dev = self.device(device, "dma_map_sg", on: cpu) else { return 0 }
            return cpu.call(sites.mapSGAttrs) { () -> Int in
                guard let entries = state.withLock({ $0.tables[table.raw] }), count >= 1, count <= entries.count else {
                    debugError(.misuse, dev, "dma_map_sg: \(table) is not a scatterlist of at least \(count) entries", on: cpu)
                    return 0
                }
                var mapped = 0
                for entry in entries.prefix(count) where entry.length > 0 {
                    guard let pfn = runtime.addressSpace.directMapFrame(entry.buffer),
                          (try? runtime.addressSpace.validate(entry.buffer, count: entry.length)) != nil else {
                        let message = "dma_map_sg: entry \(mapped) at \(entry.buffer) is not in the linear map"
                        debugError(.misuse, dev, message, on: cpu)
                        return 0
                    }
                    if direction != .none { runtime.handleDMA(entry.buffer, size: entry.length, direction: direction, on: cpu) }
                    let phys = UInt64(pfn.index * PAGE_SIZE + entry.buffer.pageOffset)
                    state.withLock { s in
                        s.mappings.append(DMAState.Mapping(device: device.raw, handle: phys, cpuAddress: entry.buffer,
                                                           size: entry.length, direction: direction, kind: .scatterlist))
                    }
                    mapped += 1
                }
                return mapped
            }
        }
    }

    /// `dma_unmap_sg`: every entry's mapping goes, with dma-debug's checks.
    public func unmapSG(_ device: KernelAddress, _ table: KernelAddress, count: Int, direction: DMADirection,
                        on cpu: KernelCPU) {
        cpu.call(sites.unmapSG) {
            guard let entries = state.withLock({ $0.tables[table.raw] }) else {
                runtime.reportHarnessFinding(.misuse, "dma_unmap_sg: \(table) is not a scatterlist", on: cpu, address: table)
                return
            }
            for entry in entries.prefix(max(0, count)) where entry.length > 0 {
                guard let pfn = runtime.addressSpace.directMapFrame(entry.buffer) else { continue }
                let phys = UInt64(pfn.index * PAGE_SIZE + entry.buffer.pageOffset)
                unmap(device, phys, size: entry.length, direction: direction, kind: .scatterlist, on: cpu)
            }
        }
    }

    /// The device writes: `length` bytes of 0xd0 + offset pattern into a live mapping, data
    /// only (KMSAN cannot see hardware).
    public func deviceWrite(_ device: KernelAddress, _ handle: UInt64, offset: Int, length: Int, on cpu: KernelCPU) {
        guard let target = deviceTarget(device, handle, offset: offset, length: length, "device_dma_write", on: cpu) else {
            return
        }
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: 0xd0 &+ $0) }
        try? runtime.addressSpace.writeBytes(bytes, at: target)
    }

    /// The device reads up to 8 bytes.
    public func deviceRead(_ device: KernelAddress, _ handle: UInt64, offset: Int, length: Int, on cpu: KernelCPU) -> UInt64 {
        let n = min(max(length, 0), 8)
        guard let target = deviceTarget(device, handle, offset: offset, length: n, "device_dma_read", on: cpu),
              let bytes = try? runtime.addressSpace.readBytes(target, count: n) else { return 0 }
        return bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64($1.offset * 8) }
    }

    /// The CPU address a device access lands at, if `[handle + offset, + length)` lies inside
    /// a live mapping of `device`; a HARNESS bad-access otherwise.
    func deviceTarget(_ device: KernelAddress, _ handle: UInt64, offset: Int, length: Int, _ api: String,
                      on cpu: KernelCPU) -> KernelAddress? {
        guard let dev = self.device(device, api, on: cpu) else { return nil }
        guard let m = state.withLock({ $0.mapping(covering: handle, offset: offset, length: length, device: device.raw) }) else {
            debugError(.badAccess, dev, "\(api): [device address=0x\(hex16(handle))] offset \(offset) length \(length) "
                       + "is outside every live mapping of the device", on: cpu)
            return nil
        }
        return m.cpuAddress + Int(handle - m.handle) + offset
    }
}
