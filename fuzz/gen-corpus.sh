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

# The harness's loaders are seeded from the shipped files themselves:
# the first two tests of each scenario file, and the peer profiles.
mkdir -p fuzz/corpus/scenario_vector fuzz/corpus/peer_profile
for f in vectors/scenarios/*.json; do
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['tests']=d['tests'][:2]; json.dump(d, open(sys.argv[2], 'w'), indent=1)" \
        "$f" "fuzz/corpus/scenario_vector/$(basename "$f")"
done
cp vectors/peers/*.json fuzz/corpus/peer_profile/
