#!/usr/bin/env bash
# PDQ index benchmark: Crosswatch's PdqIndex vs FAISS IndexBinaryFlat on the
# same 1M-hash bank and 1000 queries at Hamming distance <= 31, plus PDQ
# hashing throughput. Rerunnable; takes a few minutes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${PDQ_BENCH_DIR:-$(mktemp -d /tmp/pdq-bench.XXXXXX)}"
images="${CROSSWATCH_SHARED_DATA:-$root/../shared/data}/pdq/images"

python3 -m pip install -q faiss-cpu numpy
(cd "$root" && cargo build -q --release -p crosswatch-pdq --example bench_index)
target="${CARGO_TARGET_DIR:-$root/target}"

date -u
python3 "$here/faiss_side.py" generate "$work"
if [ -d "$images" ]; then
  "$target/release/examples/bench_index" "$work" "$images" | tee "$work/rust.txt"
else
  echo "(no shared images at $images: skipping hashing throughput)"
  "$target/release/examples/bench_index" "$work" | tee "$work/rust.txt"
fi
python3 "$here/faiss_side.py" faiss "$work"

rust_us=$(sed -n 's/.*median \([0-9.]*\) us\/query.*/\1/p' "$work/rust.txt")
faiss_us=$(cat "$work/faiss_median_us.txt")
python3 -c "print(f'speed ratio (FAISS median / Rust median per query): {float($faiss_us)/float($rust_us):.1f}x')"
