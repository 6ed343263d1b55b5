import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import Testing

/// Core string ops: memset, memcpy, memmove, memset16/32/64 and copy_from_kernel_nofault.
@Suite struct CoreOpsMemoryTests {
    @Test func memsetInitializesWhateverTheFill() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame {
            let x = try m.op("local", [.int(8), .string("x")])
            try m.op("memset", [.ptr(x), .int(0xaa), .int(8)])
            try m.op("kmsan_check_memory", [.ptr(x), .int(8)])
            #expect(try m.op("load8", [.ptr(x)]) == .initialized(0xaa, width: .bits8))
        }
        #expect(m.reports.isEmpty)
    }

    @Test func memcpyCarriesUninitializedBytes() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_memcpy_aligned_to_aligned") {
            let src = try m.op("local", [.int(4), .string("uninit_src")])
            let dst = try m.op("local", [.int(4), .string("dst")])
            try m.op("store32", [.ptr(dst), .int(0)])
            try m.op("memcpy", [.ptr(dst), .ptr(src), .int(4)])
            try m.op("kmsan_check_memory", [.ptr(dst), .int(4)])
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_memcpy_aligned_to_aligned"])
        #expect(m.reports.first?.byteRange == ByteRange(first: 0, last: 3, size: 4))
    }

    @Test func memmoveOfInitializedBytesDoesNotReport() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame {
            let x = try m.op("local", [.int(16), .string("x")])
            try m.op("memset", [.ptr(x), .int(0), .int(8)])
            try m.op("memmove", [.value(.pointer(KernelAddress(try #require(x).value) + 4)), .ptr(x), .int(8)])
            try m.op("kmsan_check_memory", [.value(.pointer(KernelAddress(try #require(x).value) + 4)), .int(8)])
        }
        #expect(m.reports.isEmpty)
    }

    /// Sizes are the kernel's `size_t`: `-1` is 2^64 - 1, a range no mapping covers, so each
    /// string function is a HARNESS bad-access, never a crash and never "-1".
    @Test func hugeSizesAreBadAccesses() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame {
            let x = try m.op("local", [.int(8), .string("x")])
            for name in ["memset", "memcpy", "memmove"] {
                let args: [OpArgument] = name == "memset" ? [.ptr(x), .int(0), .int(-1)] : [.ptr(x), .ptr(x), .int(-1)]
                try m.op(name, args)
            }
            try m.op("kmsan_check_memory", [.ptr(x), .int(-8)])
        }
        #expect(m.titles == Array(repeating: "HARNESS: bad-access in test_fn", count: 3))
        #expect(m.reports.allSatisfy { !($0.message.first ?? "").contains("-1") })
    }

    /// Twin: the same calls with a size that fits are quiet.
    @Test func sizesThatFitAreQuiet() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame {
            let x = try m.op("local", [.int(8), .string("x")])
            try m.op("memset", [.ptr(x), .int(0), .int(8)])
            try m.op("memcpy", [.ptr(x), .ptr(x), .int(8)])
            try m.op("memmove", [.ptr(x), .ptr(x), .int(8)])
            try m.op("kmsan_check_memory", [.ptr(x), .int(8)])
        }
        #expect(m.reports.isEmpty)
    }

    @Test(arguments: [("memset16", 2), ("memset32", 4), ("memset64", 8)])
    func memsetNOfALiteralInitializesAnUninitVariable(name: String, width: Int) throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_\(name)") {
            let x = try m.op("local", [.int(width), .string("uninit")])
            try m.op(name, [.ptr(x), .int(0), .int(1)])
            try m.op("kmsan_check_memory", [.ptr(x), .int(width)])
        }
        #expect(m.reports.isEmpty)
    }

    @Test func memset32OfAnUninitValueStoresItsShadow() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_memset32_uninit") {
            let v = try m.op("local", [.int(4), .string("v")])
            let value = try #require(try m.op("load32", [.ptr(v)]))
            let x = try m.op("local", [.int(8), .string("x")])
            try m.op("memset32", [.ptr(x), .value(value), .int(2)], eager: false)
            try m.op("kmsan_check_memory", [.ptr(x), .int(8)])
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_memset32_uninit"])
        #expect(m.reports.first?.origin.first?.frames.first?.function == "memset32")
    }

    @Test func memsetNOnAnUnmappedRangeIsOneBadAccess() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame { try m.op("memset64", [.int(0x100), .int(0), .int(1000)]) }
        #expect(m.titles == ["HARNESS: bad-access in memset64"])
    }

    @Test func copyFromKernelNofaultChecksTheSourceInItsOwnFrame() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_copy_from_kernel_nofault") {
            let src = try m.op("local", [.int(4), .string("src")])
            let dst = try m.op("local", [.int(4), .string("buf")])
            #expect(try m.op("copy_from_kernel_nofault", [.ptr(dst), .ptr(src), .int(4)]) == .initialized(0))
            try m.op("kmsan_check_memory", [.ptr(dst), .int(4)])
        }
        #expect(m.titles == ["KMSAN: uninit-value in copy_from_kernel_nofault"])
        #expect(m.reports.first?.stack.map(\.function) == ["copy_from_kernel_nofault", "test_copy_from_kernel_nofault"])
    }

    @Test func copyFromKernelNofaultOfInitializedMemoryDoesNotReport() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame {
            let src = try m.op("local", [.int(4), .string("src")])
            let dst = try m.op("local", [.int(4), .string("buf")])
            try m.op("store32", [.ptr(src), .int(0x1234)])
            #expect(try m.op("copy_from_kernel_nofault", [.ptr(dst), .ptr(src), .int(4)]) == .initialized(0))
            #expect(try m.op("load32", [.ptr(dst)]) == .initialized(0x1234, width: .bits32))
        }
        #expect(m.reports.isEmpty)
    }

    /// mm/maccess.c checks the source per chunk of its copy loop (u64, then u32/u16/u8 for the
    /// rest): an uninitialized 12-byte source reports as an 8-byte and a 4-byte check.
    @Test func copyFromKernelNofaultChecksTheSourceChunkByChunk() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame {
            let src = try m.op("local", [.int(12), .string("src")])
            let dst = try m.op("local", [.int(12), .string("buf")])
            #expect(try m.op("copy_from_kernel_nofault", [.ptr(dst), .ptr(src), .int(12)]) == .initialized(0))
        }
        #expect(m.reports.map { $0.byteRange.map { "\($0.first)-\($0.last) of \($0.size)" } } == ["0-7 of 8", "0-3 of 4"])
    }

    /// Twin: the same 12 bytes, initialized, copy without a report and arrive intact.
    @Test func copyFromKernelNofaultOfAnInitializedOddSizeDoesNotReport() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame {
            let src = try m.op("local", [.int(12), .string("src")])
            let dst = try m.op("local", [.int(12), .string("buf")])
            try m.op("memset", [.ptr(src), .int(7), .int(12)])
            #expect(try m.op("copy_from_kernel_nofault", [.ptr(dst), .ptr(src), .int(12)]) == .initialized(0))
            let tail = try #require(dst).value + 8
            #expect(try m.op("load32", [.int(Int(bitPattern: UInt(tail)))]) == .initialized(0x0707_0707, width: .bits32))
        }
        #expect(m.reports.isEmpty)
    }

    @Test func copyFromKernelNofaultRefusesUserAndUnmappedSourcesWithoutReports() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame {
            let dst = try m.op("local", [.int(4), .string("buf")])
            #expect(try m.op("copy_from_kernel_nofault", [.ptr(dst), .int(0x20000), .int(4)])?.value == UInt64(bitPattern: -34))
            let hole = Int(bitPattern: UInt(VMALLOC_START.raw))
            #expect(try m.op("copy_from_kernel_nofault", [.ptr(dst), .int(hole), .int(4)])?.value == UInt64(bitPattern: -14))
        }
        #expect(m.reports.isEmpty)
    }
}
