import HarnessCore
import KMSAN
import KernelMemory

/// The copies across the user boundary (see `UserMemoryPlugin`).
extension UserMemory {
    /// `_copy_to_user`: the bytes not copied.
    public func copyToUser(_ to: KernelAddress, _ from: KernelAddress, count n: Int, on cpu: KernelCPU) -> Int {
        cpu.call(sites.copyTo) { () -> Int in
            guard n > 0 else { return 0 }
            guard Self.accessOK(to, n) else { return n }
            // instrument_copy_to_user: the hook with left = 0, before the copy.
            runtime.copyToUser(to: to, from: from, toCopy: n, left: 0, on: cpu)
            return n - transfer(n, user: to, on: cpu) { user, offset, chunk throws(MemoryFault) in
                let bytes = try runtime.addressSpace.readBytes(from + offset, count: chunk)
                try runtime.addressSpace.writeBytes(bytes, at: user)
            }
        }
    }

    /// `_copy_from_user`: the bytes not copied (zeroed in `to`).
    public func copyFromUser(_ to: KernelAddress, _ from: KernelAddress, count n: Int, on cpu: KernelCPU) -> Int {
        cpu.call(sites.copyFrom) { () -> Int in
            guard n > 0 else { return 0 }
            var copied = 0
            if Self.accessOK(from, n) {
                copied = transfer(n, user: from, on: cpu) { user, offset, chunk throws(MemoryFault) in
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
            guard Self.accessOK(to, n) else { return n }
            return n - transfer(n, user: to, on: cpu) { user, _, chunk throws(MemoryFault) in
                try runtime.addressSpace.fillData(user, byte: 0, count: chunk)
            }
        }
    }

    /// Moves `n` bytes page by page while the user side is mapped (`raw_copy_*` stops at the
    /// first faulting user page); `body` moves one chunk (user address, offset, length). A fault
    /// on the kernel side is a HARNESS bad-access (an oops in the kernel) and ends the copy.
    /// Returns the bytes moved.
    func transfer(
        _ n: Int, user: KernelAddress, on cpu: KernelCPU, _ body: (KernelAddress, Int, Int) throws(MemoryFault) -> Void
    ) -> Int {
        var done = 0
        while done < n {
            let u = user + done
            guard runtime.addressSpace.translate(u) != nil else { break }
            let chunk = min(n - done, PAGE_SIZE - u.pageOffset)
            do {
                try body(u, done, chunk)
            } catch {
                runtime.reportFault(error, on: cpu)
                break
            }
            done += chunk
        }
        return done
    }
}
