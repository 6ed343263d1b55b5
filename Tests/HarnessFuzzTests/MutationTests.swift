import HarnessCore
import HarnessFuzz
import Testing

/// Generation and mutation stay within the table's declarations (ProgramGenerator, ProgramMutator).
@Suite struct MutationTests {
    @Test func generatedProgramsAreValidAndWithinTheLength() {
        for program in FuzzFixture.programs(500, seed: 21, maxLength: 8) {
            #expect(FuzzFixture.bundled.validate(program) == nil)
            #expect((1...8).contains(program.count))
        }
    }

    @Test func resourcesComeFromTheirProducers() {
        let table = FuzzFixture.bundled
        var fed = 0
        for program in FuzzFixture.programs(2000, seed: 22) {
            for call in program.calls where table.ops[call.op].name == "kmem_cache_free" {
                if case .result(let r, 0) = call.arguments[0] {
                    #expect(table.ops[program.calls[r].op].result == .kmemCache)
                    fed += 1
                }
            }
        }
        #expect(fed > 0)
    }

    @Test func everyMutationKeepsTheProgramValid() {
        let table = FuzzFixture.bundled
        let mutator = ProgramMutator(generator: ProgramGenerator(table: table, maxLength: 12))
        var random = FuzzRandom(seed: 23)
        let corpus = FuzzFixture.programs(20, seed: 24, maxLength: 12)
        for kind in ProgramMutator.Mutation.allCases {
            for program in corpus {
                var p = program
                mutator.apply(kind, to: &p, corpus: corpus, &random)
                #expect(table.validate(p) == nil, "\(kind)")
            }
        }
        for program in corpus {
            let m = mutator.mutate(program, corpus: corpus, &random)
            #expect(table.validate(m) == nil)
            #expect(m.count <= 12)
        }
    }

    @Test func mutationChangesPrograms() {
        let mutator = ProgramMutator(generator: ProgramGenerator(table: FuzzFixture.bundled))
        var random = FuzzRandom(seed: 25)
        let corpus = FuzzFixture.programs(50, seed: 26)
        let changed = corpus.filter { mutator.mutate($0, corpus: corpus, &random) != $0 }.count
        #expect(changed > 40)
    }

    @Test func theSameSeedGivesTheSamePrograms() {
        #expect(FuzzFixture.programs(50, seed: 27) == FuzzFixture.programs(50, seed: 27))
        #expect(FuzzFixture.programs(50, seed: 27) != FuzzFixture.programs(50, seed: 28))
    }
}
