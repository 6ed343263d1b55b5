import HarnessCore
import KMSAN
import KernelMemory

/// Streaming mappings: map (with the KMSAN hook), unmap (dma-debug's checks), sync.
extension DMAMappings {
    /// `dma_map_single` -> `dma_map_page_attrs` -> `dma_map_phys`.
    public func mapSingle(_ device: KernelAddress, _ address: KernelAddress, size: Int, direction: DMADirection,
                          on cpu: KernelCPU) -> UInt64 {
        cpu.call(sites.mapSingle) {
            cpu.call(sites.mapPage) {
                guard let dev = self.device(device, "dma_map_single", on: cpu) else { return Self.mappingError }
                return mapPhys(device, dev, address, size: size, direction: direction, kind: .phy, on: cpu)
            }
        }
    }

    /// `dma_map_page(dev, page, offset, size, dir)`.
    public func mapPage(_ device: KernelAddress, _ page: KernelAddress, offset: Int, size: Int, direction: DMADirection,
                        on cpu: KernelCPU) -> UInt64 {
        cpu.call(sites.mapPage) {
            guard let dev = self.device(device, "dma_map_page", on: cpu) else { return Self.mappingError }
            guard let pfn = runtime.addressSpace.frame(ofPageHandle: page), offset >= 0, offset <= PAGE_SIZE << 10 else {
                debugError(.badAccess, dev, "dma_map_page: \(page) is not a struct page pointer of this machine", on: cpu)
                return Self.mappingError
            }
            let address = runtime.addressSpace.directMapAddress(of: pfn) + offset
            return mapPhys(device, dev, address, size: size, direction: direction, kind: .phy, on: cpu)
        }
    }

    /// `dma_map_phys`: the checks dma-debug makes, the mapping, then `kmsan_handle_dma` once
    /// (split per page; DMA_NONE does nothing).
    func mapPhys(_ handle: KernelAddress, _ dev: DMAState.Device, _ address: KernelAddress, size: Int,
                 direction: DMADirection, kind: DMAState.Kind, on cpu: KernelCPU) -> UInt64 {
        cpu.call(sites.mapPhys) { () -> UInt64 in
            guard size > 0, let pfn = runtime.addressSpace.directMapFrame(address) else {
                let message = "device driver maps memory that is not in the linear map [addr=\(address)] [len=\(size)]"
                debugError(.misuse, dev, message, on: cpu)
                return Self.mappingError
            }
            do throws(MemoryFault) {
                try runtime.addressSpace.validate(address, count: size)
            } catch {
                runtime.reportFault(error, on: cpu)
                return Self.mappingError
            }
            let phys = UInt64(pfn.index * PAGE_SIZE + address.pageOffset)
            if dev.mask < 64, phys + UInt64(size) > UInt64(1) << UInt64(dev.mask) {
                debugError(.misuse, dev, "DMA address 0x\(String(phys, radix: 16)) beyond the device's \(dev.mask)-bit DMA mask",
                           on: cpu)
                return Self.mappingError
            }
            if direction != .none { runtime.handleDMA(address, size: size, direction: direction, on: cpu) }
            state.withLock { s in
                s.mappings.append(DMAState.Mapping(device: handle.raw, handle: phys, cpuAddress: address, size: size,
                                                   direction: direction, kind: kind))
            }
            return phys
        }
    }

    /// `dma_unmap_single`.
    public func unmapSingle(_ device: KernelAddress, _ handle: UInt64, size: Int, direction: DMADirection, on cpu: KernelCPU) {
        cpu.call(sites.unmapSingle) {
            cpu.call(sites.unmapPage) { unmap(device, handle, size: size, direction: direction, kind: .phy, on: cpu) }
        }
    }

    /// `dma_unmap_page`.
    public func unmapPage(_ device: KernelAddress, _ handle: UInt64, size: Int, direction: DMADirection, on cpu: KernelCPU) {
        cpu.call(sites.unmapPage) { unmap(device, handle, size: size, direction: direction, kind: .phy, on: cpu) }
    }

    /// dma-debug's `check_unmap` (kernel/dma/debug.c): a mapping that is not there is the one
    /// error; otherwise each difference in size, function (`phy` for single and page mappings
    /// since the physical-address conversion, `scatter-gather` for lists, `coherent`), a
    /// coherent buffer's CPU address, and direction is reported, and the entry goes all the same. No KMSAN effect. (dma-debug's entry-count and
    /// "failed to check map error" checks are not modelled.)
    func unmap(_ device: KernelAddress, _ handle: UInt64, size: Int, direction: DMADirection, kind: DMAState.Kind,
               cpuAddress: KernelAddress? = nil, on cpu: KernelCPU) {
        guard let dev = self.device(device, "dma_unmap", on: cpu) else { return }
        let at = "[device address=0x\(hex16(handle))]"
        let errors = state.withLock { s -> [(HarnessErrorKind, String)] in
            guard let i = s.index(of: handle, device: device.raw) else {
                let twice = s.unmapped.contains([device.raw, handle])
                return [(twice ? .doubleFree : .invalidFree,
                         "device driver tries to free DMA memory it has not allocated \(at) [size=\(size) bytes]")]
            }
            let m = s.mappings.remove(at: i)
            s.unmapped.insert([device.raw, handle])
            var errors: [(HarnessErrorKind, String)] = []
            if m.size != size {
                errors.append((.misuse, "device driver frees DMA memory with different size \(at) [map size=\(m.size) bytes] "
                               + "[unmap size=\(size) bytes]"))
            }
            if m.kind != kind {
                errors.append((.misuse, "device driver frees DMA memory with wrong function \(at) [size=\(size) bytes] "
                               + "[mapped as \(m.kind.rawValue)] [unmapped as \(kind.rawValue)]"))
            }
            if kind == .coherent, m.kind == .coherent, let a = cpuAddress, a != m.cpuAddress {
                errors.append((.misuse, "device driver frees DMA memory with different CPU address \(at) [size=\(size) bytes] "
                               + "[cpu alloc address=0x\(hex16(m.cpuAddress.raw))] [cpu free address=0x\(hex16(a.raw))]"))
            }
            if m.direction != direction {
                errors.append((.misuse, "device driver frees DMA memory with different direction \(at) [size=\(size) bytes] "
                               + "[mapped with \(Self.name(m.direction))] [unmapped with \(Self.name(direction))]"))
            }
            return errors
        }
        for (k, message) in errors { debugError(k, dev, message, on: cpu) }
    }

    /// `dma_sync_single_for_cpu`: dma-debug checks the range; no KMSAN effect (KMSAN ran at map time).
    public func syncSingleForCPU(_ device: KernelAddress, _ handle: UInt64, size: Int, direction: DMADirection,
                                 on cpu: KernelCPU) {
        cpu.call(sites.syncForCPU) { checkSync(device, handle, size: size, on: cpu) }
    }

    /// `dma_sync_single_for_device`: likewise.
    public func syncSingleForDevice(_ device: KernelAddress, _ handle: UInt64, size: Int, direction: DMADirection,
                                    on cpu: KernelCPU) {
        cpu.call(sites.syncForDevice) { checkSync(device, handle, size: size, on: cpu) }
    }

    /// dma-debug's `check_sync`: the mapping holding `handle` must exist, and the sync may not
    /// be larger than it (the kernel compares the sizes). Its direction checks are not modelled.
    func checkSync(_ device: KernelAddress, _ handle: UInt64, size: Int, on cpu: KernelCPU) {
        guard let dev = self.device(device, "dma_sync", on: cpu) else { return }
        guard let m = state.withLock({ $0.mapping(containing: handle, device: device.raw) }) else {
            let message = "device driver tries to sync DMA memory it has not allocated "
                + "[device address=0x\(hex16(handle))] [size=\(size) bytes]"
            debugError(.badAccess, dev, message, on: cpu)
            return
        }
        if size > m.size {
            let message = "device driver syncs DMA memory outside allocated range [device address=0x\(hex16(m.handle))] "
                + "[allocation size=\(m.size) bytes] [sync offset+size=\(size)]"
            debugError(.badAccess, dev, message, on: cpu)
        }
    }

    /// `DMA_TO_DEVICE` and the others, as dma-debug names them.
    static func name(_ d: DMADirection) -> String {
        switch d {
        case .bidirectional: "DMA_BIDIRECTIONAL"
        case .toDevice: "DMA_TO_DEVICE"
        case .fromDevice: "DMA_FROM_DEVICE"
        case .none: "DMA_NONE"
        }
    }
}
