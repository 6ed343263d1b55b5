import KMSAN
import KernelMemory

/// A named constant a scenario may use as an argument (`GFP_KERNEL`, `PAGE_SIZE`,
/// `DMA_TO_DEVICE`, `SLAB_CTOR_ZERO`), with the parameter kind it belongs to.
///
/// The core defines the kernel's own names (`NamedConstant.core`); plugins add theirs through
/// `HarnessPlugin.constants`. Constants of a flag kind (`.gfp`, `.slabFlags`) combine with `|`.
public struct NamedConstant: Sendable, Equatable {
    /// The kernel's name.
    public var name: String
    /// Which kind of parameter it may be passed as (`.integer` constants go anywhere a number does).
    public var kind: ScenarioOp.ParameterKind
    /// Its value (flag bits, a number, an enum value).
    public var value: UInt64

    /// Creates a constant.
    public init(_ name: String, _ kind: ScenarioOp.ParameterKind, _ value: UInt64) {
        self.name = name
        self.kind = kind
        self.value = value
    }

    /// The constants every scenario has: GFP flags, slab flags, `PAGE_SIZE`, `PAGE_SHIFT`,
    /// `NULL` and the DMA directions.
    public static let core: [NamedConstant] =
        GFPFlags.names.map { NamedConstant($0.0, .gfp, UInt64($0.1.rawValue)) }
        + SlabFlags.names.map { NamedConstant($0.0, .slabFlags, UInt64($0.1.rawValue)) }
        + [
            NamedConstant("PAGE_SIZE", .integer, UInt64(PAGE_SIZE)),
            NamedConstant("PAGE_SHIFT", .integer, UInt64(PAGE_SIZE.trailingZeroBitCount)),
            NamedConstant("NULL", .pointer, 0),
            NamedConstant("DMA_BIDIRECTIONAL", .dmaDirection, UInt64(DMADirection.bidirectional.rawValue)),
            NamedConstant("DMA_TO_DEVICE", .dmaDirection, UInt64(DMADirection.toDevice.rawValue)),
            NamedConstant("DMA_FROM_DEVICE", .dmaDirection, UInt64(DMADirection.fromDevice.rawValue)),
            NamedConstant("DMA_NONE", .dmaDirection, UInt64(DMADirection.none.rawValue)),
        ]
}
