#!/usr/bin/env bash
# STIX export/import throughput of crosswatch-stix, with the Python `stix2`
# library parsing and serialising the same bundle as the anchor.
#
# Usage: bash bench/stix/run.sh [INCIDENTS] [RUST_REPETITIONS] [PYTHON_REPETITIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."

incidents="${1:-100}"
rust_reps="${2:-5}"
python_reps="${3:-3}"
out="bench/out/stix"
mkdir -p "$out"

python3 -m pip install -q stix2
cargo build --release -q -p crosswatch-stix --example stix_bench
target="${CARGO_TARGET_DIR:-target}"

rust=$("$target/release/examples/stix_bench" "$out/bundle.json" "$incidents" "$rust_reps")
python=$(python3 bench/stix/anchor.py "$out/bundle.json" "$python_reps")

python3 - "$rust" "$python" <<'PY'
import json, sys
rust, py = json.loads(sys.argv[1]), json.loads(sys.argv[2])
n = rust["objects"]
rows = [
    ("export (incidents -> bundle JSON)", rust["export_median_s"], "stix2 serialize", py["serialise_median_s"]),
    ("import (bundle JSON -> incidents)", rust["import_median_s"], "stix2.parse", py["parse_median_s"]),
]
print(f"bundle: {n} objects, {rust['bytes'] / 1e6:.1f} MB; stix2 {py['stix2_version']}")
for name, rust_s, anchor, anchor_s in rows:
    print(f"{name:36s} median {rust_s:8.3f} s  {n / rust_s:10.0f} objects/s | "
          f"{anchor:16s} median {anchor_s:8.3f} s  {n / anchor_s:9.0f} objects/s | "
          f"ratio {anchor_s / rust_s:6.1f}x")
PY
