/// Builds the file: resolves every block, excludes blocks that call funcs with errors, and
/// sorts the diagnostics.
extension ScenarioParser {
    /// The parsed file and its sorted diagnostics.
    mutating func assemble() -> ParsedScenarioFile {
        var calls: [FunctionCall] = []
        var resolved: [(body: [Statement], returnValue: Operand?)] = []
        resolved.reserveCapacity(blocks.count)
        for index in blocks.indices {
            resolved.append(resolve(block: index, calls: &calls))
        }
        excludeCallersOfBadFunctions(calls)

        var functions: [String: FunctionDecl] = [:]
        for (index, block) in blocks.enumerated() where block.kind == .function && block.isCanonical && !block.hasErrors {
            guard let name = block.name else { continue }
            functions[name] = FunctionDecl(
                name: name, parameters: block.parameters, body: resolved[index].body,
                returnValue: resolved[index].returnValue, returnPosition: block.returnValue?.position, position: block.position)
        }
        var scenarios: [Scenario] = []
        for (index, block) in blocks.enumerated() where block.kind == .scenario && block.isCanonical && !block.hasErrors {
            guard let name = block.name else { continue }
            scenarios.append(Scenario(
                name: name, path: path, position: block.position, settings: block.settings,
                expectations: block.expectations, body: resolved[index].body, functions: functions))
        }
        let sorted = diagnostics.enumerated().sorted { a, b in
            a.element.position != b.element.position ? a.element.position < b.element.position : a.offset < b.offset
        }.map(\.element)
        let notRun = blocks.filter { $0.kind == .scenario && ($0.hasErrors || !$0.isCanonical) }.map { $0.name ?? "(unnamed)" }
        return ParsedScenarioFile(
            file: ScenarioFile(path: path, scenarios: scenarios, functions: functions), diagnostics: sorted, namesNotRun: notRun)
    }

    /// Reports every call of a func with errors and marks its caller as having errors, until
    /// no more change (a func calling a bad func is bad too). Linear in the number of calls.
    private mutating func excludeCallersOfBadFunctions(_ calls: [FunctionCall]) {
        var callsInto: [Int: [Int]] = [:]
        for (i, call) in calls.enumerated() { callsInto[call.callee, default: []].append(i) }
        var queue = blocks.indices.filter { blocks[$0].kind == .function && blocks[$0].hasErrors }
        var done = Set(queue)
        var head = 0
        while head < queue.count {
            let bad = queue[head]
            head += 1
            for i in callsInto[bad] ?? [] {
                let call = calls[i]
                error("call of func '\(ScenarioText.display(blocks[bad].name ?? "?"))', which has errors (see its diagnostics)",
                      at: call.position, block: call.caller)
                if blocks[call.caller].kind == .function && done.insert(call.caller).inserted {
                    queue.append(call.caller)
                }
            }
        }
    }
}
