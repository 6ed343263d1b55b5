// Thin C shims over jemalloc 5.3 (Debian build: no je_ prefix).
//
// MALLOCX_ALIGN, MALLOCX_ARENA and MALLOCX_ZERO are macros, which Swift cannot
// import; these static inline functions expose exactly the combinations the
// harness uses. Everything here is a direct call into jemalloc.
#ifndef KMSAN_HARNESS_CJEMALLOC_SHIM_H
#define KMSAN_HARNESS_CJEMALLOC_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <jemalloc/jemalloc.h>

/// Allocates `size` zeroed bytes aligned to `alignment` from arena `arena`.
///
/// The thread cache is bypassed: cached blocks (up to 32 KiB by default) may come from
/// another arena and would outlive `arena.<i>.destroy`. This runs only when a machine is
/// set up or torn down, never on a hot path, so the slower uncached path costs nothing.
static inline void *kh_arena_alloc_zeroed(unsigned arena, size_t size, size_t alignment) {
    return mallocx(size, MALLOCX_ARENA(arena) | MALLOCX_ALIGN(alignment) | MALLOCX_ZERO | MALLOCX_TCACHE_NONE);
}

/// Returns memory obtained from `kh_arena_alloc_zeroed` straight to its arena.
static inline void kh_arena_free(unsigned arena, void *ptr) {
    dallocx(ptr, MALLOCX_ARENA(arena) | MALLOCX_TCACHE_NONE);
}

/// Creates a fresh arena; returns false when jemalloc refuses.
static inline bool kh_arena_create(unsigned *arena) {
    size_t len = sizeof(*arena);
    return mallctl("arenas.create", arena, &len, NULL, 0) == 0;
}

/// Destroys an arena created by `kh_arena_create`, returning its memory to the system.
static inline bool kh_arena_destroy(unsigned arena) {
    char name[64];
    snprintf(name, sizeof(name), "arena.%u.destroy", arena);
    return mallctl(name, NULL, NULL, NULL, 0) == 0;
}

/// Refreshes jemalloc's cached statistics (the `epoch` control).
static inline void kh_stats_refresh(void) {
    uint64_t epoch = 1;
    size_t len = sizeof(epoch);
    mallctl("epoch", &epoch, &len, &epoch, len);
}

/// Reads a size_t statistic of one arena, e.g. "large.allocated"; returns false if unknown.
static inline bool kh_arena_stat(unsigned arena, const char *stat, size_t *value) {
    char name[128];
    snprintf(name, sizeof(name), "stats.arenas.%u.%s", arena, stat);
    size_t len = sizeof(*value);
    return mallctl(name, value, &len, NULL, 0) == 0;
}

/// Reads a uint64_t statistic of one arena, e.g. "large.nmalloc"; returns false if unknown.
static inline bool kh_arena_stat_u64(unsigned arena, const char *stat, uint64_t *value) {
    char name[128];
    snprintf(name, sizeof(name), "stats.arenas.%u.%s", arena, stat);
    size_t len = sizeof(*value);
    return mallctl(name, value, &len, NULL, 0) == 0;
}

#endif
