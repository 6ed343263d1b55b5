import KMSAN
import KernelMemory

/// The DMA plugin's bookkeeping, one value (saved and restored whole): devices, live mappings
/// (dma-debug's hash of entries), handles unmapped before (to tell a double unmap), and the
/// scatterlist tables.
struct DMAState: Sendable {
    /// A device (`struct device` with its `dma_mask`).
    struct Device: Sendable, Equatable {
        var name: String
        var mask: Int
    }

    /// How a mapping was made (dma-debug's `type`, for "wrong function"): single and page
    /// mappings are both `phy` since the physical-address conversion; `dma_alloc_coherent`
    /// buffers are `coherent`.
    enum Kind: String, Sendable, Equatable {
        case phy, scatterlist = "scatter-gather", coherent
    }

    /// One live mapping (`struct dma_debug_entry`).
    struct Mapping: Sendable, Equatable {
        var device: UInt64
        var handle: UInt64
        var cpuAddress: KernelAddress
        var size: Int
        var direction: DMADirection
        var kind: Kind
    }

    /// One scatterlist entry: a buffer and its length (0: not set).
    struct Entry: Sendable, Equatable {
        var buffer: KernelAddress = .null
        var length = 0
    }

    var devices: [UInt64: Device] = [:]
    var mappings: [Mapping] = []
    /// (device, handle) pairs unmapped so far.
    var unmapped: Set<[UInt64]> = []
    var tables: [UInt64: [Entry]] = [:]
    var nextDevice = 0
    var nextTable = 0

    /// The index of the live mapping of `device` at `handle`, if any.
    func index(of handle: UInt64, device: UInt64) -> Int? {
        mappings.firstIndex { $0.device == device && $0.handle == handle }
    }

    /// The live mapping of `device` whose range holds `handle` (dma-debug's `bucket_find_contain`).
    func mapping(containing handle: UInt64, device: UInt64) -> Mapping? {
        mappings.first { $0.device == device && handle >= $0.handle && handle - $0.handle < UInt64($0.size) }
    }

    /// The live mapping of `device` holding `handle + offset ..< + length`, if any.
    func mapping(covering handle: UInt64, offset: Int, length: Int, device: UInt64) -> Mapping? {
        mappings.first { m in
            m.device == device && handle >= m.handle && handle - m.handle <= UInt64(m.size)
                && offset >= 0 && length >= 0 && Int(handle - m.handle) + offset <= m.size - length
        }
    }
}
