#!/usr/bin/env bash
# Regenerates the seed corpora fuzz/corpus/<target>/seed-* from in-memory
# engine-to-engine loopback transcripts (engine/src/fuzzing/seeds.rs):
# every version and suite, with and without client authentication, and
# resumption, under the InsecureFuzzing provider so records are cleartext.
# Files the fuzzer added (not named seed-*) are left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
SHAKEDOWN_WRITE_CORPUS=1 cargo test -p shakedown-engine --test fuzz_regressions \
    -- --exact seed_corpus_matches_the_generator
