import HarnessTesting
import KMSAN
import KernelMemory
import Testing

extension MachineFixture {
    /// Runs the program whose report shows every KMSAN block (a chain link stored at
    /// `helper_copy`, a creation stack, a byte range and an access line) and returns its first
    /// report. The report-layout tests compare its text under each profile.
    func chainedReport() throws -> KernelReport {
        run {
            let src = allocPages()
            let dst = allocPages(gfp: [.kernel, .zero])
            cpu.setCurrentSite(runtime.symbols.site(in: "test_case", file: "test", line: 7))
            cpu.call(runtime.symbols.site(in: "helper_copy", file: "test", line: 20)) {
                runtime.memcpy(dst, src, count: 8, on: cpu)
            }
            cpu.setCurrentSite(runtime.symbols.site(in: "test_case", file: "test", line: 8))
            runtime.checkMemory(dst + 2, size: 4, on: cpu)
        }
        return try #require(reports.first)
    }
}
