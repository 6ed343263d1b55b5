import BundledPlugins
import HarnessCore
import HarnessTesting
import KMSAN
import KernelMemory
import Testing
import UserMemoryPlugin

/// get_user, put_user and strncpy_from_user at their edges: absurd counts and addresses end
/// in -EFAULT without a report, put_user's temporary leaves the stack as it found it, and sizes
/// the kernel cannot build are an OpError.
@Suite struct UserValueAndNameTests {
    static func fixture() throws -> MachineFixture { try MachineFixture(plugins: BundledPlugins.all, memory: 16 << 20) }

    static func user(_ m: MachineFixture) throws -> UserMemory {
        try #require(m.machine.state(ofPlugin: "user-memory", as: UserMemory.self))
    }

    @Test func putUserFreesItsTemporaryEveryTime() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let user = try Self.user(m)
        // Stack room is 16 KiB: 5000 8-byte temporaries that were never freed would overflow it.
        let results = m.run("test_fn") { () -> Set<Int> in
            let u = user.allocate(64, on: m.cpu)
            return Set((0..<5000).map { user.putUser(.initialized(UInt64($0)), to: u, on: m.cpu) })
        }
        #expect(results == [0])
        #expect(m.reports.isEmpty)
    }

    @Test func putUserOfAnUninitValueReportsInTheCaller() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let user = try Self.user(m)
        m.run("test_fn") {
            let u = user.allocate(64, on: m.cpu)
            let local = m.runtime.local(size: 2, name: "v", on: m.cpu)
            m.runtime.store(.initialized(1, width: .bits8), to: local, on: m.cpu)
            #expect(user.putUser(m.runtime.load(.bits16, from: local, on: m.cpu), to: u, on: m.cpu) == 0)
        }
        #expect(m.titles == ["KMSAN: kernel-infoleak in test_fn"])
        #expect(m.reports.first?.byteRange.map { [$0.first, $0.last, $0.size] } == [1, 1, 2])
    }

    /// Found by the fuzzer: the hook's kernel-destination path on a range that wraps past the top
    /// of the address space crashed the host when moving metadata.
    @Test func putUserToARangeThatWrapsIsEFAULTAndMovesNothing() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let user = try Self.user(m)
        m.run("test_fn") {
            let local = m.runtime.local(size: 8, name: "v", on: m.cpu)
            let uninit = m.runtime.load(.bits64, from: local, on: m.cpu)
            #expect(user.putUser(uninit, to: KernelAddress(UInt64.max - 3), on: m.cpu) == -14)
            #expect(user.putUser(uninit, to: KernelAddress(UInt64.max), on: m.cpu) == -14)
        }
        #expect(m.reports.isEmpty)
    }

    @Test func absurdNameCountsAndSourcesEndInEFAULT() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let user = try Self.user(m), slab = try #require(m.machine.slab)
        m.run("test_fn") {
            guard let dst = slab.kmalloc(64, gfp: [.kernel, .zero], on: m.cpu) else { return }
            // The last bytes of user space: unmapped, and max is 3 there.
            #expect(user.strncpyFromUser(dst, TASK_SIZE - 3, count: .max, on: m.cpu) == -14)
            #expect(user.strncpyFromUser(dst, TASK_SIZE, count: .max, on: m.cpu) == -14)
            #expect(user.strncpyFromUser(dst, KernelAddress(UInt64.max), count: 8, on: m.cpu) == -14)
            #expect(user.strncpyFromUser(dst, .null, count: -5, on: m.cpu) == 0)
            slab.kfree(dst, on: m.cpu)
        }
        #expect(m.reports.isEmpty)
    }

    @Test func aNameIntoAnUnmappedKernelBufferIsOneBadAccess() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let user = try Self.user(m)
        m.run("test_fn") {
            let u = user.allocate(64, on: m.cpu)
            _ = user.putUser(.initialized(0x6161_6161_6161_6161), to: u, on: m.cpu)
            #expect(user.strncpyFromUser(KernelAddress(0xffff_ffff_0000_0000), u, count: 64, on: m.cpu) == -14)
        }
        #expect(m.titles.count == 1)
        #expect(m.titles.first?.hasPrefix("HARNESS: bad-access") == true)
    }

    @Test func getUserOfAKernelOrUnmappedAddressIsEFAULTWithZero() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let user = try Self.user(m), slab = try #require(m.machine.slab)
        m.run("test_fn") {
            guard let x = slab.kmalloc(8, gfp: .kernel, on: m.cpu) else { return }
            #expect(user.getUser(into: x, from: x, width: .bits64, on: m.cpu) == -14)
            #expect(m.shadow(x, count: 8) == Array(repeating: 0, count: 8))
            #expect(user.getUser(into: x, from: KernelAddress(0x1000), width: .bits32, on: m.cpu) == -14)
            slab.kfree(x, on: m.cpu)
        }
        #expect(m.reports.isEmpty)
    }

    @Test func aSizeTheKernelCannotBuildIsAnOpError() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let user: OpArgument = .value(.initialized(0x10000))
        #expect(throws: OpError.self) { try m.op("put_user", [.value(.initialized(1)), user, .value(.initialized(3))]) }
        #expect(throws: OpError.self) { try m.op("get_user", [.value(.initialized(0)), user, .value(.initialized(16))]) }
        #expect(m.reports.isEmpty)
    }
}
