#!/usr/bin/env bash
# Near-duplicate text benchmark: crosswatch-minhash vs datasketch and gaoya
# on the same generated corpus, same num_perm, threshold and bands x rows.
#
#   bench/minhash/run.sh [POSTS] [QUERIES] [REPEATS]
#
# Defaults: 50000 posts, 5000 query texts, 3 runs per phase (median); about
# 3 minutes on an idle 2-core machine, most of it datasketch.
set -euo pipefail

POSTS=${1:-50000}
QUERIES=${2:-5000}
REPEATS=${3:-3}
NUM_PERM=128
THRESHOLD=0.8
TRUTH_SAMPLE=200

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${TMPDIR:-/tmp}/crosswatch-minhash-bench
mkdir -p "$WORK"

pip install -q datasketch gaoya

cd "$ROOT"
cargo build --release -q -p crosswatch-minhash --example bench_minhash
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/bench_minhash

echo "generating $POSTS posts -> $WORK/corpus.txt"
python3 bench/minhash/gen_corpus.py "$WORK/corpus.txt" --posts "$POSTS"

echo "timing crosswatch-minhash"
"$BIN" "$WORK/corpus.txt" "$NUM_PERM" "$THRESHOLD" "$QUERIES" "$REPEATS" "$TRUTH_SAMPLE" \
    "$WORK/truth.tsv" > "$WORK/rust.json"

echo "timing datasketch and gaoya"
python3 bench/minhash/compare.py "$WORK/corpus.txt" "$WORK/rust.json" "$WORK/truth.tsv" \
    "$NUM_PERM" "$THRESHOLD" "$QUERIES" "$REPEATS"
