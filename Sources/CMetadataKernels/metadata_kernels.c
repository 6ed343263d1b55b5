#include "metadata_kernels.h"
#include <string.h>

#ifndef __has_feature
#define __has_feature(x) 0
#endif

// ifunc resolvers run while the program is being relocated, before a sanitizer runtime is up,
// so sanitizer builds (whose instrumented resolvers would crash) get the baseline loop only.
#if defined(__x86_64__) && defined(__ELF__) && (defined(__clang__) || defined(__GNUC__)) \
    && !__has_feature(thread_sanitizer) && !__has_feature(address_sanitizer) && !__has_feature(memory_sanitizer) \
    && !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
#define KH_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define KH_CLONES
#endif

// What one block holds: 0 = clean, 1 = fully poisoned with one origin, 2 = anything else.
static inline int classify(const uint32_t *restrict shadow, const uint32_t *restrict origin, uint32_t *uniform) {
    uint32_t any = 0, all = ~0u;
    for (int k = 0; k < KH_BLOCK_SLOTS; k++) {
        any |= shadow[k];
        all &= shadow[k];
    }
    if (any == 0) return 0;
    if (all != ~0u) return 2;
    uint32_t first = origin[0], differ = 0;
    for (int k = 0; k < KH_BLOCK_SLOTS; k++) differ |= origin[k] ^ first;
    if (differ) return 2;
    *uniform = first;
    return 1;
}

KH_CLONES
kh_block_result kh_copy_slot_blocks(
    uint32_t *dst_shadow, const uint32_t *src_shadow, uint32_t *dst_origin, const uint32_t *src_origin,
    long first, long last, int backwards, int copy_shadow, uint32_t cached_old, uint32_t cached_new) {
    kh_block_result result = { last * KH_BLOCK_SLOTS, 0 };
    for (long i = 0; i < last - first; i++) {
        long b = (backwards ? last - 1 - i : first + i) * KH_BLOCK_SLOTS;
        uint32_t uniform = 0;
        int kind = classify(src_shadow + b, src_origin + b, &uniform);
        if (kind == 2 || (kind == 1 && uniform != cached_old)) {
            result.stopped_at = b;
            result.uniform_origin = kind == 1 ? uniform : 0;
            return result;
        }
        uint32_t value = kind == 0 ? 0 : cached_new;
        uint32_t *restrict o = dst_origin + b;
        for (int k = 0; k < KH_BLOCK_SLOTS; k++) o[k] = value;
        if (copy_shadow) memcpy(dst_shadow + b, src_shadow + b, KH_BLOCK_SLOTS * sizeof(uint32_t));
    }
    return result;
}

KH_CLONES
void kh_fill_origins(uint32_t *dst, long count, uint32_t value) {
    for (long k = 0; k < count; k++) dst[k] = value;
}
