import KMSAN

/// Findings bucketed by report title (syzkaller's rule: one bucket per title, as a dashboard
/// shows them), each keeping its shortest reproducer.
public struct FindingBuckets: Sendable {
    /// One bucket.
    public struct Bucket: Sendable {
        /// The title (`KMSAN: uninit-value in fuzz_prog`).
        public var title: String
        /// The shortest program seen that produced it.
        public var reproducer: FuzzProgram
        /// The report it produced (the first with this title).
        public var report: KernelReport
        /// How many runs produced it.
        public var hits: Int
        /// The run that first produced it (1-based).
        public var firstRun: Int
        /// Whether `reproducer` has been minimized.
        public var isMinimized = false
    }

    /// Buckets by title.
    public private(set) var buckets: [String: Bucket] = [:]

    /// An empty set.
    public init() {}

    /// Titles in the order they were first found.
    public var titles: [String] { buckets.values.sorted { ($0.firstRun, $0.title) < ($1.firstRun, $1.title) }.map(\.title) }

    /// The frames syzkaller's `kernel-usb-infoleak` format skips for the title (pkg/report's
    /// Linux KMSAN formats): the USB core's submit paths, so a leak is titled after the driver.
    public static let usbInfoleakSkippedFrames: Set<String> = [
        "usb_submit_urb", "usb_start_wait_urb", "usb_bulk_msg", "usb_interrupt_msg", "usb_control_msg", "alloc_skb",
    ]

    /// The title a report is bucketed under: its own (`KMSAN: bug in header_function`), except
    /// that a `kernel-usb-infoleak` is titled after the first real frame past the USB core's
    /// submit paths, as syzbot titles it, so leaks through different drivers get buckets of
    /// their own instead of all landing on `usb_submit_urb`.
    public static func title(of report: KernelReport) -> String {
        guard report.tool == .kmsan, report.bugType.hasPrefix("kernel-usb-infoleak"),
              let frame = report.stack.first(where: { !$0.isInlined && !usbInfoleakSkippedFrames.contains($0.function) })
        else { return report.title }
        return "\(report.tool.rawValue): \(report.bugType) in \(frame.function)"
    }

    /// Files the reports of one run under their titles; returns the titles that are new.
    @discardableResult
    public mutating func record(_ reports: [KernelReport], program: FuzzProgram, run: Int) -> [String] {
        var new: [String] = []
        var seen = Set<String>()
        for report in reports {
            let title = Self.title(of: report)
            guard seen.insert(title).inserted else { continue }
            if record(title: title, report: report, program: program, run: run) { new.append(title) }
        }
        return new
    }

    /// Files one finding under `title` (a report's, or a difference's); true if the title is new.
    @discardableResult
    public mutating func record(title: String, report: KernelReport, program: FuzzProgram, run: Int) -> Bool {
        guard var bucket = buckets[title] else {
            buckets[title] = Bucket(title: title, reproducer: program, report: report, hits: 1, firstRun: run)
            return true
        }
        bucket.hits += 1
        if program.count < bucket.reproducer.count, !bucket.isMinimized {
            bucket.reproducer = program
            bucket.report = report
        }
        buckets[title] = bucket
        return false
    }

    /// Replaces a bucket's reproducer with its minimized form.
    public mutating func setMinimized(_ title: String, _ program: FuzzProgram, report: KernelReport) {
        guard var bucket = buckets[title] else { return }
        bucket.reproducer = program
        bucket.report = report
        bucket.isMinimized = true
        buckets[title] = bucket
    }

    /// Merges another worker's buckets (the shorter reproducer wins, hits add up).
    public mutating func merge(_ other: FindingBuckets, runOffset: Int = 0) {
        for (title, theirs) in other.buckets {
            if var mine = buckets[title] {
                mine.hits += theirs.hits
                if theirs.reproducer.count < mine.reproducer.count {
                    mine.reproducer = theirs.reproducer
                    mine.report = theirs.report
                    mine.isMinimized = theirs.isMinimized
                }
                mine.firstRun = min(mine.firstRun, theirs.firstRun + runOffset)
                buckets[title] = mine
            } else {
                var theirs = theirs
                theirs.firstRun += runOffset
                buckets[title] = theirs
            }
        }
    }
}
