/// The runtime's hooks by the function names their frames print: what the instrumentation and
/// the subsystems call, each entering the runtime (`kmsan_enter_runtime`) around its work. The
/// one list `HookSites` interns and `raise_irq_in_hook` accepts.
public enum KMSANHook: String, CaseIterable, Sendable {
    /// `kmsan_poison_memory`.
    case poisonMemory = "kmsan_poison_memory"
    /// `kmsan_unpoison_memory`.
    case unpoisonMemory = "kmsan_unpoison_memory"
    /// `kmsan_check_memory`.
    case checkMemory = "kmsan_check_memory"
    /// `__msan_memmove`.
    case memmove = "__msan_memmove"
    /// `__msan_memcpy`.
    case memcpy = "__msan_memcpy"
    /// `__msan_memset`.
    case memset = "__msan_memset"
    /// `kmsan_alloc_page`.
    case allocPage = "kmsan_alloc_page"
    /// `kmsan_free_page`.
    case freePage = "kmsan_free_page"
    /// `kmsan_copy_page_meta`.
    case copyPageMeta = "kmsan_copy_page_meta"
    /// `kmsan_slab_alloc`.
    case slabAlloc = "kmsan_slab_alloc"
    /// `kmsan_slab_free`.
    case slabFree = "kmsan_slab_free"
    /// `kmsan_kmalloc_large`.
    case kmallocLarge = "kmsan_kmalloc_large"
    /// `kmsan_kfree_large`.
    case kfreeLarge = "kmsan_kfree_large"
    /// `kmsan_handle_dma`.
    case handleDMA = "kmsan_handle_dma"
    /// `kmsan_handle_urb`.
    case handleURB = "kmsan_handle_urb"
    /// `kmsan_check_skb` (RFC v3).
    case checkSkb = "kmsan_check_skb"
    /// `kmsan_copy_to_user`.
    case copyToUser = "kmsan_copy_to_user"
    /// `__msan_warning`.
    case warning = "__msan_warning"
    /// `__msan_chain_origin`.
    case chainOrigin = "__msan_chain_origin"
    /// `__msan_poison_alloca`.
    case poisonAlloca = "__msan_poison_alloca"
    /// `__msan_metadata_ptr_for_load_n`.
    case load = "__msan_metadata_ptr_for_load_n"
    /// `__msan_metadata_ptr_for_store_n`.
    case store = "__msan_metadata_ptr_for_store_n"
}
