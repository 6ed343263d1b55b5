/// The state of one component of a machine, captured by its `saveState()` and handed back to
/// its `restoreState(_:)`: a value (later changes to the component do not reach it), opaque
/// to everyone but the component that made it.
///
/// A machine saves its state once after boot and restores it between fuzz runs; components
/// keep their state in values (structs of arrays), so saving is a copy of references and the
/// first change after a restore copies only what that change touches.
public struct SavedState: Sendable {
    let value: any Sendable

    /// Wraps a component's state value.
    public init(_ value: any Sendable) { self.value = value }

    /// The wrapped value, if it is a `T` (nil for a state another component saved).
    public func value<T>(as type: T.Type = T.self) -> T? { value as? T }
}

extension Locked where Value: Sendable {
    /// The guarded value.
    public func saveState() -> SavedState { SavedState(withLock { $0 }) }

    /// Puts back a value this lock's `saveState()` returned.
    public func restoreState(_ state: SavedState) {
        guard let value = state.value(as: Value.self) else { return }
        withLock { $0 = value }
    }
}
