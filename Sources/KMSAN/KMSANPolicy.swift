/// The places where KMSAN runtimes of different kernels behave differently, as one value.
///
/// The runtime asks its policy at each divergence point instead of forking code paths per
/// kernel, so a further profile is a new `KMSANPolicy` value. `mainline` is Linux 6.1+.
public struct KMSANPolicy: Sendable, Equatable, CustomStringConvertible {
    /// What unpoisoning (origin 0) does to the origin slots the range touches.
    public enum UnpoisonOriginRule: Sendable, Equatable {
        /// Clear a slot only when all 4 of its shadow bytes are now zero (mainline; google/kmsan#70 fixed).
        case clearOnlyCleanSlots
        /// Write 0 over every touched slot, losing the origin of bytes still poisoned (RFC v3).
        case overwriteWholeSlots
    }

    /// What freeing pages does to their metadata.
    public enum PageFreeRule: Sendable, Equatable {
        /// Poison all `PAGE_SIZE << order` bytes with a use-after-free origin (mainline).
        case poisonWithUseAfterFree
        /// Release the pages' shadow and origin pages, leaving them untracked until the next
        /// allocation gives them fresh metadata (RFC v3).
        case releaseMetadata
    }

    /// Which per-task flag decides whether a report may be printed.
    public enum ReportGate: Sendable, Equatable {
        /// `current->kmsan_ctx.depth` must be zero (mainline `kmsan_disable_current`).
        case taskDepth
        /// The context's `allow_reporting` flag (RFC v3).
        case allowReportingFlag
    }

    /// The profile's name (`mainline`, `rfc-v3`).
    public var name: String
    /// Unpoisoning and origin slots.
    public var unpoisonOriginRule: UnpoisonOriginRule
    /// Page free and metadata.
    public var pageFreeRule: PageFreeRule
    /// Report gating.
    public var reportGate: ReportGate

    /// Creates a policy value.
    public init(name: String, unpoisonOriginRule: UnpoisonOriginRule, pageFreeRule: PageFreeRule, reportGate: ReportGate) {
        self.name = name
        self.unpoisonOriginRule = unpoisonOriginRule
        self.pageFreeRule = pageFreeRule
        self.reportGate = reportGate
    }

    /// Mainline KMSAN (Linux 6.1 and later).
    public static let mainline = KMSANPolicy(
        name: "mainline", unpoisonOriginRule: .clearOnlyCleanSlots,
        pageFreeRule: .poisonWithUseAfterFree, reportGate: .taskDepth)

    /// Every built-in profile, default first.
    public static var all: [KMSANPolicy] { [.mainline] }

    /// The profile's name.
    public var description: String { name }
}
