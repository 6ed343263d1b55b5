import BundledPlugins
import HarnessCore
import HarnessTesting
import KMSAN
import KernelMemory
import SKBPlugin
import Testing

/// sk_buffs through the Swift API a driver plugin uses: dataref shared by clones, ownership
/// handed to a driver's transmit and to the receive queue, absurd sizes, and restore.
@Suite struct SkbLifetimeTests {
    static func fixture(leakCheck: Bool = false) throws -> MachineFixture {
        try MachineFixture(plugins: BundledPlugins.all, memory: 16 << 20, leakCheck: leakCheck)
    }

    /// Collects what a driver's transmit saw.
    final class Seen: @unchecked Sendable {
        var transmitted: [KernelAddress] = []
    }

    @Test func aCloneKeepsTheHeadUntilTheLastReference() throws {
        let m = try Self.fixture(leakCheck: true)
        defer { m.shutdown() }
        let skb = try #require(m.machine.skb), slab = try #require(m.machine.slab)
        m.run("test_fn") {
            guard let a = skb.allocSkb(100, gfp: .kernel, on: m.cpu), let head = skb.field(.data, of: a) else { return }
            #expect(skb.field(.tailroom, of: a).map { $0 >= 100 } == true)
            let b = skb.clone(a, gfp: .atomic, on: m.cpu)
            #expect(b.flatMap { skb.field(.data, of: $0) } == head)
            skb.free(a, .drop, on: m.cpu)
            #expect(slab.ksize(KernelAddress(head), on: m.cpu) > 0)
            if let b { skb.free(b, .consume, on: m.cpu) }
            #expect(skb.field(.len, of: a) == nil)
        }
        #expect(m.reports.isEmpty, "\(m.titles)")
        #expect(skb.outstandingAllocations().isEmpty)
    }

    @Test func anSkbNeverFreedIsOutstanding() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let skb = try #require(m.machine.skb)
        let a = m.run("test_fn") { skb.allocSkb(64, gfp: .kernel, on: m.cpu) }
        #expect(a != nil)
        #expect(skb.outstandingAllocations().map(\.address) == [a?.raw ?? 0])
    }

    @Test func aDriversTransmitOwnsTheSkbAndFreesIt() throws {
        let m = try Self.fixture(leakCheck: true)
        defer { m.shutdown() }
        let skb = try #require(m.machine.skb)
        let seen = Seen()
        m.run("test_fn") {
            let net = skb.registerNetDevice(named: "drv0", operations: NetDeviceOperations { s, _, cpu in
                seen.transmitted.append(s)
                skb.free(s, .consume, on: cpu)
            }, on: m.cpu)
            guard let a = skb.allocSkb(64, gfp: .kernel, on: m.cpu) else { return }
            #expect(skb.queueTransmit(a, device: net, on: m.cpu) == 0)
            #expect(seen.transmitted == [a])
            #expect(skb.field(.len, of: a) == nil)
        }
        #expect(m.reports.isEmpty, "\(m.titles)")
    }

    @Test func theReceiveQueueHoldsAnSkbUntilItIsTaken() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let skb = try #require(m.machine.skb)
        m.run("test_fn") {
            let net = skb.registerNetDevice(named: "drv0", operations: NetDeviceOperations { s, _, cpu in
                skb.free(s, .drop, on: cpu)
            }, on: m.cpu)
            guard let a = skb.netdevAllocSkb(net, length: 64, on: m.cpu) else { return }
            skb.netifRx(a, on: m.cpu)
            skb.free(a, .drop, on: m.cpu)
            #expect(skb.receiveNext(from: net, on: m.cpu) == a)
            #expect(skb.receiveNext(from: net, on: m.cpu) == nil)
            skb.free(a, .drop, on: m.cpu)
        }
        #expect(m.titles == ["HARNESS: misuse in test_fn"])
    }

    @Test func absurdArgumentsFailCleanly() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let skb = try #require(m.machine.skb)
        m.run("test_fn") {
            #expect(skb.allocSkb(-1, gfp: .kernel, on: m.cpu) == nil)
            #expect(skb.allocSkb(Int.max, gfp: .kernel, on: m.cpu) == nil)
            #expect(skb.allocSkb(1 << 30, gfp: .kernel, on: m.cpu) == nil)
            guard let a = skb.allocSkb(64, gfp: .kernel, on: m.cpu) else { return }
            #expect(skb.put(a, Int.max, on: m.cpu) == nil)
            #expect(skb.push(a, Int.min, on: m.cpu) == nil)
            #expect(skb.pull(a, Int.max, on: m.cpu) == nil)
            #expect(skb.copyDatagram(a, offset: Int.max, to: KernelAddress(0x10000), length: Int.max, on: m.cpu) == -14)
            skb.reserve(a, Int.min, on: m.cpu)
            #expect(skb.field(.headroom, of: a) == 0)
            skb.free(a, .drop, on: m.cpu)
        }
        // skb_over_panic, skb_under_panic, and the reserve outside the head; no allocator warning.
        #expect(m.titles == Array(repeating: "HARNESS: misuse in test_fn", count: 3), "\(m.titles)")
    }

    @Test func restoringTheStateBringsBackTheSkbs() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let skb = try #require(m.machine.skb)
        let a = m.run("test_fn") { skb.allocSkb(64, gfp: .kernel, on: m.cpu) }
        let saved = try #require(skb.saveState())
        m.run("test_fn") { if let a { skb.free(a, .drop, on: m.cpu) } }
        #expect(a.flatMap { skb.field(.len, of: $0) } == nil)
        skb.restoreState(saved)
        #expect(a.flatMap { skb.field(.len, of: $0) } == 0)
    }
}
