/// One finding of the simulated kernel's tools, with every fact its text shows.
///
/// `kernelText` renders it in the kernel's console layout; `jsonLine` as one JSON object.
public struct KernelReport: Sendable, Hashable {
    /// The tool that raised the report (the word after `BUG: `).
    public enum Tool: String, Sendable, Codable {
        /// The KMSAN runtime.
        case kmsan = "KMSAN"
        /// KASAN (the vmalloc shadow checks).
        case kasan = "KASAN"
        /// The harness itself: misuse of a simulated API.
        case harness = "HARNESS"
        /// A runtime warning (KMSAN_WARN_ON), not a BUG report.
        case warning = "WARNING"
    }

    /// Who raised it.
    public var tool: Tool
    /// The bug type (`uninit-value`, ...) or HARNESS error kind (`bad-access`, ...).
    public var bugType: String
    /// The frame the header names (`in <func>+0xOFF/0xSIZE`).
    public var headerFrame: SymbolizedFrame?
    /// The current stack, innermost first, runtime frames skipped.
    public var stack: [SymbolizedFrame]
    /// The origin description, one block per chain link, newest first (KMSAN only).
    public var origin: [OriginBlock]
    /// The raw origin handle that was reported (KMSAN only).
    public var originHandle: UInt32?
    /// `Byte(s) i[-j] of n ...` (range checks only).
    public var byteRange: ByteRange?
    /// `Memory access of size n starts at <address>` (range checks only), or the faulting address.
    public var accessAddress: UInt64?
    /// `Data copied to user address <address>` (copy to user only).
    public var userAddress: UInt64?
    /// KASAN's `Read|Write of size N` (KASAN only; the address is `accessAddress`).
    public var kasanAccess: KASANAccess?
    /// Extra lines: a HARNESS or WARNING explanation, or KASAN's access line.
    public var message: [String]
    /// CPU number of the CPU/PID/Comm line.
    public var cpu: Int
    /// PID of the CPU/PID/Comm line.
    public var pid: Int
    /// Task name of the CPU/PID/Comm line.
    public var comm: String
    /// The kernel's taint when this report was printed (what earlier reports set).
    public var taint: TaintFlags
    /// Kernel release printed in the CPU/PID/Comm line.
    public var release: String
    /// Whether `kmsan.panic` halted the machine after this report.
    public var panicked: Bool
    /// The stack `panic()` dumps, innermost first (`dump_stack_lvl`, `vpanic`, `panic`, the
    /// reporting function, then the whole current stack, runtime frames included); empty
    /// unless the report panicked.
    public var panicTrace: [SymbolizedFrame] = []
    /// The console layout of a KMSAN report (the policy's; other tools ignore it).
    public var layout: KMSANPolicy.ReportLayout

    /// The function the header names, without offset (what scenario expectations compare).
    public var function: String { headerFrame?.function ?? "(unknown)" }

    /// `BUG: KMSAN: uninit-value in f` without the offset: the kernel test suite's comparison key.
    public var title: String { "\(tool.rawValue): \(bugType) in \(function)" }

    /// Creates a report.
    public init(
        tool: Tool, bugType: String, headerFrame: SymbolizedFrame?, stack: [SymbolizedFrame],
        origin: [OriginBlock] = [], originHandle: UInt32? = nil, byteRange: ByteRange? = nil,
        accessAddress: UInt64? = nil, userAddress: UInt64? = nil, kasanAccess: KASANAccess? = nil, message: [String] = [],
        cpu: Int, pid: Int, comm: String, taint: TaintFlags = [], release: String, panicked: Bool = false,
        layout: KMSANPolicy.ReportLayout = .stackUnderHeader
    ) {
        self.tool = tool; self.bugType = bugType; self.headerFrame = headerFrame; self.stack = stack
        self.origin = origin; self.originHandle = originHandle; self.byteRange = byteRange
        self.accessAddress = accessAddress; self.userAddress = userAddress; self.kasanAccess = kasanAccess
        self.message = message
        self.cpu = cpu; self.pid = pid; self.comm = comm; self.taint = taint; self.release = release
        self.panicked = panicked; self.layout = layout
    }
}

/// The bug types KMSAN reports: a reason times the UAF bit of the reported origin.
public enum KMSANBugType: String, Sendable, CaseIterable {
    /// Use of uninitialized memory.
    case uninitValue = "uninit-value"
    /// Use of memory whose origin is a free.
    case useAfterFree = "use-after-free"
    /// Uninitialized bytes copied to user space.
    case kernelInfoleak = "kernel-infoleak"
    /// Freed bytes copied to user space.
    case kernelInfoleakAfterFree = "kernel-infoleak-after-free"
    /// Uninitialized bytes sent to a USB device.
    case kernelUSBInfoleak = "kernel-usb-infoleak"
    /// Freed bytes sent to a USB device.
    case kernelUSBInfoleakAfterFree = "kernel-usb-infoleak-after-free"

    /// The bug type for a reason and the UAF bit, as `kmsan_report()` picks it.
    public init(reason: KMSANReportReason, useAfterFree: Bool) {
        switch reason {
        case .any: self = useAfterFree ? .useAfterFree : .uninitValue
        case .copyToUser: self = useAfterFree ? .kernelInfoleakAfterFree : .kernelInfoleak
        case .submitURB: self = useAfterFree ? .kernelUSBInfoleakAfterFree : .kernelUSBInfoleak
        }
    }
}

/// Why a check reports (`enum kmsan_bug_reason`).
public enum KMSANReportReason: Sendable {
    /// Any use: branches, `kmsan_check_memory`, DMA to a device, eager parameter checks.
    case any
    /// `copy_to_user` and friends.
    case copyToUser
    /// Submitting an OUT URB.
    case submitURB
}

/// One block of a KMSAN origin description.
public struct OriginBlock: Sendable, Hashable, Codable {
    /// What the block says.
    public enum Kind: String, Sendable, Codable {
        /// `Uninit was stored to memory at:` (a chain link).
        case storedAt = "stored"
        /// `Uninit was created at:` (the allocation or poisoning).
        case createdAt = "created"
        /// `Local variable <name> created at:`.
        case localVariable = "local"
    }

    /// What the block says.
    public var kind: Kind
    /// Its frames, innermost first, runtime frames skipped.
    public var frames: [SymbolizedFrame]
    /// The variable's name, for local-variable origins.
    public var variable: String?
    /// Whether `<Zero or more stacks not recorded to save memory>` precedes it (a depth-7 link).
    public var truncatedBefore: Bool

    /// Creates a block.
    public init(kind: Kind, frames: [SymbolizedFrame], variable: String? = nil, truncatedBefore: Bool = false) {
        self.kind = kind; self.frames = frames; self.variable = variable; self.truncatedBefore = truncatedBefore
    }
}

/// The uninitialized bytes of a range check: offsets from the start of the checked range.
public struct ByteRange: Sendable, Hashable, Codable {
    /// First uninitialized byte.
    public var first: Int
    /// Last uninitialized byte.
    public var last: Int
    /// Size of the whole checked range.
    public var size: Int

    /// Creates a range.
    public init(first: Int, last: Int, size: Int) { self.first = first; self.last = last; self.size = size }
}
