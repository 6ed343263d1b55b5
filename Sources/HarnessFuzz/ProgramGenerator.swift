import HarnessCore

/// Builds calls and arguments from the op declarations alone: each parameter's kind, the
/// resource it takes and its value range decide what it gets. Resources come from earlier
/// calls whose declared result conforms (a `kfree` pointer from a `kmalloc`); now and then a
/// parameter gets a special value instead (0, a boundary, a huge size), as syzkaller does.
public struct ProgramGenerator: Sendable {
    /// The ops.
    public let table: OpTable
    /// The longest program generated or kept by mutation.
    public var maxLength: Int

    /// Values worth trying where a parameter has no range: boundaries of sizes, pages and
    /// signed and unsigned words.
    static let specialValues: [UInt64] = [
        0, 1, 2, 3, 4, 7, 8, 15, 16, 24, 31, 32, 63, 64, 100, 127, 128, 255, 256, 511, 512, 1000, 1024,
        4095, 4096, 4097, 8191, 8192, 65535, 65536, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, UInt64.max, UInt64.max - 1,
        1 << 63,
    ]
    /// Offsets added to a resource now and then: inside an object, at its end, just before it.
    static let specialOffsets: [Int64] = [1, 2, 3, 4, 8, 16, 24, 32, 64, 4095, 4096, -1, -8]

    /// A generator over `table`.
    public init(table: OpTable, maxLength: Int = 16) {
        self.table = table
        self.maxLength = max(1, maxLength)
    }

    /// A new program of 1 to `maxLength` calls.
    public func generate(_ random: inout FuzzRandom) -> FuzzProgram {
        var program = FuzzProgram()
        let length = 1 + random.below(maxLength)
        while program.count < length { program.calls.append(call(at: program.count, in: program, &random)) }
        return program
    }

    /// A call to insert at `position` of `program` (its arguments refer only to earlier calls).
    public func call(at position: Int, in program: FuzzProgram, _ random: inout FuzzRandom) -> FuzzCall {
        let ops = table.ops
        // Ops whose resources are all available get more weight than ops that would get junk.
        // The kinds earlier calls produce, collected once rather than once per op and parameter.
        let produced = Set((0..<min(position, program.count)).compactMap { ops[program.calls[$0].op].result })
        let weights = ops.map { op -> Int in
            let available = op.parameters.allSatisfy { p in
                p.resource.map { needed in produced.contains { $0.conforms(to: needed) } } ?? true
            }
            return available ? 4 : 1
        }
        let index = random.weighted(weights)
        let op = ops[index]
        var arguments: [FuzzArgument] = []
        for parameter in op.parameters {
            if let related = relatedLength(for: parameter, after: arguments, in: program, &random) {
                arguments.append(.literal(related))
            } else {
                arguments.append(argument(for: parameter, at: position, in: program, &random))
            }
        }
        if op.isVariadic, let last = op.parameters.last {
            for _ in 0..<random.below(3) { arguments.append(argument(for: last, at: position, in: program, &random)) }
        }
        return FuzzCall(op: index, arguments: arguments)
    }

    /// Now and then, for a length after a pointer argument (`kmsan_check_memory(p, n)`), a
    /// value near the size the pointer's producer was called with (`local(size, ...)`,
    /// `kmalloc(size, ...)`): the whole object, one byte less, half, a few bytes. What
    /// syzkaller's `len[buf]` declares, inferred from the program instead.
    func relatedLength(
        for parameter: ScenarioOp.Parameter, after arguments: [FuzzArgument], in program: FuzzProgram, _ random: inout FuzzRandom
    ) -> UInt64? {
        guard parameter.kind.role == .number, parameter.resource == nil, let range = parameter.range,
              random.chance(1, in: 3) else { return nil }
        for case .result(let r, let offset) in arguments.reversed() where r < program.count {
            let producer = program.calls[r], op = table.ops[producer.op]
            for (j, argument) in producer.arguments.enumerated() where j < op.parameters.count {
                guard op.parameters[j].kind.role == .number, op.parameters[j].resource == nil,
                      case .literal(let size) = argument else { continue }
                let base = Int64(truncatingIfNeeded: size) &- offset
                let choices = [base, base &- 1, base / 2, 1, 2, 3, 5]
                let v = choices[random.below(choices.count)]
                return range.contains(v) ? UInt64(bitPattern: v) : nil
            }
        }
        return nil
    }

    /// The earlier calls whose result conforms to `resource`.
    func producers(of resource: ResourceKind, before position: Int, in program: FuzzProgram) -> [Int] {
        (0..<min(position, program.count)).filter { i in
            table.ops[program.calls[i].op].result?.conforms(to: resource) ?? false
        }
    }

    /// The earlier calls that return a value at all.
    func valueCalls(before position: Int, in program: FuzzProgram) -> [Int] {
        (0..<min(position, program.count)).filter { table.ops[program.calls[$0].op].returnsValue }
    }

    /// A value for `parameter` of a call at `position`.
    public func argument(
        for parameter: ScenarioOp.Parameter, at position: Int, in program: FuzzProgram, _ random: inout FuzzRandom
    ) -> FuzzArgument {
        let kind = parameter.kind
        if kind.role == .string {
            // Mostly a string that means something there: a declared choice, a func the program has.
            let known = parameter.choices ?? (parameter.resource == .programFunction ? FuzzHandlers.names : [])
            if !known.isEmpty, !random.chance(1, in: 12) { return .string(known[random.below(known.count)]) }
            return .string(name(&random))
        }
        if let resource = parameter.resource {
            let candidates = producers(of: resource, before: position, in: program)
            if !candidates.isEmpty, !random.chance(1, in: 12) {
                let r = candidates[random.below(candidates.count)]
                let offset = random.chance(1, in: 8) ? Self.specialOffsets[random.below(Self.specialOffsets.count)] : 0
                return .result(r, offset: offset)
            }
        }
        if kind.role == .value {
            let candidates = valueCalls(before: position, in: program)
            if !candidates.isEmpty, random.chance(2, in: 3) {
                return .result(candidates[random.below(candidates.count)], offset: 0)
            }
        }
        return .literal(literal(for: parameter, &random))
    }

    /// A literal for `parameter`: named constants for flags and enumerations, the declared
    /// range mostly, special values sometimes.
    func literal(for parameter: ScenarioOp.Parameter, _ random: inout FuzzRandom) -> UInt64 {
        let constants = table.constantsByKind[parameter.kind.name] ?? []
        switch parameter.kind.role {
        case .flags where !constants.isEmpty:
            if random.chance(1, in: 16) { return random.next() & 0xffff_ffff }
            var flags: UInt64 = 0
            for _ in 0..<(1 + random.below(3)) { flags |= constants[random.below(constants.count)].value }
            return flags
        case .enumeration where !constants.isEmpty:
            return random.chance(1, in: 16) ? UInt64(random.below(8)) : constants[random.below(constants.count)].value
        default:
            break
        }
        if let range = parameter.range, !random.chance(1, in: 10) {
            let span = UInt64(bitPattern: range.upperBound &- range.lowerBound)
            let width = span == UInt64.max ? UInt64.max : span + 1
            // Small values most of the time, as bugs live at small sizes and boundaries and big
            // ones cost a run its time: the first 8 or 256 values of the range, or a
            // log-uniform pick over the whole of it.
            let pick: UInt64
            switch random.below(8) {
            case 0..<4: pick = random.next() % min(width, 8)
            case 4..<6: pick = random.next() % min(width, 256)
            case 6: pick = random.next() % max(1, min(width, 1 << UInt64(random.below(64 - width.leadingZeroBitCount + 1))))
            default: pick = random.chance(1, in: 2) ? span : random.next() % width
            }
            return UInt64(bitPattern: range.lowerBound) &+ pick
        }
        return Self.specialValues[random.below(Self.specialValues.count)]
    }

    /// A short identifier-like string.
    func name(_ random: inout FuzzRandom) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789_".utf8)
        let length = 1 + random.below(6)
        return String(decoding: (0..<length).map { _ in letters[random.below(letters.count)] }, as: UTF8.self)
    }
}
