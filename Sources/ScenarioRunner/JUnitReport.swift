/// A suite run as JUnit XML, the format GitHub Actions, GitLab and Jenkins show: one
/// `<testsuite>` per scenario file and one `<testcase>` per scenario, `classname` the file's path
/// with `/` as `.` (`Harnesses.skb.skb_transmit`), `time` in seconds. A failed scenario has a
/// `<failure>` whose message is the verdict's reason and whose text is its reports, in the
/// kernel's layout; a scenario left out by errors in its file is `<skipped>`; a file with parse
/// errors gets a testcase `(parse)` with an `<error>` listing them.
public enum JUnitReport {
    /// The document for `suite` and the `result` of running it.
    public static func xml(suite: ScenarioSuite, result: ScenarioSuiteResult, name: String = "kmsan-harness") -> String {
        var remaining = result.results[...]
        var body = ""
        var totals = (tests: 0, failures: 0, errors: 0, skipped: 0, time: 0.0)
        for file in suite.files {
            let results = remaining.prefix(file.scenarios.count)
            remaining = remaining.dropFirst(file.scenarios.count)
            let suiteName = KTAPWriter.suiteName(file.path)
            let classname = suiteName.drop { $0 == "/" }.replacingOccurrences(of: "/", with: ".")
            let failures = results.count { !$0.passed }, errors = file.diagnostics.isEmpty ? 0 : 1
            let time = results.reduce(0) { $0 + $1.duration }
            let tests = results.count + file.notRun + errors
            var cases = ""
            for r in results {
                let head = "    <testcase name=\"\(escape(r.name))\" classname=\"\(escape(classname))\" time=\"\(seconds(r.duration))\""
                if case .fail(let why) = r.verdict {
                    let text = r.reports.map(\.kernelText).joined() + r.verdictLine + "\n"
                    cases += head + ">\n      <failure message=\"\(escape(why))\" type=\"FAIL\">\(escape(text))</failure>\n"
                        + "    </testcase>\n"
                } else {
                    cases += head + "/>\n"
                }
            }
            for n in file.namesNotRun {
                cases += "    <testcase name=\"\(escape(n))\" classname=\"\(escape(classname))\" time=\"0\">\n"
                    + "      <skipped message=\"not run: the file has errors\"/>\n    </testcase>\n"
            }
            if errors > 0 {
                let text = file.diagnostics.map { "\($0)\n" }.joined()
                cases += "    <testcase name=\"(parse)\" classname=\"\(escape(classname))\" time=\"0\">\n"
                    + "      <error message=\"\(file.diagnostics.count) error(s) in \(escape(file.path))\" type=\"ParseError\">"
                    + escape(text) + "</error>\n    </testcase>\n"
            }
            body += "  <testsuite name=\"\(escape(suiteName))\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" "
                + "skipped=\"\(file.notRun)\" time=\"\(seconds(time))\">\n" + cases + "  </testsuite>\n"
            totals = (totals.tests + tests, totals.failures + failures, totals.errors + errors, totals.skipped + file.notRun,
                      totals.time + time)
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"\(escape(name))\" tests=\"\(totals.tests)\" failures=\"\(totals.failures)\" "
            + "errors=\"\(totals.errors)\" skipped=\"\(totals.skipped)\" time=\"\(seconds(totals.time))\">\n"
            + body + "</testsuites>\n"
    }

    /// Seconds with millisecond precision.
    static func seconds(_ t: Double) -> String {
        let ms = Int((max(0, t) * 1000).rounded())
        let frac = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }

    /// XML character data and attribute values: the five entities, and the control characters
    /// XML 1.0 forbids dropped (tab, newline and return are kept).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(c)
            default: if c.value >= 0x20 { out.unicodeScalars.append(c) }
            }
        }
        return out
    }
}
