import KernelMemory

/// The direction of a DMA transfer (`enum dma_data_direction`).
public enum DMADirection: Int, Sendable, CaseIterable {
    /// `DMA_BIDIRECTIONAL`: the device reads and writes.
    case bidirectional = 0
    /// `DMA_TO_DEVICE`: the device reads memory.
    case toDevice = 1
    /// `DMA_FROM_DEVICE`: the device writes memory.
    case fromDevice = 2
    /// `DMA_NONE`.
    case none = 3
}

/// Hooks where data leaves or enters the kernel: DMA, USB URBs, copies to user space.
extension KMSANRuntime {
    /// `kmsan_handle_dma(page, offset, size, dir)` for a direct-map range, split per page:
    /// to the device: check; from the device: unpoison; bidirectional: check then unpoison.
    /// Each page's part is checked on its own, so byte ranges count from that part. Ungated
    /// (`HookGate.ungated`): the kernel's hook neither checks that KMSAN is on nor takes the
    /// runtime guard, so a device write is unpoisoned even then.
    public func handleDMA(_ address: KernelAddress, size: Int, direction: DMADirection, on cpu: KernelCPU) {
        hook(cpu, hookSites.handleDMA, gate: .ungated) {
            var done = 0
            while done < size {
                let a = address + done
                let chunk = min(size - done, PAGE_SIZE - a.pageOffset)
                if direction == .toDevice || direction == .bidirectional {
                    checkRange(a, size: chunk, userAddress: nil, reason: .any, on: cpu)
                }
                if direction == .fromDevice || direction == .bidirectional {
                    unpoison(a, size: chunk, checked: false, on: cpu)
                }
                done += chunk
            }
        }
    }

    /// `kmsan_handle_urb(urb, is_out)`: an OUT transfer buffer is checked with the URB reason
    /// (`kernel-usb-infoleak`); an IN buffer is unpoisoned. Ungated, as `handleDMA`.
    public func handleURB(transferBuffer: KernelAddress, length: Int, isOut: Bool, on cpu: KernelCPU) {
        guard !transferBuffer.isNull else { return }
        hook(cpu, hookSites.handleURB, gate: .ungated) {
            if isOut {
                checkRange(transferBuffer, size: length, userAddress: nil, reason: .submitURB, on: cpu)
            } else {
                unpoison(transferBuffer, size: length, checked: false, on: cpu)
            }
        }
    }

    /// `kmsan_copy_to_user(to, from, to_copy, left)`, after the data was copied: nothing if
    /// `toCopy` is 0 or nothing was copied (`toCopy <= left`); a user destination has its
    /// `toCopy - left` source bytes checked (`kernel-infoleak`, printing the user address);
    /// a kernel destination gets the metadata moved instead.
    public func copyToUser(to: KernelAddress, from: KernelAddress, toCopy: Int, left: Int, on cpu: KernelCPU) {
        guard toCopy > 0, toCopy > left else { return }
        hook(cpu, hookSites.copyToUser) {
            if to < TASK_SIZE {
                checkRange(from, size: toCopy - left, userAddress: to, reason: .copyToUser, on: cpu)
            } else {
                memmoveMetadata(dst: to, src: from, count: toCopy - left, on: cpu)
            }
        }
    }
}
