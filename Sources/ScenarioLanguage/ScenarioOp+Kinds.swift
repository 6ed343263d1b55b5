import HarnessCore

extension ScenarioOp {
    /// `kfree takes 1 argument (p), got 2`, or nil if `count` arguments are right.
    func arityError(got count: Int) -> String? {
        let n = parameters.count
        if isVariadic ? count >= n : count == n { return nil }
        let message = Self.arityMessage(name, parameters.map(\.name), variadic: isVariadic, got: count)
        let short = shortForms.map { "\(name)(\($0.parameters.map(\.name).joined(separator: ", ")))" }
        return short.isEmpty ? message : message + " (or " + short.joined(separator: " or ") + ")"
    }

    /// `<callee> takes [at least] N argument(s) (a, b[, ...]), got M`.
    static func arityMessage(_ callee: String, _ names: [String], variadic: Bool, got count: Int) -> String {
        let n = names.count
        if n == 0 && !variadic { return "\(callee) takes no arguments, got \(count)" }
        let list = (names + (variadic ? ["..."] : [])).joined(separator: ", ")
        return "\(callee) takes \(variadic ? "at least " : "")\(n) argument\(n == 1 ? "" : "s") (\(list)), got \(count)"
    }
}
