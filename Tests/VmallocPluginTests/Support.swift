import BundledPlugins
import HarnessCore
import HarnessTesting
import KMSAN
import KernelMemory
@testable import VmallocPlugin

/// The vmalloc tests' one fixture: the bundled plugins on a fresh machine, with the vmalloc
/// plugin's config keys set as asked.
func withVmalloc<R>(
    release: String = "area", multiShot: Bool = true, memory: Int = 32 << 20, _ body: (MachineFixture, VmallocAllocator) throws -> R
) throws -> R {
    let m = try MachineFixture(plugins: BundledPlugins.all, memory: memory) { c in
        c.pluginSettings[VmallocPlugin.vmallocRelease.name] = release
        c.pluginSettings[VmallocPlugin.kasanMultiShot.name] = multiShot ? "on" : "off"
    }
    defer { m.shutdown() }
    guard let v = m.machine.vmalloc as? VmallocAllocator else { throw FixtureError.noVmalloc }
    return try body(m, v)
}

enum FixtureError: Error { case noVmalloc }
