#!/usr/bin/env bash
# Import throughput of Meta's kill-chain CSV, side by side with a plain Python
# csv reader on the same file. Usage: bash bench/import/run.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/../.."
rows="${1:-200000}"
out=bench/out/import; mkdir -p "$out"
python3 bench/import/gen.py "$out/killchain.csv" "$rows"
cargo build -q --release -p crosswatch-import --example bench_import
ours=$("${CARGO_TARGET_DIR:-target}/release/examples/bench_import" "$out/killchain.csv" 5)
anchor=$(python3 bench/import/anchor.py "$out/killchain.csv" 5)
echo "$ours"; echo "$anchor"
python3 - "$ours" "$anchor" <<'PY'
import sys
get = lambda line: float(line.split("rows_per_s=")[1])
print(f"ratio (crosswatch / python csv) = {get(sys.argv[1]) / get(sys.argv[2]):.2f}x")
PY
