import HarnessCore
import HarnessFuzz
import KMSAN
import Testing

/// What the libFuzzer entry point does per input, without libFuzzer (LibFuzzerTarget).
@Suite struct LibFuzzerTargetTests {
    static func target(_ policy: LibFuzzerTarget.CrashPolicy, planted: Bool = true) throws -> LibFuzzerTarget {
        try LibFuzzerTarget(plugins: FuzzFixture.withToyDevice(planted: planted).plugins, policy: policy)
    }

    /// `toy_dev_send(60)` in the binary form of `table`.
    static func plantedInput(_ table: OpTable) -> [UInt8] {
        ProgramBinaryEncoding(table: table).encode(FuzzProgram([FuzzCall(op: table.index(of: "toy_dev_send")!, arguments: [.literal(60)])]))
    }

    @Test func aBugInAPluginIsACrashUnderTheDefaultPolicy() throws {
        let target = try Self.target(.plugin)
        let crash = target.run(Self.plantedInput(target.table))
        #expect(crash?.title == "KMSAN: uninit-value in toy_dev_send")
    }

    @Test func theProgramsOwnUninitReadIsNotACrashUnderTheDefaultPolicy() throws {
        let target = try Self.target(.plugin)
        let table = target.table
        let program = FuzzProgram([
            FuzzCall(op: table.index(of: "local")!, arguments: [.literal(4), .string("x")]),
            FuzzCall(op: table.index(of: "kmsan_check_memory")!, arguments: [.result(0, offset: 0), .literal(4)]),
        ])
        #expect(target.run(ProgramBinaryEncoding(table: table).encode(program)) == nil)
        #expect(target.buckets.buckets["KMSAN: uninit-value in fuzz_prog"] != nil)
    }

    @Test func policiesFromTheEnvironment() {
        #expect(LibFuzzerTarget.CrashPolicy(environment: nil) == .plugin)
        #expect(LibFuzzerTarget.CrashPolicy(environment: "none") == .none)
        #expect(LibFuzzerTarget.CrashPolicy(environment: "all") == .all)
        #expect(LibFuzzerTarget.CrashPolicy(environment: "use-after-free,toy") == .titles(["use-after-free", "toy"]))
    }

    @Test func noneNeverCrashesAndAllAlwaysDoes() throws {
        let quiet = try Self.target(.none), loud = try Self.target(.all)
        #expect(quiet.run(Self.plantedInput(quiet.table)) == nil)
        #expect(loud.run(Self.plantedInput(loud.table)) != nil)
        let fixed = try Self.target(.all, planted: false)
        #expect(fixed.run(Self.plantedInput(fixed.table)) == nil)
    }

    @Test func theCustomMutatorAndCrossOverGiveValidProgramsThatFit() throws {
        let target = try Self.target(.none)
        let encoding = ProgramBinaryEncoding(table: target.table)
        var random = FuzzRandom(seed: 51)
        for i in 0..<200 {
            let a = (0..<random.below(120)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let b = (0..<random.below(120)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let maxSize = 1 + random.below(200)
            let mutated = target.mutate(a, maxSize: maxSize, seed: UInt32(i))
            let crossed = target.crossOver(a, b, maxSize: maxSize, seed: UInt32(i))
            #expect(mutated.count <= maxSize && crossed.count <= maxSize)
            #expect(target.table.validate(encoding.decode(mutated)) == nil)
            #expect(encoding.decode(encoding.encode(encoding.decode(crossed))) == encoding.decode(crossed))
        }
    }
}
