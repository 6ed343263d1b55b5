import KernelMemory

/// A suite run as KTAP version 1, the way KUnit prints it (Documentation/dev-tools/ktap.rst in
/// the kernel tree), so tools/testing/kunit/kunit.py, KernelCI and LAVA can read the results:
///
/// ```
/// KTAP version 1
/// 1..<files>
///     KTAP version 1
///     # Subtest: Harnesses/skb/skb_transmit
///     1..<scenarios>
/// <each report's kernel text, unindented, as the console interleaves printk with the results>
///     # <scenario>: <why it failed>
///     not ok 1 <scenario>
///     ok 2 <scenario>
///     ok 3 <scenario> # SKIP not run: the file has errors
///     # Harnesses/skb/skb_transmit: pass:1 fail:1 skip:1 total:3
/// not ok 1 Harnesses/skb/skb_transmit
/// # Totals: pass:1 fail:1 skip:1 total:3
/// ```
///
/// One subtest (a KUnit suite) per scenario file, named after its path without `.scenario`;
/// a file's parse errors are diagnostic lines of its subtest, which then fails. Results arrive
/// in suite order (`ScenarioSuite.run`'s `onResult`), and each is written as it comes.
public final class KTAPWriter: Sendable {
    private struct Progress: Sendable {
        var file = 0
        var done = 0
        var opened = false
        var counts = (pass: 0, fail: 0, skip: 0)
        var totals = (pass: 0, fail: 0, skip: 0)
    }

    private let files: [ScenarioSuite.File]
    private let write: @Sendable (String) -> Void
    private let progress = Locked(Progress())

    /// A writer for `suite`'s run, writing each piece through `write`.
    public init(suite: ScenarioSuite, write: @escaping @Sendable (String) -> Void) {
        files = suite.files
        self.write = write
    }

    /// The suite's name for a scenario file: its path without the `.scenario` extension.
    public static func suiteName(_ path: String) -> String {
        path.hasSuffix(".scenario") ? String(path.dropLast(".scenario".count)) : path
    }

    /// The version line and the plan (one test per file).
    public func start() {
        write("KTAP version 1\n1..\(files.count)\n")
    }

    /// One scenario's reports, diagnostic and result line, inside its file's subtest.
    public func record(_ result: ScenarioResult) {
        progress.withLock { p in
            while p.file < files.count, p.done == files[p.file].scenarios.count { close(&p) }
            guard p.file < files.count else { return }
            open(&p)
            p.done += 1
            var text = result.reports.map(\.kernelText).joined()
            if case .fail(let why) = result.verdict {
                text += "    # \(result.name): \(why)\n    not ok \(p.done) \(result.name)\n"
                p.counts.fail += 1
            } else {
                text += "    ok \(p.done) \(result.name)\n"
                p.counts.pass += 1
            }
            write(text)
        }
    }

    /// Closes every file still open or not yet written, then the totals.
    public func finish() {
        progress.withLock { p in
            while p.file < files.count { close(&p) }
            let t = p.totals
            write("# Totals: pass:\(t.pass) fail:\(t.fail) skip:\(t.skip) total:\(t.pass + t.fail + t.skip)\n")
        }
    }

    /// The current file's subtest header, once.
    private func open(_ p: inout Progress) {
        guard !p.opened else { return }
        p.opened = true
        let file = files[p.file]
        var text = "    KTAP version 1\n    # Subtest: \(Self.suiteName(file.path))\n"
        for d in file.diagnostics { text += "    # \(d)\n" }
        text += "    1..\(file.scenarios.count + file.notRun)\n"
        write(text)
    }

    /// The current file's skipped scenarios, counts and result line; on to the next file.
    private func close(_ p: inout Progress) {
        open(&p)
        let file = files[p.file]
        var text = ""
        for name in file.namesNotRun {
            p.done += 1
            p.counts.skip += 1
            text += "    ok \(p.done) \(name) # SKIP not run: the file has errors\n"
        }
        let c = p.counts, name = Self.suiteName(file.path)
        text += "    # \(name): pass:\(c.pass) fail:\(c.fail) skip:\(c.skip) total:\(c.pass + c.fail + c.skip)\n"
        let failed = c.fail > 0 || !file.diagnostics.isEmpty
        let empty = c.pass + c.fail + c.skip == 0
        text += failed ? "not ok \(p.file + 1) \(name)\n" : empty ? "ok \(p.file + 1) \(name) # SKIP no scenario ran\n"
            : "ok \(p.file + 1) \(name)\n"
        write(text)
        p.totals = (p.totals.pass + c.pass, p.totals.fail + c.fail, p.totals.skip + c.skip)
        p = Progress(file: p.file + 1, totals: p.totals)
    }
}
