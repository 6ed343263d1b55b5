import HarnessCore
import KMSAN
import KernelMemory

/// The copies across the user boundary (see `UserMemoryPlugin`).
extension UserMemory {
    /// `_copy_to_user`: the bytes not copied (`UserAccess.copyToUser`).
    public func copyToUser(_ to: KernelAddress, _ from: KernelAddress, count n: Int, on cpu: KernelCPU) -> Int {
        cpu.call(sites.copyTo) { access.copyToUser(to, from, count: n, on: cpu) }
    }

    /// `_copy_from_user`: the bytes not copied (zeroed in `to`).
    public func copyFromUser(_ to: KernelAddress, _ from: KernelAddress, count n: Int, on cpu: KernelCPU) -> Int {
        cpu.call(sites.copyFrom) { () -> Int in
            guard n > 0 else { return 0 }
            var copied = 0
            if UserAccess.accessOK(from, n) {
                copied = access.transfer(n, user: from, on: cpu) { user, offset, chunk throws(MemoryFault) in
                    let bytes = try runtime.addressSpace.readBytes(user, count: chunk)
                    try runtime.addressSpace.writeBytes(bytes, at: to + offset)
                }
                // instrument_copy_from_user_after: what came from user space is initialized.
                if copied > 0 { runtime.unpoisonMemory(to, size: copied, on: cpu) }
            }
            // if (unlikely(res)) memset(to + (n - res), 0, res): instrumented, so initialized.
            if copied < n { runtime.memset(to + copied, 0, count: n - copied, on: cpu) }
            return n - copied
        }
    }

    /// `clear_user`: the bytes not cleared.
    public func clearUser(_ to: KernelAddress, count n: Int, on cpu: KernelCPU) -> Int {
        cpu.call(sites.clear) { () -> Int in
            guard n > 0 else { return 0 }
            guard UserAccess.accessOK(to, n) else { return n }
            return n - access.transfer(n, user: to, on: cpu) { user, _, chunk throws(MemoryFault) in
                try runtime.addressSpace.fillData(user, byte: 0, count: chunk)
            }
        }
    }
}
