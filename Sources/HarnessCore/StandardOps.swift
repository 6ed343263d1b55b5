import KMSAN
import KernelMemory

/// The scenario ops of each subsystem, written against its protocol so that whichever plugin
/// provides the subsystem gets them: a plugin set lists them under the provider, beside the
/// provider's own `HarnessPlugin.ops`. The kernel API's names and argument order.
///
/// An argument of the wrong kind is an `OpError`; a value that names nothing of the machine
/// (a page handle, a cache) is the subsystem's HARNESS finding, raised by the implementation.
public enum StandardOps {
    /// The standard ops of `kind`.
    public static func ops(for kind: SubsystemKind) -> [ScenarioOp] {
        switch kind {
        case .pageAllocator: pageAllocator
        case .slab: slab
        case .vmalloc: vmalloc
        case .dma: dma
        case .usb: usb
        case .skb: skb
        }
    }
}

extension OpInvocation {
    /// The machine's subsystem of `kind`, as `S`, or an `OpError` naming the missing plugin.
    func subsystem<S>(_ kind: SubsystemKind, as type: S.Type = S.self) throws(OpError) -> S {
        guard let subsystem: S = machine.subsystem(kind) else {
            throw OpError("no \(kind) subsystem: the machine has no plugin that provides it")
        }
        return subsystem
    }
}
