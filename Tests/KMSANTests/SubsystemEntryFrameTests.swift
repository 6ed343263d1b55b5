import HarnessTesting
import KMSAN
import KernelMemory
import Testing

/// Which function a HARNESS header names: the caller of the innermost run of subsystem entry
/// frames (frames interned with `role: .subsystemEntry`), as the kernel skips by name.
@Suite struct SubsystemEntryFrameTests {
    private func entry(_ m: MachineFixture, _ name: String) -> CallSite {
        m.runtime.symbols.site(in: name, file: "mm/test.c", line: 1, role: .subsystemEntry)
    }

    private func ordinary(_ m: MachineFixture, _ name: String) -> CallSite {
        m.runtime.symbols.site(in: name, file: "mm/test.c", line: 2)
    }

    @Test func theHeaderNamesTheCallerOfTheEntryFrame() throws {
        let m = try MachineFixture()
        m.run("test_caller") {
            m.cpu.call(entry(m, "kfree")) {
                m.cpu.call(ordinary(m, "slab_free")) { m.runtime.reportHarnessFinding(.doubleFree, "twice", on: m.cpu) }
            }
        }
        #expect(m.titles == ["HARNESS: double-free in test_caller"])
        #expect(m.reports.first?.stack.map(\.function) == ["slab_free", "kfree", "test_caller"])
    }

    /// Twin: without an entry frame the header names the innermost frame.
    @Test func withoutAnEntryFrameTheHeaderNamesTheInnermostFrame() throws {
        let m = try MachineFixture()
        m.run("test_caller") {
            m.cpu.call(ordinary(m, "helper")) { m.runtime.reportHarnessFinding(.misuse, "bad", on: m.cpu) }
        }
        #expect(m.titles == ["HARNESS: misuse in helper"])
    }

    /// An entry calling an entry (`free_pages` calls `__free_pages`) is one run of entry frames.
    @Test func nestedEntryFramesAreSkippedTogether() throws {
        let m = try MachineFixture()
        m.run("test_caller") {
            m.cpu.call(entry(m, "free_pages")) {
                m.cpu.call(entry(m, "__free_pages")) { m.runtime.reportHarnessFinding(.invalidFree, "bad", on: m.cpu) }
            }
        }
        #expect(m.titles == ["HARNESS: invalid-free in test_caller"])
    }

    /// A subsystem calling another one's API (the slab freeing its pages) is named: only the
    /// innermost run is skipped.
    @Test func anOuterSubsystemCallingAnEntryIsNamed() throws {
        let m = try MachineFixture()
        m.run("test_caller") {
            m.cpu.call(entry(m, "kfree")) {
                m.cpu.call(ordinary(m, "__free_slab")) {
                    m.cpu.call(entry(m, "__free_pages")) { m.runtime.reportHarnessFinding(.invalidFree, "bad", on: m.cpu) }
                }
            }
        }
        #expect(m.titles == ["HARNESS: invalid-free in __free_slab"])
    }

    /// The mark belongs to the function: another site of a marked function is an entry too.
    @Test func theMarkIsTheFunctions() throws {
        let m = try MachineFixture()
        _ = entry(m, "kfree")
        let other = m.runtime.symbols.site(in: "kfree", file: "mm/slub.c", line: 99)
        #expect(m.runtime.symbols.isSubsystemEntry(other.address))
        #expect(!m.runtime.symbols.isSubsystemEntry(ordinary(m, "kmalloc").address))
    }
}
