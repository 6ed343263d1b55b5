#!/bin/bash -eu
# Builds kmsan-harness's libFuzzer target the OSS-Fuzz way (precompile_swift and $SWIFTFLAGS)
# and packs its seed corpus from the bundled scenarios. Used by ClusterFuzzLite as is and by
# OSS-Fuzz through Harnesses/Fuzz/oss-fuzz/build.sh.
cd "$SRC/kmsan-harness"
. precompile_swift
# ASan and jemalloc cannot share a process: host pages come from the system allocator.
export KMSAN_HARNESS_HOST_ALLOCATOR=system
swift build -c release --product kmsan-harness-fuzzer $SWIFTFLAGS -Xswiftc -DFUZZING \
    -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
cp .build/release/kmsan-harness-fuzzer "$OUT/kmsan_harness_fuzzer"

# Seed corpus: the bundled scenarios in the target's binary encoding, written by the command
# line tool (a build of its own, without the fuzzing flags).
env -u SWIFTFLAGS swift build -c release --product kmsan-harness --scratch-path .build-seeds
.build-seeds/release/kmsan-harness fuzz --runs 1 --seeds Harnesses --corpus seeds >/dev/null || true
zip -q -j "$OUT/kmsan_harness_fuzzer_seed_corpus.zip" seeds/*
printf '[libfuzzer]\nmax_len = 4096\n' > "$OUT/kmsan_harness_fuzzer.options"
