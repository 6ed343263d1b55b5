// Vectorized inner loops of KMSAN's metadata copy, compiled for several x86-64 levels at once
// (target_clones: the loader picks AVX-512, AVX2 or the baseline for this CPU, as glibc's
// string functions do). They only move and compare words; every rule of the kernel stays in
// Swift, which calls these for whole 64-slot blocks whose outcome is decided by the data.
#ifndef KMSAN_HARNESS_METADATA_KERNELS_H
#define KMSAN_HARNESS_METADATA_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Slots per block (256 shadow bytes).
#define KH_BLOCK_SLOTS 64

/// Outcome of `kh_copy_slot_blocks` when it stops before the end.
typedef struct {
    /// Index (in slots, from `slots`) of the block it could not finish, or `count` when done.
    long stopped_at;
    /// The source origin shared by every slot of that block, or 0 if they differ / mixed shadow.
    uint32_t uniform_origin;
} kh_block_result;

/// Copies shadow and origins of whole 64-slot blocks of one metadata copy, from block `first`
/// to block `last` (exclusive), forwards or backwards, and stops at the first block it cannot
/// finish on its own:
/// - a block whose source shadow is all zero: destination origins become 0;
/// - a block whose source shadow is all 0xff and whose source origins all equal `cached_old`:
///   destination origins become `cached_new`;
/// - anything else: stop, returning the block (with its uniform origin if the shadow is all
///   0xff and the origins agree, so the caller can chain it and go on).
/// The shadow of every finished block is copied too when `copy_shadow` is set (disjoint ranges).
kh_block_result kh_copy_slot_blocks(
    uint32_t *dst_shadow, const uint32_t *src_shadow, uint32_t *dst_origin, const uint32_t *src_origin,
    long first, long last, int backwards, int copy_shadow, uint32_t cached_old, uint32_t cached_new);

/// Fills `count` origin slots with `value`.
void kh_fill_origins(uint32_t *dst, long count, uint32_t value);

#endif
