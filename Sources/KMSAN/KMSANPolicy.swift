/// The places where KMSAN runtimes of different kernels behave differently, as one value.
///
/// The runtime asks its policy at each divergence point instead of forking code paths per
/// kernel, so a further profile is a new `KMSANPolicy` value. `mainline` is Linux 6.1+;
/// `rfcV3` is the 2019 RFC v3 patch series ("kmsan: add KMSAN runtime"), whose rules differ
/// in the six places below. Hot paths read the policy once per call, never per byte.
public struct KMSANPolicy: Sendable, Equatable, CustomStringConvertible {
    /// What unpoisoning (origin 0) does to the origin slots the range touches.
    public enum UnpoisonOriginRule: Sendable, Equatable {
        /// Clear a slot only when all 4 of its shadow bytes are now zero (mainline
        /// `kmsan_internal_set_origin()`; google/kmsan#70 fixed, covered by test_unpoison_memory).
        case clearOnlyCleanSlots
        /// Write 0 over every touched slot, losing the origin of bytes still poisoned (RFC v3
        /// `kmsan_internal_set_origin()`, see its TODO "writing an initialized byte shouldn't
        /// zero out the origin, if the remaining three bytes are uninitialized").
        case overwriteWholeSlots
    }

    /// How the metadata copy of memcpy/memmove/`kmsan_memmove` moves origins.
    public enum MemmoveOriginRule: Sendable, Equatable {
        /// Per byte: a poisoned byte writes the chained origin of its own source slot into the
        /// slot that holds it in the destination; a clean byte clears a destination slot only
        /// if the whole slot is now clean (mainline `kmsan_internal_memmove_metadata()`, the fix
        /// covered by test_memcpy_initialized_gap). An untracked source unpoisons the destination.
        case perByte
        /// Per 4-byte slot index (RFC v3 `kmsan_memcpy_memmove_metadata()`): the shadow is copied
        /// byte for byte, then destination slot *i* (counted from `dst` rounded down to 4) gets
        /// the chained origin of source slot *i* (from `src` rounded down) if that source slot's
        /// shadow word, masked at the range's ends as the seed masks it, is nonzero, and 0
        /// otherwise, whatever the destination slot still holds. Only `min(src_slots, dst_slots)`
        /// slots are written. An untracked source zeroes the destination shadow and leaves its
        /// origins alone.
        case perSlotIndex
    }

    /// What freeing pages does to their metadata.
    public enum PageFreeRule: Sendable, Equatable {
        /// Poison all `PAGE_SIZE << order` bytes with a use-after-free origin (mainline).
        case poisonWithUseAfterFree
        /// Release the pages' shadow and origin pages, leaving them untracked until the next
        /// allocation gives them fresh metadata (RFC v3 `kmsan_free_page()`; mainline keeps
        /// metadata for every page and poisons it on free instead).
        case releaseMetadata
    }

    /// Which per-task state decides whether a report may be printed.
    public enum ReportGate: Sendable, Equatable {
        /// `current->kmsan_ctx.depth` must be zero; `kmsan_disable_current()` and
        /// `kmsan_enable_current()` nest, and an unbalanced enable is a runtime warning (mainline).
        case taskDepth
        /// The task's `allow_reporting` flag (RFC v3 `struct kmsan_task_state`), checked by
        /// `kmsan_report()` on `current` even inside interrupts and cleared by `kmsan_task_exit()`.
        /// The seed has no disable/enable calls; here disable clears the flag and enable sets it,
        /// without nesting or underflow checks, the way the seed's `kmsan_report()` clears and
        /// sets it around a report.
        case allowReportingFlag
    }

    /// How a KMSAN report is laid out on the console.
    public enum ReportLayout: String, Sendable, Hashable, Codable {
        /// Mainline `kmsan_report()`: the current stack right under the header, the origin,
        /// the byte range, then the CPU/PID/Comm and hardware lines at the end.
        case stackUnderHeader = "mainline"
        /// RFC v3 `kmsan_report()`: `dump_stack()` right after the header (CPU/PID/Comm line,
        /// `Hardware name:`, `Call Trace:` and the frames), a blank line, the origin in the
        /// seed's `kmsan_print_origin()` wording (`Local variable description:`, `No stack`, no
        /// "stacks not recorded" line), the byte range, the separator; panics say `panic_on_warn`.
        case dumpStackAfterHeader = "rfc-v3"
    }

    /// Where transmitted network data is checked.
    public enum SkbTransmitCheck: Sendable, Equatable {
        /// Mainline has no skb hook: a NIC driver's `dma_map_*` of the head and of each fragment
        /// runs `kmsan_handle_dma`, so uninitialized bytes are reported at the mapping.
        case atDMAMapping
        /// RFC v3's `kmsan_check_skb(skb)` on the transmit path, as the seed wrote it: the head
        /// (`skb_headlen` bytes), then the frag list recursively. Its fragment loop hands
        /// `skb_frag_foreach_page` a length of 0 (`copy` is never set), so no page fragment is
        /// ever checked; `KMSANRuntime.checkSkb` reproduces that. The transmit path then
        /// hands the data to the device with no streaming DMA hook of its own.
        case kmsanCheckSkb
    }

    /// The profile's name (`mainline`, `rfc-v3`).
    public var name: String
    /// Unpoisoning and origin slots.
    public var unpoisonOriginRule: UnpoisonOriginRule
    /// Origins in the memcpy/memmove metadata copy.
    public var memmoveOriginRule: MemmoveOriginRule
    /// Page free and metadata.
    public var pageFreeRule: PageFreeRule
    /// Report gating.
    public var reportGate: ReportGate
    /// Report text layout.
    public var reportLayout: ReportLayout
    /// The transmit path's check of network data.
    public var skbTransmitCheck: SkbTransmitCheck

    /// Creates a policy value.
    public init(
        name: String, unpoisonOriginRule: UnpoisonOriginRule, memmoveOriginRule: MemmoveOriginRule,
        pageFreeRule: PageFreeRule, reportGate: ReportGate, reportLayout: ReportLayout,
        skbTransmitCheck: SkbTransmitCheck = .atDMAMapping
    ) {
        self.name = name
        self.unpoisonOriginRule = unpoisonOriginRule
        self.memmoveOriginRule = memmoveOriginRule
        self.pageFreeRule = pageFreeRule
        self.reportGate = reportGate
        self.reportLayout = reportLayout
        self.skbTransmitCheck = skbTransmitCheck
    }

    /// Mainline KMSAN (Linux 6.1 and later).
    public static let mainline = KMSANPolicy(
        name: "mainline", unpoisonOriginRule: .clearOnlyCleanSlots, memmoveOriginRule: .perByte,
        pageFreeRule: .poisonWithUseAfterFree, reportGate: .taskDepth, reportLayout: .stackUnderHeader)

    /// The 2019 RFC v3 runtime (the "KMSAN: KernelMemorySanitizer" RFC v3 series on linux-mm).
    public static let rfcV3 = KMSANPolicy(
        name: "rfc-v3", unpoisonOriginRule: .overwriteWholeSlots, memmoveOriginRule: .perSlotIndex,
        pageFreeRule: .releaseMetadata, reportGate: .allowReportingFlag, reportLayout: .dumpStackAfterHeader,
        skbTransmitCheck: .kmsanCheckSkb)

    /// Every built-in profile, default first.
    public static var all: [KMSANPolicy] { [.mainline, .rfcV3] }

    /// The profile's name.
    public var description: String { name }
}
