import HarnessCore
import KMSAN
import KernelMemory

/// The user-memory plugin's ops.
enum UserMemoryOps {
    static let sizes: ClosedRange<Int64> = 0...65536

    static let all: [ScenarioOp] = [
        ScenarioOp("user_alloc", [.init("size", .integer, range: 1...65536)], returnsValue: true,
                   result: UserMemoryPlugin.userAddress,
                   help: "map size bytes of zeroed user pages (an unmapped page follows); NULL on failure") { inv throws(OpError) in
            .pointer(try user(inv).allocate(try inv.size(0), on: inv.cpu))
        },
        ScenarioOp("user_unmap", [.init("addr", .pointer, resource: UserMemoryPlugin.userAddress)], returnsValue: false,
                   help: "unmap a user range user_alloc returned") { inv throws(OpError) in
            try user(inv).unmap(try inv.pointer(0), on: inv.cpu)
            return nil
        },
        ScenarioOp("copy_to_user", [.init("to", .pointer, resource: UserMemoryPlugin.userAddress),
                                    .init("from", .pointer, resource: .address), .init("n", .integer, range: sizes)],
                   returnsValue: true,
                   help: "access_ok, then KMSAN checks all n bytes (kernel-infoleak), then the copy; returns the bytes not copied") {
            inv throws(OpError) in
            let left = try user(inv).copyToUser(try inv.pointer(0), try inv.pointer(1), count: try inv.size(2), on: inv.cpu)
            return .initialized(UInt64(left), width: .bits64)
        },
        ScenarioOp("copy_from_user", [.init("to", .pointer, resource: .address),
                                      .init("from", .pointer, resource: UserMemoryPlugin.userAddress),
                                      .init("n", .integer, range: sizes)],
                   returnsValue: true,
                   help: "copy from user space: copied bytes initialized, the rest zeroed; returns the bytes not copied") {
            inv throws(OpError) in
            let left = try user(inv).copyFromUser(try inv.pointer(0), try inv.pointer(1), count: try inv.size(2), on: inv.cpu)
            return .initialized(UInt64(left), width: .bits64)
        },
        ScenarioOp("clear_user", [.init("to", .pointer, resource: UserMemoryPlugin.userAddress), .init("n", .integer, range: sizes)],
                   returnsValue: true, help: "zero n user bytes; returns the bytes not cleared") { inv throws(OpError) in
            let left = try user(inv).clearUser(try inv.pointer(0), count: try inv.size(1), on: inv.cpu)
            return .initialized(UInt64(left), width: .bits64)
        },
    ]

    static func user(_ inv: OpInvocation) throws(OpError) -> UserMemory {
        guard let u = inv.machine.state(ofPlugin: "user-memory", as: UserMemory.self) else { throw OpError("no user-memory plugin") }
        return u
    }
}
