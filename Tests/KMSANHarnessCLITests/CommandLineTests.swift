import ArgumentParser
import BundledPlugins
import Foundation
import HarnessCommandLine
import HarnessCore
import KMSAN
import Testing
@testable import kmsan_harness

/// The tool under test: the reusable command line with the bundled plugins.
private typealias Tool = HarnessCommand<KMSANHarness>

/// The command line of `kmsan-harness`: options, the `ops` listing and `run`'s exit statuses
/// (0 all passed, 1 a scenario failed, 2 a file had errors while the others still ran).
@Suite struct CommandLineTests {
    /// A folder of scenario files that exists for one test.
    private func folder(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kmsan-harness-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    /// The exit status `run` ends with for `arguments`.
    private func runStatus(_ arguments: [String]) throws -> Int32 {
        let command = try #require(try Tool.parseAsRoot(["run"] + arguments) as? RunCommand<KMSANHarness>)
        return try command.execute().status
    }

    private let passing = """
        scenario uninit_use
          expect KMSAN uninit-value in uninit_use
          r0 = kmalloc(4, GFP_KERNEL)
          r1 = load32(r0)
          use(r1)
        end
        """

    @Test func aPassingFolderExitsZero() throws {
        let dir = try folder(["a.scenario": passing])
        #expect(try runStatus([dir.path, "--format", "json"]) == 0)
    }

    @Test func aFailingScenarioExitsOne() throws {
        let dir = try folder(["a.scenario": passing.replacingOccurrences(of: "uninit-value", with: "use-after-free")])
        #expect(try runStatus([dir.path, "--format", "json"]) == 1)
    }

    /// A file with errors beside a good one: status 2, and the good file still ran (its
    /// scenario is in the JSON output, which the status alone would not show).
    @Test func aMalformedFileExitsTwo() throws {
        let dir = try folder(["a.scenario": passing, "b.scenario": "scenario broken\n  r0 = kmaloc(4, GFP_KERNEL)\nend\n"])
        #expect(try runStatus([dir.path, "--format", "json"]) == 2)
    }

    /// `--profile` sets the run's default: the page stays quiet after its free under rfc-v3.
    @Test func theProfileOptionChangesTheDefault() throws {
        let text = """
            scenario freed_page_read
              expect no-report
              r0 = alloc_pages(GFP_KERNEL|__GFP_ZERO, 0)
              r1 = page_address(r0)
              __free_pages(r0, 0)
              r2 = load8(r1)
              use(r2)
            end
            """
        let dir = try folder(["a.scenario": text])
        #expect(try runStatus([dir.path, "--format", "json", "--profile", "rfc-v3"]) == 0)
        #expect(try runStatus([dir.path, "--format", "json"]) == 1)
    }

    /// A scenario's own config line wins over `--profile`.
    @Test func aConfigLineWinsOverTheProfileOption() throws {
        let text = """
            scenario freed_page_read
              config profile=mainline
              expect KMSAN use-after-free in freed_page_read
              r0 = alloc_pages(GFP_KERNEL|__GFP_ZERO, 0)
              r1 = page_address(r0)
              __free_pages(r0, 0)
              r2 = load8(r1)
              use(r2)
            end
            """
        let dir = try folder(["a.scenario": text])
        #expect(try runStatus([dir.path, "--format", "json", "--profile", "rfc-v3"]) == 0)
    }

    /// A usage error is caught while parsing: exit status 64, the reason, then the usage.
    @Test func anUnknownProfileIsAUsageError() throws {
        #expect {
            _ = try Tool.parseAsRoot(["run", "--profile", "rfc-v4"])
        } throws: { error in
            Tool.exitCode(for: error).rawValue == 64
                && Tool.fullMessage(for: error).contains("unknown profile 'rfc-v4'; expected one of mainline, rfc-v3")
                && Tool.fullMessage(for: error).contains("Usage: kmsan-harness run")
        }
    }

    /// Twin: every built-in profile name is accepted.
    @Test(arguments: KMSANPolicy.all.map(\.name))
    func aKnownProfileIsAccepted(_ name: String) throws {
        let command = try #require(try Tool.parseAsRoot(["run", "--profile", name]) as? RunCommand<KMSANHarness>)
        #expect(try command.global.policy()?.name == name)
    }

    /// `ops` lists every op of the core and of each plugin, under its plugin.
    @Test func opsListsEveryOpByPlugin() throws {
        let plugins = try BundledPlugins.pluginSet()
        let listing = OpsListing.text(plugins)
        for op in plugins.ops {
            #expect(listing.contains(OpsListing.signature(of: op)), "\(op.name) missing")
        }
        let slab = try #require(listing.range(of: "plugin slub"))
        let kmalloc = try #require(listing.range(of: "r = kmalloc(size 0...4194304, gfp) -> slab-object"))
        #expect(slab.lowerBound < kmalloc.lowerBound)
        #expect(listing.contains("SLAB_CTOR_ZERO (slab-flags)"))
        #expect(listing.contains("config leak-check=on|off (default off)"))
    }

    /// `ops --format json` has one object per op (and per short form of one), config key,
    /// constant and resource kind, and its resources are the ones the ops declare.
    @Test func opsJSONCarriesResourcesAndRanges() throws {
        let command = try #require(try Tool.parseAsRoot(["ops", "--format", "json"]) as? OpsCommand<KMSANHarness>)
        let lines = try command.execute().standardOutput.split(separator: "\n")
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let plugins = try BundledPlugins.pluginSet()
        let ops = objects.filter { $0["type"] as? String == "op" }
        #expect(ops.filter { $0["shortForm"] as? Bool == false }.count == plugins.ops.count)
        #expect(ops.filter { $0["shortForm"] as? Bool == true }.count == plugins.ops.map(\.shortForms.count).reduce(0, +))
        let shortFill = try #require(ops.first { $0["name"] as? String == "usb_fill_bulk_urb" && $0["shortForm"] as? Bool == true })
        #expect((shortFill["parameters"] as? [[String: Any]])?.count == 5)
        #expect(objects.filter { $0["type"] as? String == "config" }.count == plugins.configKeys.count)
        let kfree = try #require(objects.first { $0["name"] as? String == "kfree" })
        let parameters = try #require(kfree["parameters"] as? [[String: Any]])
        #expect(parameters.first?["resource"] as? String == "slab-object")
        #expect(kfree["owner"] as? String == "slub")
        let order = try #require((objects.first { $0["name"] as? String == "alloc_pages" }?["parameters"] as? [[String: Any]])?.last)
        #expect(order["range"] as? [Int] == [0, 10])
        let slabObject = try #require(objects.first { $0["type"] as? String == "resource" && $0["name"] as? String == "slab-object" })
        #expect(slabObject["refines"] as? String == "address")
    }
}
