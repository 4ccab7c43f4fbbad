#!/usr/bin/env bash
# Near-duplicate co-image at scale: generated posts of PDQ-like hashes
# (organic images, viral images re-posted with up to 12 bits flipped,
# coordinated bursts of copies with up to 16 bits flipped), Crosswatch with
# exact hashes (--max-distance 0) and at PDQ's match distance (31). The
# toolkit has no image network, so there is no side-by-side anchor here; the
# Hamming index itself is measured against FAISS in bench/pdq.
#
#   bash bench/detect/coimage.sh            # 1M posts
#   ROWS=200000 bash bench/detect/coimage.sh
set -euo pipefail

source "$(dirname "$0")/common.sh"
ROWS="${ROWS:-1000000}"

input="$WORK/images_$ROWS.csv"
[ -s "$input" ] || "$GEN" "$ROWS" 20240601 images > "$input"
echo "== co-image, $ROWS posts ($(du -h "$input" | cut -f1)), window 60s, min weight 2, $THREADS threads"
for distance in 0 31; do
  /usr/bin/time -v -o "$WORK/t_image_$distance.txt" "$CW" detect --network co-image --input "$input" \
    --account user_id --object image_hash --time timestamp --window 60 --min-weight 2 \
    --max-distance "$distance" --threads "$THREADS" --output "$WORK/image_$distance.csv" 2> "$WORK/image_$distance.log"
  echo "max distance $distance: $(wall "$WORK/t_image_$distance.txt")s wall, $(cpu "$WORK/t_image_$distance.txt")s CPU, peak $(peak_mb "$WORK/t_image_$distance.txt") MB; $(tail -n 1 "$WORK/image_$distance.log")"
  grep '^note: co-image' "$WORK/image_$distance.log" | sed 's/^/  /' || true
done
date
