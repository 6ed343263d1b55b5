/// The compact binary form of a program: what libFuzzer stores and mutates. Any byte string
/// decodes to some valid program (the decoder never fails and never reads past the end), and
/// `decode(encode(p)) == p` for every valid program of at most `maxCalls` calls.
///
/// The encoding, all integers unsigned LEB128 (`varint`):
///
/// | item      | bytes                                                                        |
/// |-----------|------------------------------------------------------------------------------|
/// | program   | call* (until the input ends, or `maxCalls` calls)                            |
/// | call      | varint op index (mod the table's op count); for a variadic op, varint extra   |
/// |           | argument count (mod `maxVariadicArguments + 1`); then one argument per parameter |
/// | argument  | varint tag, then: tag % 3 == 0: varint literal; 1: varint back-distance d and |
/// |           | zigzag varint offset (the result of the d-th previous value-returning call,    |
/// |           | counting from 0); 2: varint length (mod `maxStringLength + 1`) and that many  |
/// |           | bytes, each mapped into `[a-z0-9_]`                                           |
///
/// A string parameter takes any tag as a string, a value parameter a string tag as the literal
/// 0, and a back-distance with no value-returning call that far back as the literal 0: a
/// decoded program always passes `OpTable.validate`. Missing bytes read as 0.
public struct ProgramBinaryEncoding: Sendable {
    /// The ops.
    public let table: OpTable
    /// The most calls a decoded program has.
    public var maxCalls: Int

    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789_".utf8)

    /// An encoding over `table`.
    public init(table: OpTable, maxCalls: Int = 64) {
        self.table = table
        self.maxCalls = maxCalls
    }

    /// The program `bytes` encode.
    public func decode(_ bytes: [UInt8]) -> FuzzProgram {
        var reader = Reader(bytes: bytes)
        var program = FuzzProgram()
        var valueCalls: [Int] = []
        let opCount = UInt64(table.ops.count)
        guard opCount > 0 else { return program }
        while !reader.atEnd, program.count < maxCalls {
            let index = Int(reader.varint() % opCount)
            let op = table.ops[index]
            var count = op.parameters.count
            if op.isVariadic { count += Int(reader.varint() % UInt64(OpTable.maxVariadicArguments + 1)) }
            var arguments: [FuzzArgument] = []
            arguments.reserveCapacity(count)
            for j in 0..<count {
                let isString = (j < op.parameters.count ? op.parameters[j].kind : op.parameters.last?.kind)?.role == .string
                let tag = reader.varint() % 3
                if isString {
                    arguments.append(.string(tag == 2 ? reader.string() : ""))
                    continue
                }
                switch tag {
                case 0:
                    arguments.append(.literal(reader.varint()))
                case 1:
                    let distance = reader.varint()
                    let offset = Self.unzigzag(reader.varint())
                    if distance < UInt64(valueCalls.count) {
                        arguments.append(.result(valueCalls[valueCalls.count - 1 - Int(distance)], offset: offset))
                    } else {
                        arguments.append(.literal(0))
                    }
                default:
                    _ = reader.string()
                    arguments.append(.literal(0))
                }
            }
            if op.returnsValue { valueCalls.append(program.count) }
            program.calls.append(FuzzCall(op: index, arguments: arguments))
        }
        return program
    }

    /// The bytes of a valid `program` (see the table above).
    public func encode(_ program: FuzzProgram) -> [UInt8] {
        var out: [UInt8] = []
        var valueCalls: [Int] = []
        for (i, call) in program.calls.enumerated() {
            let op = table.ops[call.op]
            Self.putVarint(UInt64(call.op), &out)
            if op.isVariadic { Self.putVarint(UInt64(call.arguments.count - op.parameters.count), &out) }
            for argument in call.arguments {
                switch argument {
                case .literal(let v):
                    Self.putVarint(0, &out)
                    Self.putVarint(v, &out)
                case .result(let r, let offset):
                    let position = valueCalls.lastIndex(of: r) ?? 0
                    Self.putVarint(1, &out)
                    Self.putVarint(UInt64(valueCalls.count - 1 - position), &out)
                    Self.putVarint(Self.zigzag(offset), &out)
                case .string(let s):
                    Self.putVarint(2, &out)
                    Self.putVarint(UInt64(s.utf8.count), &out)
                    out.append(contentsOf: s.utf8.map { b in UInt8(Self.alphabet.firstIndex(of: b) ?? 0) })
                }
            }
            if op.returnsValue { valueCalls.append(i) }
        }
        return out
    }

    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    static func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1) }

    static func putVarint(_ value: UInt64, _ out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// Reads varints and strings, with missing bytes read as 0.
    struct Reader {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position >= bytes.count }

        mutating func byte() -> UInt8 {
            guard position < bytes.count else { return 0 }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func varint() -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = byte()
                if shift < 64 { value |= UInt64(b & 0x7f) << shift }
                shift += 7
                if b & 0x80 == 0 || shift >= 70 { return value }
            }
        }

        mutating func string() -> String {
            let length = Int(varint() % UInt64(OpTable.maxStringLength + 1))
            let alphabet = ProgramBinaryEncoding.alphabet
            return String(decoding: (0..<length).map { _ in alphabet[Int(byte()) % alphabet.count] }, as: UTF8.self)
        }
    }
}
