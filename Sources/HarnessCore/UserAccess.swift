import KMSAN
import KernelMemory

/// The user-space accesses every plugin shares (include/linux/uaccess.h, lib/usercopy.c), so
/// that the user-memory plugin's `copy_to_user` and a socket's `copy_to_iter` are one code
/// path: `access_ok`, the raw copy that stops at the first unmapped user page, and the
/// instrumented copy to user space. User pages are mapped by the user-memory plugin; without
/// it every user address is unmapped and copies move nothing.
public struct UserAccess: Sendable {
    /// The runtime whose address space holds the user pages.
    public let runtime: KMSANRuntime

    /// `instrument_copy_to_user`, the inline around the hook.
    let instrumentSite: CallSite

    /// An accessor over `runtime`'s address space (interns its frame once: keep it).
    public init(runtime: KMSANRuntime) {
        self.runtime = runtime
        instrumentSite = runtime.symbols.site(in: "instrument_copy_to_user", inlining: .inlined)
    }

    /// `access_ok(addr, n)`: the whole range lies below TASK_SIZE (overflow-free).
    public static func accessOK(_ address: KernelAddress, _ n: Int) -> Bool {
        n >= 0 && UInt64(n) <= TASK_SIZE.raw && address.raw <= TASK_SIZE.raw - UInt64(n)
    }

    /// The instrumented copy to user space (`_copy_to_user`, and each chunk of `_copy_to_iter`):
    /// `access_ok` first (a kernel destination fails it: nothing is checked or copied); then
    /// `instrument_copy_to_user` runs the KMSAN hook with left = 0, so all `n` bytes are checked
    /// (`kernel-infoleak`) even if the copy then faults; then the copy. The bytes not copied.
    public func copyToUser(_ to: KernelAddress, _ from: KernelAddress, count n: Int, on cpu: KernelCPU) -> Int {
        guard n > 0 else { return 0 }
        guard Self.accessOK(to, n) else { return n }
        cpu.call(instrumentSite) { runtime.copyToUser(to: to, from: from, toCopy: n, left: 0, on: cpu) }
        return n - transfer(n, user: to, on: cpu) { user, offset, chunk throws(MemoryFault) in
            let bytes = try runtime.addressSpace.readBytes(from + offset, count: chunk)
            try runtime.addressSpace.writeBytes(bytes, at: user)
        }
    }

    /// Moves `n` bytes page by page while the user side is mapped (`raw_copy_*` stops at the
    /// first faulting user page); `body` moves one chunk (user address, offset, length). A fault
    /// on the kernel side is a HARNESS bad-access (an oops in the kernel) and ends the copy.
    /// Returns the bytes moved.
    public func transfer(
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
