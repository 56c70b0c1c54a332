#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build: every cargo-fuzz target of fuzz/ into
# $OUT, each with its seed corpus as $OUT/<target>_seed_corpus.zip.
#
# Expects what the base-builder-rust image sets: $SRC (the checkout is
# $SRC/shakedown), $OUT, and $SANITIZER (address, undefined, coverage...).
# To check it here: SRC=<dir holding a shakedown link> OUT=<dir>
# SANITIZER=none bash .clusterfuzzlite/build.sh (none builds on stable).

cd "$SRC/shakedown/fuzz"

case "${SANITIZER:-address}" in
    # No sanitizer runtime: plain coverage-guided builds (stable toolchain).
    none | coverage | introspector) flags=(-s none) ;;
    address) flags=(-s address) ;;
    *) flags=(-s "$SANITIZER") ;;
esac
if [ "${flags[1]}" != none ]; then
    # cargo-fuzz's -Zsanitizer needs a nightly or RUSTC_BOOTSTRAP.
    export RUSTC_BOOTSTRAP=1
fi

# -a: debug assertions, so arithmetic overflow is a crash.
cargo fuzz build -O -a "${flags[@]}"

triple="$(rustc -vV | sed -n 's/^host: //p')"
for target in $(cargo fuzz list); do
    cp "target/$triple/release/$target" "$OUT/"
    if [ -d "corpus/$target" ]; then
        rm -f "$OUT/${target}_seed_corpus.zip"
        (cd "corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
    fi
done
