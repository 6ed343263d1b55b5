/// An access to simulated memory that no page backs.
///
/// The harness turns a fault into a `bad-access` HARNESS report; it never crashes the host.
public struct MemoryFault: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Sendable {
        /// The address is in a hole of the layout or in a region page that is not mapped.
        case unmapped
        /// A page frame number beyond the end of physical memory.
        case frameOutOfRange
        /// The range wraps around the end of the address space or has a negative size.
        case invalidRange
    }

    /// What went wrong.
    public var kind: Kind
    /// The first address that could not be accessed.
    public var address: KernelAddress
    /// The size of the attempted access.
    public var size: Int

    /// Creates a fault record.
    public init(kind: Kind, address: KernelAddress, size: Int) {
        self.kind = kind
        self.address = address
        self.size = size
    }

    /// A one-line explanation in the kernel's words.
    public var description: String {
        switch kind {
        case .unmapped: "unable to handle page fault for address: \(address) (access of size \(size))"
        case .frameOutOfRange: "page frame outside physical memory at \(address) (size \(size))"
        case .invalidRange: "invalid memory range at \(address) of size \(size)"
        }
    }
}
