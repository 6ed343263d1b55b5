/// Mutations of a program, in the spirit of syzkaller's prog/mutation.go: insert a call,
/// remove one, mutate one argument, splice with another program, squash a resource reference
/// into a raw value. Every result is valid for the table and at most `maxLength` calls long.
public struct ProgramMutator: Sendable {
    /// The generator that builds new calls and arguments.
    public let generator: ProgramGenerator

    /// What a mutation does, with its weight.
    public enum Mutation: CaseIterable, Sendable {
        case insertCall, removeCall, mutateArgument, splice, squash

        /// Relative weights: new calls and new argument values most of the time.
        var weight: Int {
            switch self {
            case .insertCall: 10
            case .mutateArgument: 10
            case .removeCall: 3
            case .splice: 2
            case .squash: 1
            }
        }
    }

    /// A mutator building on `generator`.
    public init(generator: ProgramGenerator) { self.generator = generator }

    /// `program` changed by one to three mutations; `corpus` gives splice partners.
    public func mutate(_ program: FuzzProgram, corpus: [FuzzProgram] = [], _ random: inout FuzzRandom) -> FuzzProgram {
        var p = program
        let rounds = 1 + random.below(3)
        for _ in 0..<rounds {
            let kinds = Mutation.allCases
            let kind = kinds[random.weighted(kinds.map(\.weight))]
            apply(kind, to: &p, corpus: corpus, &random)
        }
        if p.calls.isEmpty { p = generator.generate(&random) }
        truncate(&p, to: generator.maxLength)
        return p
    }

    /// Applies one mutation (one that cannot apply, as removing from an empty program, inserts).
    public func apply(_ kind: Mutation, to p: inout FuzzProgram, corpus: [FuzzProgram], _ random: inout FuzzRandom) {
        switch kind {
        case .removeCall where !p.calls.isEmpty:
            Self.remove(at: random.below(p.count), from: &p)
        case .mutateArgument where p.calls.contains(where: { !$0.arguments.isEmpty }):
            let candidates = p.calls.indices.filter { !p.calls[$0].arguments.isEmpty }
            let i = candidates[random.below(candidates.count)]
            let j = random.below(p.calls[i].arguments.count)
            let op = generator.table.ops[p.calls[i].op]
            guard let parameter = j < op.parameters.count ? op.parameters[j] : op.parameters.last else { return }
            p.calls[i].arguments[j] = generator.argument(for: parameter, at: i, in: p, &random)
        case .splice where !corpus.isEmpty:
            let other = corpus[random.below(corpus.count)]
            let cut = random.below(p.count + 1)
            let from = random.below(other.count + 1)
            var result = FuzzProgram(Array(p.calls.prefix(cut)))
            for var call in other.calls[from...] {
                for a in call.arguments.indices {
                    guard case .result(let r, let offset) = call.arguments[a] else { continue }
                    if r >= from {
                        call.arguments[a] = .result(cut + (r - from), offset: offset)
                    } else {
                        // A reference into the part of `other` left out becomes a fresh argument.
                        let op = generator.table.ops[call.op]
                        let parameter = a < op.parameters.count ? op.parameters[a] : op.parameters.last
                        call.arguments[a] = parameter.map { generator.argument(for: $0, at: result.count, in: result, &random) }
                            ?? .literal(0)
                    }
                }
                result.calls.append(call)
            }
            p = result
        case .squash where p.calls.contains(where: { $0.arguments.contains { if case .result = $0 { true } else { false } } }):
            let sites = p.calls.indices.flatMap { i in
                p.calls[i].arguments.indices.compactMap { j -> (Int, Int)? in
                    if case .result = p.calls[i].arguments[j] { return (i, j) }
                    return nil
                }
            }
            let (i, j) = sites[random.below(sites.count)]
            p.calls[i].arguments[j] = .literal(ProgramGenerator.specialValues[random.below(ProgramGenerator.specialValues.count)])
        default:
            let position = random.below(p.count + 1)
            let call = generator.call(at: position, in: p, &random)
            Self.insert(call, at: position, into: &p)
        }
    }

    /// Inserts `call` at `position`, moving later references past it.
    static func insert(_ call: FuzzCall, at position: Int, into p: inout FuzzProgram) {
        for i in position..<p.count {
            for a in p.calls[i].arguments.indices {
                if case .result(let r, let offset) = p.calls[i].arguments[a], r >= position {
                    p.calls[i].arguments[a] = .result(r + 1, offset: offset)
                }
            }
        }
        p.calls.insert(call, at: position)
    }

    /// Removes call `position`; references to it become the literal 0 (NULL), later ones move.
    static func remove(at position: Int, from p: inout FuzzProgram) {
        p.calls.remove(at: position)
        for i in position..<p.count {
            for a in p.calls[i].arguments.indices {
                guard case .result(let r, let offset) = p.calls[i].arguments[a] else { continue }
                if r == position {
                    p.calls[i].arguments[a] = .literal(0)
                } else if r > position {
                    p.calls[i].arguments[a] = .result(r - 1, offset: offset)
                }
            }
        }
    }

    /// Drops calls past `length` (nothing refers forward, so the rest stays valid).
    func truncate(_ p: inout FuzzProgram, to length: Int) {
        if p.count > length { p.calls.removeLast(p.count - length) }
    }
}
