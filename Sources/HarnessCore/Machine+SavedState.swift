import KMSAN
import KernelMemory

/// Returning a machine to an earlier state instead of booting a new one: what a fuzz loop does
/// between runs.
extension Machine {
    /// Everything a machine is apart from its configuration and plugins: the runtime's state
    /// (memory through its journal), the per-CPU area and each subsystem's state.
    public struct Snapshot: Sendable {
        let runtime: SavedState
        let percpu: SavedState
        let subsystems: [(String, SavedState)]
    }

    /// Saves the machine's present state (normally right after boot) and starts the memory
    /// journal; nil if some subsystem cannot save its state (`Subsystem.saveState()`), in which
    /// case callers boot a new machine for each run. Call it with no CPU running.
    public func saveState() -> Snapshot? {
        var states: [(String, SavedState)] = []
        for plugin in plugins {
            guard let subsystem = state(ofPlugin: plugin.name, as: (any Subsystem).self) else { continue }
            guard let saved = subsystem.saveState() else { return nil }
            states.append((plugin.name, saved))
        }
        return Snapshot(runtime: runtime.saveState(), percpu: percpu.saveState(), subsystems: states)
    }

    /// Returns to `snapshot`, taken from this machine: the same memory contents, metadata,
    /// allocator state, depot records, symbols and taint as then, so the next run prints the
    /// same reports with the same origin handles as it would on a machine freshly booted into
    /// that state. Time is proportional to the frames touched since, not to memory size. Call
    /// it with no CPU running; CPUs and tasks made since must not be used again.
    public func restoreState(_ snapshot: Snapshot) {
        runtime.restoreState(snapshot.runtime)
        percpu.restoreState(snapshot.percpu)
        for (name, saved) in snapshot.subsystems {
            state(ofPlugin: name, as: (any Subsystem).self)?.restoreState(saved)
        }
    }
}
