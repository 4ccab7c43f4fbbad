#!/usr/bin/env bash
# Look-alike and URL-canonicalisation benchmark with Python anchors side by
# side on the same inputs. Usage: bench/matching/run.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${1:-5}"
TARGET="${CARGO_TARGET_DIR:-target}"

pip install -q "tldextract>=5,<6" "rapidfuzz>=3,<4" "w3lib>=2,<3"
cargo build --release -q -p crosswatch-matching --example matching_bench

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
python3 bench/matching/make_inputs.py "$WORK"
PROTECTED=crates/matching/data/protected-news-outlets.txt
BENIGN=bench/matching/benign-domains.txt

echo "== inputs: $(wc -l <"$WORK/urls.txt") URLs, $(wc -l <"$WORK/domains.txt") domains, $(grep -c . "$WORK/doppelganger.txt" || true) Doppelganger domains, $(grep -vc '^#' "$BENIGN") benign domains; single thread"
echo "== Rust (crosswatch-matching)"
"$TARGET/release/examples/matching_bench" "$WORK/urls.txt" "$WORK/domains.txt" "$WORK/doppelganger.txt" "$BENIGN" "$ROUNDS" | tee "$WORK/rust.txt"
echo "== Python anchor (w3lib + tldextract, rapidfuzz Levenshtein scan)"
python3 bench/matching/anchor.py "$WORK/urls.txt" "$WORK/domains.txt" "$WORK/doppelganger.txt" "$BENIGN" "$PROTECTED" 3 | tee "$WORK/python.txt"

echo "== ratios (Rust / Python, medians)"
for metric in canon_urls_per_sec registrable_domains_per_sec lookalike_checks_per_sec; do
  rust="$(awk -v m="$metric" '$1 == m {print $2}' "$WORK/rust.txt")"
  py="$(awk -v m="$metric" '$1 == m {print $2}' "$WORK/python.txt")"
  awk -v m="$metric" -v r="$rust" -v p="$py" 'BEGIN { printf "%s: %.0f vs %.0f = %.1fx\n", m, r, p, r / p }'
done
