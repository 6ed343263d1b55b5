/// Which gates a public hook passes before it touches metadata (mm/kmsan/hooks.c, Linux 6.18).
/// Most hooks take the full guard; four do not, on purpose:
///
/// | gate | kernel check | hooks |
/// |---|---|---|
/// | `runtime` | `!kmsan_enabled \|\| kmsan_in_runtime()` returns; enter, leave | all others |
/// | `enabledOnly` | `!kmsan_enabled` returns; never enters the runtime | `kmsan_unpoison_memory`, `kmsan_check_memory` |
/// | `ungated` | none: metadata moves even with KMSAN off or inside the runtime | `kmsan_handle_dma`, `kmsan_handle_urb` |
///
/// `kmsan_unpoison_memory` may be called from inside the runtime (it allocates nothing and calls
/// no instrumented code; IRQ entry unpoisons `pt_regs` with it). Reports keep their own gates
/// either way: `kmsan_report` returns while KMSAN is off or the task's depth is nonzero.
package enum HookGate: Sendable {
    /// The full guard: enabled, not in the runtime; the body runs inside the runtime.
    case runtime
    /// Enabled only; the body runs outside the runtime, in whatever context called it.
    case enabledOnly
    /// No gate at all.
    case ungated
}
