#!/usr/bin/env bash
# SLI 16.1.1 throughput (JSON load + table) against a pandas implementation of
# the same counting rule on the same file. Usage: bash bench/report/run.sh [ACTIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-200000}"
out=bench/out/report; mkdir -p "$out"
pip install -q pandas
python3 bench/report/gen.py "$out/actions.json" "$n"
cargo build -q --release -p crosswatch-report --example bench_sli
ours=$("${CARGO_TARGET_DIR:-target}/release/examples/bench_sli" "$out/actions.json" 5)
anchor=$(python3 bench/report/anchor.py "$out/actions.json" 5)
echo "$ours"; echo "$anchor"
python3 - "$ours" "$anchor" <<'PY'
import sys
get = lambda line, key: line.split(key + "=")[1].split()[0]
ours, anchor = sys.argv[1], sys.argv[2]
assert get(ours, "total_items") == get(anchor, "total_items"), "totals differ"
print(f"totals agree ({get(ours, 'total_items')} items)")
print(f"ratio (crosswatch / pandas actions_per_s) = {float(get(ours, 'actions_per_s')) / float(get(anchor, 'actions_per_s')):.2f}x")
PY
