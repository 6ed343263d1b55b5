/// What a report is, typed: the tool and its bug type, as the header `BUG: <TOOL>: <type>`
/// prints them. `KernelReport` keeps the printed strings (for text, JSON and expectations that
/// come from files); `kind` reads them back as this type.
public enum ReportKind: Sendable, Hashable, CustomStringConvertible {
    /// A KMSAN report.
    case kmsan(KMSANBugType)
    /// A KASAN report.
    case kasan(KASANBugType)
    /// A finding of the harness itself (misuse of a simulated API).
    case harness(HarnessErrorKind)
    /// A kernel warning that is not a bug report.
    case warning(WarningKind)

    /// The tool.
    public var tool: KernelReport.Tool {
        switch self {
        case .kmsan: .kmsan
        case .kasan: .kasan
        case .harness: .harness
        case .warning: .warning
        }
    }

    /// The bug type as printed.
    public var bugType: String {
        switch self {
        case .kmsan(let t): t.rawValue
        case .kasan(let t): t.rawValue
        case .harness(let t): t.rawValue
        case .warning(let t): t.rawValue
        }
    }

    /// The kind a tool and a printed bug type name, if it is one of the known ones.
    public init?(tool: KernelReport.Tool, bugType: String) {
        switch tool {
        case .kmsan: guard let t = KMSANBugType(rawValue: bugType) else { return nil }; self = .kmsan(t)
        case .kasan: guard let t = KASANBugType(rawValue: bugType) else { return nil }; self = .kasan(t)
        case .harness: guard let t = HarnessErrorKind(rawValue: bugType) else { return nil }; self = .harness(t)
        case .warning: guard let t = WarningKind(rawValue: bugType) else { return nil }; self = .warning(t)
        }
    }

    /// Every bug type `tool` can print, in a stable order.
    public static func bugTypes(of tool: KernelReport.Tool) -> [String] {
        switch tool {
        case .kmsan: KMSANBugType.allCases.map(\.rawValue)
        case .kasan: KASANBugType.allCases.map(\.rawValue)
        case .harness: HarnessErrorKind.allCases.map(\.rawValue)
        case .warning: WarningKind.allCases.map(\.rawValue)
        }
    }

    /// `KMSAN: uninit-value`.
    public var description: String { "\(tool.rawValue): \(bugType)" }
}

extension KernelReport {
    /// The typed kind of the report, if its bug type is a known one.
    public var kind: ReportKind? { ReportKind(tool: tool, bugType: bugType) }
}

/// The bug types generic KASAN prints (mm/kasan/report_generic.c `get_shadow_bug_type`,
/// `get_wild_bug_type`, and the free checks of mm/kasan/report.c).
public enum KASANBugType: String, Sendable, CaseIterable {
    /// A shadow byte 0x00-0x07 past the access, or a size that wraps.
    case outOfBounds = "out-of-bounds"
    /// A slab or page redzone.
    case slabOutOfBounds = "slab-out-of-bounds"
    /// A global's redzone.
    case globalOutOfBounds = "global-out-of-bounds"
    /// A stack redzone.
    case stackOutOfBounds = "stack-out-of-bounds"
    /// KASAN_VMALLOC_INVALID: vmalloc space with no live mapping.
    case vmallocOutOfBounds = "vmalloc-out-of-bounds"
    /// Freed memory.
    case useAfterFree = "use-after-free"
    /// A freed slab object (newer kernels).
    case slabUseAfterFree = "slab-use-after-free"
    /// A freed vmalloc area.
    case vmallocUseAfterFree = "vmalloc-use-after-free"
    /// A second free.
    case doubleFree = "double-free"
    /// A free of what was never allocated.
    case invalidFree = "invalid-free"
    /// An address with no shadow above TASK_SIZE.
    case wildMemoryAccess = "wild-memory-access"
    /// An address below PAGE_SIZE.
    case nullPointerDereference = "null-ptr-deref"
    /// An address below TASK_SIZE.
    case userMemoryAccess = "user-memory-access"
}

/// The kernel warnings the harness prints (`WARNING:` blocks, not bug reports).
public enum WarningKind: String, Sendable, CaseIterable {
    /// KMSAN_WARN_ON: KMSAN found an internal inconsistency and disabled itself.
    case kmsanDisabled = "kmsan-disabled"
    /// `warn_alloc`: a page allocation failed.
    case pageAllocationFailure = "page-allocation-failure"
    /// `alloc_pages` with an order above MAX_PAGE_ORDER.
    case allocOrderAboveMax = "alloc-order-above-max"
    /// mm/slub.c `new_slab`: `WARN_ON_ONCE(s->ctor && (flags & __GFP_ZERO))`, a new slab for a
    /// cache with a constructor requested with `__GFP_ZERO` (the zeroing would undo the
    /// constructor).
    case constructorWithGFPZero = "ctor-with-gfp-zero"
    /// A plugin found its own bookkeeping broken (a WARN_ON in the subsystem's code, as the
    /// vmalloc plugin's shadow invariants): a bug in the plugin, never the caller's.
    case pluginInvariant = "plugin-invariant"

    /// The taint the warning adds after it is printed: `WARN()` and `WARN_ON_ONCE()` add
    /// TAINT_WARN in `__warn` (kernel/panic.c); `warn_alloc` only dumps the stack.
    public var taint: TaintFlags {
        switch self {
        case .kmsanDisabled, .allocOrderAboveMax, .constructorWithGFPZero, .pluginInvariant: .warn
        case .pageAllocationFailure: []
        }
    }
}

/// The access a KASAN report is about: `Read of size 8 at addr ...`.
public struct KASANAccess: Sendable, Hashable, Codable {
    /// Whether the access writes.
    public enum Direction: String, Sendable, Hashable, Codable {
        /// A load.
        case read = "Read"
        /// A store.
        case write = "Write"
    }

    /// Read or write.
    public var direction: Direction
    /// Its size in bytes (0 for accesses of unknown size, printed without `of size`).
    public var size: Int

    /// Creates an access.
    public init(_ direction: Direction, size: Int) {
        self.direction = direction
        self.size = size
    }
}
