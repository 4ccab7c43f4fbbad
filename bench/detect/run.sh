#!/usr/bin/env bash
# Coordination detector vs coordination-network-toolkit (PyPI), side by side
# on the same generated inputs: co-link and co-repost, 60 s window, min
# weight 2. Checks that the non-loop edges are identical, prints wall times,
# the ratio and our peak memory, for one run per network and for one run
# computing both networks from a single read of the file.
#
#   bash bench/detect/run.sh               # 1M rows
#   BENCH_LARGE=1 bash bench/detect/run.sh # also 10M rows (toolkit ~6+ min)
#
# Work files go to $BENCH_DIR (default: a fresh temporary folder).
set -euo pipefail

source "$(dirname "$0")/common.sh"

# Sorted non-loop edges "source,target,weight" of ours.
normalise() { tail -n +2 "$1" | awk -F, '$1 != $2 {print $1","$2","$3}' | LC_ALL=C sort; }
# The same from the toolkit's database (its CSV export crashes in 1.5.2 on
# an unexpected `n_messages` argument, so the table is read directly).
toolkit_edges() {
  python3 - "$1" "$2" <<'PY' | LC_ALL=C sort
import sqlite3, sys
for u1, u2, w in sqlite3.connect(sys.argv[1]).execute(
        f"select user_1, user_2, weight from {sys.argv[2]}_network where user_1 != user_2"):
    print(f"{u1},{u2},{w}")
PY
}

run_size() {
  local rows="$1" input="$WORK/activity_$1.csv"
  echo "== $rows rows"
  [ -s "$input" ] || "$GEN" "$rows" > "$input"
  echo "input: $(du -h "$input" | cut -f1)"

  rm -f "$WORK/toolkit_$rows.db"*
  /usr/bin/time -v -o "$WORK/t_pre.txt" compute_networks "$WORK/toolkit_$rows.db" preprocess --format csv "$input" > /dev/null
  local tk_total; tk_total=$(wall "$WORK/t_pre.txt")
  local cw_total=0
  for net in co_link co_retweet; do
    local ours=co-link; [ "$net" = co_retweet ] && ours=co-repost
    /usr/bin/time -v -o "$WORK/t_$net.txt" compute_networks "$WORK/toolkit_$rows.db" compute "$net" \
      --time_window 60 --min_edge_weight 2 --n_cpus "$THREADS" > /dev/null 2>&1
    local tk; tk=$(wall "$WORK/t_$net.txt")
    tk_total=$(echo "$tk_total + $tk" | bc -l)

    /usr/bin/time -v -o "$WORK/c_$net.txt" "$CW" detect --network "$ours" --input "$input" \
      --account user_id --time timestamp --window 60 --min-weight 2 --verbatim-urls \
      --threads "$THREADS" --output "$WORK/ours_${net}_$rows.csv" 2> /dev/null
    local cw; cw=$(wall "$WORK/c_$net.txt")
    cw_total=$(echo "$cw_total + $cw" | bc -l)

    toolkit_edges "$WORK/toolkit_$rows.db" "$net" > "$WORK/tk_sorted.csv"
    normalise "$WORK/ours_${net}_$rows.csv" > "$WORK/cw_sorted.csv"
    local edges; edges=$(wc -l < "$WORK/cw_sorted.csv")
    if cmp -s "$WORK/tk_sorted.csv" "$WORK/cw_sorted.csv"; then
      echo "$net: identical non-loop edges ($edges); toolkit compute ${tk}s, crosswatch ${cw}s (end to end), peak $(peak_mb "$WORK/c_$net.txt") MB"
    else
      echo "$net: EDGES DIFFER (toolkit $(wc -l < "$WORK/tk_sorted.csv"), crosswatch $edges)"; exit 1
    fi
  done
  echo "toolkit preprocess $(wall "$WORK/t_pre.txt")s; toolkit total ${tk_total}s; crosswatch total ${cw_total}s"
  echo "ratio (toolkit / crosswatch, end to end): $(echo "$tk_total / $cw_total" | bc -l | cut -c1-6)x"

  # Both networks from one read of the file (a multiplex run), as the
  # toolkit computes both from one preprocessing; each kind's edges must
  # again equal the toolkit's.
  /usr/bin/time -v -o "$WORK/c_multi.txt" "$CW" detect --network co-link,co-repost --input "$input" \
    --account user_id --time timestamp --window 60 --min-weight 2 --verbatim-urls \
    --threads "$THREADS" --output "$WORK/ours_multi_$rows.csv" 2> /dev/null
  local multi; multi=$(wall "$WORK/c_multi.txt")
  for net in co_link co_retweet; do
    local kind=co-link; [ "$net" = co_retweet ] && kind=co-share
    toolkit_edges "$WORK/toolkit_$rows.db" "$net" > "$WORK/tk_sorted.csv"
    awk -F, -v k="$kind" 'NR > 1 && $7 == k && $1 != $2 {print $1","$2","$3}' "$WORK/ours_multi_$rows.csv" \
      | LC_ALL=C sort > "$WORK/cw_sorted.csv"
    if ! cmp -s "$WORK/tk_sorted.csv" "$WORK/cw_sorted.csv"; then
      echo "$net (one read): EDGES DIFFER"; exit 1
    fi
  done
  echo "both networks from one read: identical non-loop edges; crosswatch ${multi}s, peak $(peak_mb "$WORK/c_multi.txt") MB"
  echo "ratio (toolkit / crosswatch one read, end to end): $(echo "$tk_total / $multi" | bc -l | cut -c1-6)x"
}

run_size 1000000
if [ "${BENCH_LARGE:-0}" = 1 ]; then
  run_size 10000000
fi
date
