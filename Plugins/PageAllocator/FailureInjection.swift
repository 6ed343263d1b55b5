import KernelMemory

/// Deterministic allocation-failure injection for the page allocator, in the spirit of the
/// kernel's `fail_page_alloc` and the userspace test shims of tools/testing/shared.
///
/// Injection is decided in `prepare_alloc_pages()`, before any free list is looked at, so an
/// injected failure takes no memory and prints no "page allocation failure" warning (as
/// `should_fail_alloc_page()` returns before `warn_alloc()` could run). Allocations with
/// `__GFP_NOFAIL` are never failed by injection, although they still count as calls.
///
/// The buddy allocator counts `alloc_pages` calls from the moment an injection is installed
/// (at machine creation, or when `BuddyAllocator.failureInjection` is set), so `.nthAllocation(1)`
/// always means "the next call".
public enum FailureInjection: Sendable, Equatable, CustomStringConvertible {
    /// No injected failures.
    case none
    /// Fail only the `n`th `alloc_pages` call (1-based) after the injection was installed;
    /// every call counts, whatever its gfp mask, order or outcome.
    case nthAllocation(Int)
    /// Fail every allocation whose gfp mask contains all bits of the mask (e.g. `.atomic`
    /// fails every `GFP_ATOMIC` allocation and leaves `GFP_KERNEL` alone). An empty mask
    /// fails every allocation.
    case allocations(matching: GFPFlags)

    /// Whether the `call`th call since installation, with mask `gfp`, is to fail.
    /// `__GFP_NOFAIL` is checked by the caller.
    public func fails(call: Int, gfp: GFPFlags) -> Bool {
        switch self {
        case .none: false
        case .nthAllocation(let n): call == n
        case .allocations(let mask): gfp.isSuperset(of: mask)
        }
    }

    /// `none`, `nth=3` or `gfp=GFP_ATOMIC`, for logs.
    public var description: String {
        switch self {
        case .none: "none"
        case .nthAllocation(let n): "nth=\(n)"
        case .allocations(let mask): "gfp=\(mask)"
        }
    }
}
