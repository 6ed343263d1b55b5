extension ScenarioOp {
    /// What an argument must be: how the scenario parser resolves named constants for it
    /// (`GFP_KERNEL` for `.gfp`, `DMA_TO_DEVICE` for `.dmaDirection`, ...) and how its messages
    /// name it.
    ///
    /// An open set: the core declares the kinds below, and a plugin declares its own as a static
    /// member in its module (`static let vmFlags = ParameterKind("vm-flags", noun: "vm flags",
    /// example: "VM_MAP", role: .flags)`) and constants of that kind in `HarnessPlugin.constants`.
    /// Two kinds are the same kind when their names are equal.
    ///
    /// | role          | a constant of this kind fits a parameter of kind ...        | combines with `\|` |
    /// |---------------|-------------------------------------------------------------|--------------------|
    /// | `number`      | its own kind, any other `number` kind, `value`               | no                 |
    /// | `flags`       | its own kind, `value`                                        | yes                |
    /// | `enumeration` | its own kind, `value`                                        | no                 |
    /// | `string`      | none (a string literal fits a `string` parameter)            | no                 |
    /// | `value`       | anything but `string`                                        | no                 |
    public struct ParameterKind: Sendable, Hashable, CustomStringConvertible {
        /// How values of a kind behave.
        public enum Role: String, Sendable, Hashable {
            /// A number or an address: integers and pointers stand in for each other.
            case number
            /// A flag word: named constants combine with `|`.
            case flags
            /// One value of a C enum.
            case enumeration
            /// A double-quoted string.
            case string
            /// Any value, initialized or not.
            case value
        }

        /// The kind's name, as `kmsan-harness ops` prints it (`gfp`, `slab-flags`).
        public let name: String
        /// What a value of this kind is, for messages (`gfp flags`, `an integer`).
        public let noun: String
        /// A constant of this kind, for messages (`GFP_KERNEL`), if it has named constants.
        public let example: String?
        /// How its values behave.
        public let role: Role

        /// Declares a kind.
        public init(_ name: String, noun: String, example: String? = nil, role: Role) {
            self.name = name
            self.noun = noun
            self.example = example
            self.role = role
        }

        /// A number (a size, an order, an offset).
        public static let integer = ParameterKind("integer", noun: "an integer", role: .number)
        /// An address (a register holding a pointer).
        public static let pointer = ParameterKind("pointer", noun: "a pointer", role: .number)
        /// `gfp_t` flags.
        public static let gfp = ParameterKind("gfp", noun: "gfp flags", example: "GFP_KERNEL", role: .flags)
        /// `slab_flags_t` flags.
        public static let slabFlags = ParameterKind("slab-flags", noun: "slab flags", example: "SLAB_HWCACHE_ALIGN", role: .flags)
        /// `enum dma_data_direction`.
        public static let dmaDirection = ParameterKind(
            "dma-direction", noun: "a DMA direction", example: "DMA_TO_DEVICE", role: .enumeration)
        /// A double-quoted string.
        public static let string = ParameterKind("string", noun: "a string", role: .string)
        /// Any value, initialized or not (a value whose shadow matters).
        public static let value = ParameterKind("value", noun: "a value", role: .value)

        /// What a parameter of this kind must be, for messages (`gfp flags (e.g. GFP_KERNEL)`).
        public var requirement: String { example.map { "\(noun) (e.g. \($0))" } ?? noun }

        /// Whether constants of this kind combine with `|`.
        public var isFlags: Bool { role == .flags }

        /// Whether a named constant of this kind may be passed to a parameter of kind `parameter`
        /// (the table above).
        public func fits(_ parameter: ParameterKind) -> Bool {
            if parameter.role == .string || role == .string { return false }
            if parameter.role == .value || role == .value || self == parameter { return true }
            return role == .number && parameter.role == .number
        }

        /// Kinds are equal when their names are.
        public static func == (a: ParameterKind, b: ParameterKind) -> Bool { a.name == b.name }

        /// Hashes the name.
        public func hash(into hasher: inout Hasher) { hasher.combine(name) }

        /// The name.
        public var description: String { name }
    }
}
