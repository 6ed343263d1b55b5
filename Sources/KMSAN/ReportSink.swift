import KernelMemory
import Synchronization

/// Where a machine's reports go. Sinks are shared by every CPU of a machine, so they must
/// be thread-safe; the runtime calls `receive` with its report lock held, one report at a time.
public protocol ReportSink: Sendable {
    /// Takes one report.
    func receive(_ report: KernelReport)
}

/// Keeps reports in memory, in the order they were raised.
public final class InMemoryReportSink: ReportSink {
    private let storage = Locked<[KernelReport]>([])

    /// Creates an empty sink.
    public init() {}

    /// Stores the report.
    public func receive(_ report: KernelReport) { storage.withLock { $0.append(report) } }

    /// All reports so far.
    public var reports: [KernelReport] { storage.withLock { $0 } }

    /// Removes and returns all reports so far.
    public func drain() -> [KernelReport] { storage.withLock { r in defer { r.removeAll() }; return r } }
}

/// Writes each report as text (the kernel's layout, or JSON lines) to a writer function,
/// e.g. standard output or a file.
public final class TextStreamReportSink: ReportSink {
    /// How reports are rendered.
    public enum Format: Sendable {
        /// The kernel's console layout.
        case kernel
        /// One JSON object per line.
        case jsonLines
    }

    private let format: Format
    private let write: @Sendable (String) -> Void

    /// Creates a sink that passes rendered reports to `write`.
    public init(format: Format = .kernel, write: @escaping @Sendable (String) -> Void) {
        self.format = format
        self.write = write
    }

    /// Renders and writes the report.
    public func receive(_ report: KernelReport) {
        switch format {
        case .kernel: write(report.kernelText)
        case .jsonLines: write(report.jsonLine + "\n")
        }
    }
}

/// Passes every report to several sinks, in order.
public struct MultiplexReportSink: ReportSink {
    /// The sinks.
    public let sinks: [any ReportSink]

    /// Creates a multiplexer.
    public init(_ sinks: [any ReportSink]) { self.sinks = sinks }

    /// Passes the report on.
    public func receive(_ report: KernelReport) { for s in sinks { s.receive(report) } }
}
