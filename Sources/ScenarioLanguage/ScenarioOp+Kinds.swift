import HarnessCore

extension ScenarioOp.ParameterKind {
    /// What a parameter of this kind must be, for messages (`gfp flags (e.g. GFP_KERNEL)`).
    var requirement: String {
        switch self {
        case .gfp: "gfp flags (e.g. GFP_KERNEL)"
        case .slabFlags: "slab flags (e.g. SLAB_HWCACHE_ALIGN)"
        case .dmaDirection: "a DMA direction (e.g. DMA_TO_DEVICE)"
        default: noun
        }
    }

    /// What a constant of this kind is, for messages (`slab flags`, `an integer`).
    var noun: String {
        switch self {
        case .integer: "an integer"
        case .pointer: "a pointer"
        case .gfp: "gfp flags"
        case .slabFlags: "slab flags"
        case .dmaDirection: "a DMA direction"
        case .string: "a string"
        case .value: "a value"
        }
    }

    /// Whether constants of this kind combine with `|`.
    var isFlags: Bool { self == .gfp || self == .slabFlags }

    /// Whether a named constant of this kind may be passed to a parameter of kind `parameter`:
    /// the same kind; integers and pointers (`PAGE_SIZE`, `NULL`) for each other; anything but a
    /// string for a `value`.
    func fits(_ parameter: ScenarioOp.ParameterKind) -> Bool {
        if parameter == .string || self == .string { return false }
        if parameter == .value || self == .value || self == parameter { return true }
        let numeric: Set<ScenarioOp.ParameterKind> = [.integer, .pointer]
        return numeric.contains(self) && numeric.contains(parameter)
    }
}

extension ScenarioOp {
    /// `kfree takes 1 argument (p), got 2`, or nil if `count` arguments are right.
    func arityError(got count: Int) -> String? {
        let n = parameters.count
        if isVariadic ? count >= n : count == n { return nil }
        return Self.arityMessage(name, parameters.map(\.name), variadic: isVariadic, got: count)
    }

    /// `<callee> takes [at least] N argument(s) (a, b[, ...]), got M`.
    static func arityMessage(_ callee: String, _ names: [String], variadic: Bool, got count: Int) -> String {
        let n = names.count
        if n == 0 && !variadic { return "\(callee) takes no arguments, got \(count)" }
        let list = (names + (variadic ? ["..."] : [])).joined(separator: ", ")
        return "\(callee) takes \(variadic ? "at least " : "")\(n) argument\(n == 1 ? "" : "s") (\(list)), got \(count)"
    }
}
