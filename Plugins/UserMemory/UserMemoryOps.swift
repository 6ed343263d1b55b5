import HarnessCore
import KMSAN
import KernelMemory

/// The user-memory plugin's ops.
enum UserMemoryOps {
    static let sizes: ClosedRange<Int64> = 0...65536

    static let all: [ScenarioOp] = [
        ScenarioOp("user_alloc", [.init("size", .integer, range: 1...65536)], returnsValue: true,
                   result: .userAddress,
                   help: "map size bytes of zeroed user pages (an unmapped page follows); NULL on failure") { inv throws(OpError) in
            .pointer(try user(inv).allocate(try inv.size(0), on: inv.cpu))
        },
        ScenarioOp("user_unmap", [.init("addr", .pointer, resource: .userAddress)], returnsValue: false,
                   help: "unmap a user range user_alloc returned") { inv throws(OpError) in
            try user(inv).unmap(try inv.pointer(0), on: inv.cpu)
            return nil
        },
        ScenarioOp("copy_to_user", [.init("to", .pointer, resource: .userAddress),
                                    .init("from", .pointer, resource: .address), .init("n", .integer, range: sizes)],
                   returnsValue: true,
                   help: "access_ok, then KMSAN checks all n bytes (kernel-infoleak), then the copy; returns the bytes not copied") {
            inv throws(OpError) in
            let left = try user(inv).copyToUser(try inv.pointer(0), try inv.pointer(1), count: try inv.size(2), on: inv.cpu)
            return .initialized(UInt64(left), width: .bits64)
        },
        ScenarioOp("copy_from_user", [.init("to", .pointer, resource: .address),
                                      .init("from", .pointer, resource: .userAddress),
                                      .init("n", .integer, range: sizes)],
                   returnsValue: true,
                   help: "copy from user space: copied bytes initialized, the rest zeroed; returns the bytes not copied") {
            inv throws(OpError) in
            let left = try user(inv).copyFromUser(try inv.pointer(0), try inv.pointer(1), count: try inv.size(2), on: inv.cpu)
            return .initialized(UInt64(left), width: .bits64)
        },
        ScenarioOp("clear_user", [.init("to", .pointer, resource: .userAddress), .init("n", .integer, range: sizes)],
                   returnsValue: true, help: "zero n user bytes; returns the bytes not cleared") { inv throws(OpError) in
            let left = try user(inv).clearUser(try inv.pointer(0), count: try inv.size(1), on: inv.cpu)
            return .initialized(UInt64(left), width: .bits64)
        },
        ScenarioOp("get_user", [.init("x", .pointer, resource: .address), .init("ptr", .pointer, resource: .userAddress),
                                .init("size", .integer, range: 1...8)],
                   returnsValue: true,
                   help: "*x = the size-byte (1, 2, 4, 8) user value, initialized; returns 0, or -EFAULT with *x = 0") {
            inv throws(OpError) in
            let width = try width(inv, 2)
            return .integer(try user(inv).getUser(into: try inv.pointer(0), from: try inv.pointer(1), width: width, on: inv.cpu))
        },
        ScenarioOp("put_user", [.init("x", .value), .init("ptr", .pointer, resource: .userAddress),
                                .init("size", .integer, range: 1...8)],
                   returnsValue: true, checksArgumentsEagerly: false,
                   help: "store the low size bytes of x to user space, then kmsan_copy_to_user checks them; 0 or -EFAULT") {
            inv throws(OpError) in
            let width = try width(inv, 2)
            let x = try inv.value(0)
            let value = ShadowedValue(value: x.value, shadow: x.shadow, origin: x.origin, width: width)
            return .integer(try user(inv).putUser(value, to: try inv.pointer(1), on: inv.cpu))
        },
        ScenarioOp("strncpy_from_user", [.init("dst", .pointer, resource: .address),
                                         .init("src", .pointer, resource: .userAddress),
                                         .init("count", .integer, range: sizes)],
                   returnsValue: true,
                   help: "copy a NUL-terminated user string, a word at a time; returns its length, count, or -EFAULT") {
            inv throws(OpError) in
            .integer(try user(inv).strncpyFromUser(try inv.pointer(0), try inv.pointer(1), count: try inv.integer(2), on: inv.cpu))
        },
    ]

    /// Argument `index` as the size of a get_user/put_user access (1, 2, 4 or 8; anything else
    /// is `__get_user_bad()`, a build error in the kernel: an OpError here).
    static func width(_ inv: OpInvocation, _ index: Int) throws(OpError) -> ValueWidth {
        let n = try inv.integer(index)
        guard let w = ValueWidth(rawValue: n) else { throw OpError("\(n) is not a get_user/put_user size (1, 2, 4, 8)") }
        return w
    }

    static func user(_ inv: OpInvocation) throws(OpError) -> UserMemory {
        guard let u = inv.machine.state(ofPlugin: "user-memory", as: UserMemory.self) else { throw OpError("no user-memory plugin") }
        return u
    }
}
