# Shared set-up of the detector benchmarks (sourced by run.sh and cotext.sh):
# work folder, thread count, the toolkit from PyPI, GNU time, and release
# builds of the data generator and of crosswatch ($CROSSWATCH_BIN may point
# at an already built binary).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$WORK"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
THREADS="${THREADS:-$(nproc)}"

pip install -q coordination-network-toolkit
command -v /usr/bin/time >/dev/null || apt-get install -y -q time >/dev/null
command -v bc >/dev/null || apt-get install -y -q bc >/dev/null

(cd "$ROOT" && cargo build -q --release -p crosswatch-detect --example generate_activity)
if [ -z "${CROSSWATCH_BIN:-}" ]; then
  (cd "$ROOT" && cargo build -q --release -p crosswatch) || {
    echo "the crosswatch binary does not build; fix the workspace first" >&2; exit 1; }
fi
CW="${CROSSWATCH_BIN:-$TARGET/release/crosswatch}"
GEN="$TARGET/release/examples/generate_activity"

# Wall seconds, CPU seconds and peak memory (MB) from /usr/bin/time -v output.
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$1"; }
cpu() { awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u+s}' "$1"; }
peak_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$1"; }
