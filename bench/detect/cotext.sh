#!/usr/bin/env bash
# Near-duplicate co-text vs coordination-network-toolkit's co_similar_tweet
# (PyPI), side by side on the same generated posts: Jaccard >= 0.8 on word
# tokens, 60 s window, minimum edge weight 2 (the toolkit's defaults).
#
# Runs Crosswatch with MinHash candidates (the default) and with exhaustive
# prefix-filter candidates (exact: every pair with Jaccard >= J), each
# directed with min weight 2 and undirected with min weight 1. Prints wall
# times and ratios, checks that the exhaustive run's non-loop edges equal
# the toolkit's, and measures the MinHash run's recall against exact
# Jaccard: message pairs within the window (undirected weights), directed
# edges, and the toolkit's edges.
#
#   bash bench/detect/cotext.sh                      # both on 1M posts (~20 min, the toolkit ~12)
#   TOOLKIT_ROWS=200000 bash bench/detect/cotext.sh  # Crosswatch on 1M, the toolkit on 200k
#   ROWS=200000 bash bench/detect/cotext.sh          # both on 200k
#   TOOLKIT_ROWS=0 bash bench/detect/cotext.sh       # skip the toolkit
#
# The toolkit compares every pair of posts within the window in Python, so
# its time grows with the square of the posting rate (posts per window);
# Crosswatch's grows with the number of posts.
#
# Work files go to $BENCH_DIR (default: a fresh temporary folder).
set -euo pipefail

source "$(dirname "$0")/common.sh"
ROWS="${ROWS:-1000000}"
TOOLKIT_ROWS="${TOOLKIT_ROWS:-$ROWS}"
THRESHOLD="${THRESHOLD:-0.8}"
WINDOW=60
MIN_WEIGHT=2

ratio() { echo "$1 / $2" | bc -l | cut -c1-6; }

# ours NAME ROWS CANDIDATES EXTRA...: one timed Crosswatch run.
ours() {
  local name="$1" rows="$2" candidates="$3"; shift 3
  /usr/bin/time -v -o "$WORK/t_$name.txt" "$CW" detect --network co-text \
    --input "$WORK/posts_$rows.csv" --account user_id --object message --time timestamp \
    --window "$WINDOW" --similarity "$THRESHOLD" --text-candidates "$candidates" \
    --threads "$THREADS" --output "$WORK/$name.csv" --summary "$WORK/$name.json" "$@" 2> "$WORK/$name.log"
}

for rows in $(printf '%s\n' "$ROWS" "$TOOLKIT_ROWS" | sort -un); do
  [ "$rows" = 0 ] && continue
  [ -s "$WORK/posts_$rows.csv" ] || "$GEN" "$rows" 20240601 texts > "$WORK/posts_$rows.csv"
done

echo "== Crosswatch, $ROWS posts ($(du -h "$WORK/posts_$ROWS.csv" | cut -f1)), Jaccard >= $THRESHOLD, window ${WINDOW}s, min weight $MIN_WEIGHT, $THREADS threads"
ours minhash_$ROWS "$ROWS" minhash --min-weight "$MIN_WEIGHT"
ours exact_$ROWS "$ROWS" exhaustive --min-weight "$MIN_WEIGHT"
ours minhash_pairs_$ROWS "$ROWS" minhash --min-weight 1 --undirected
ours exact_pairs_$ROWS "$ROWS" exhaustive --min-weight 1 --undirected
for name in minhash exact; do
  echo "$name: $(wall "$WORK/t_${name}_$ROWS.txt")s wall, $(cpu "$WORK/t_${name}_$ROWS.txt")s CPU, peak $(peak_mb "$WORK/t_${name}_$ROWS.txt") MB; $(tail -n 2 "$WORK/${name}_$ROWS.log" | head -n 1 | sed 's/^note: //')"
done

# Recall of the MinHash run against exact Jaccard (the exhaustive run).
python3 - "$WORK" "$ROWS" <<'PY'
import csv, json, sys
work, rows = sys.argv[1], sys.argv[2]
def near(name):
    return json.load(open(f"{work}/{name}_{rows}.json"))["networks"][0]["near"]
def weights(name):
    with open(f"{work}/{name}_{rows}.csv") as f:
        return {(r["source"], r["target"]): int(r["weight"]) for r in csv.DictReader(f) if r["source"] != r["target"]}
m, e = near("minhash"), near("exact")
print(f"near-duplicate groups of 2+ keys: minhash {m['groups']} (largest {m['largest_group']}),"
      f" exact {e['groups']} (largest {e['largest_group']});"
      f" candidates verified: minhash {m['verified_pairs']} of {m['candidate_pairs']},"
      f" exhaustive {e['verified_pairs']} of {e['candidate_pairs']}")
mp, ep = weights("minhash_pairs"), weights("exact_pairs")
found = sum(min(w, mp.get(k, 0)) for k, w in ep.items())
extra = sum(1 for k, w in mp.items() if w > ep.get(k, 0))
print(f"message pairs within the window: {sum(mp.values())} / {sum(ep.values())} = recall {found / max(sum(ep.values()), 1):.5f}; pairs not in the exact result: {extra}")
md, ed = weights("minhash"), weights("exact")
same = sum(1 for k, w in ed.items() if md.get(k) == w)
print(f"directed edges (min weight 2): minhash {len(md)}, exact {len(ed)}, identical {same} = {same / max(len(ed), 1):.5f}")
PY

if [ "$TOOLKIT_ROWS" != 0 ]; then
  rows="$TOOLKIT_ROWS"
  echo "== coordination-network-toolkit co_similar_tweet, $rows posts"
  if [ "$rows" != "$ROWS" ]; then
    ours minhash_$rows "$rows" minhash --min-weight "$MIN_WEIGHT"
    ours exact_$rows "$rows" exhaustive --min-weight "$MIN_WEIGHT"
  fi
  rm -f "$WORK/toolkit_$rows.db"*
  /usr/bin/time -v -o "$WORK/t_pre.txt" compute_networks "$WORK/toolkit_$rows.db" preprocess --format csv "$WORK/posts_$rows.csv" > /dev/null
  /usr/bin/time -v -o "$WORK/t_sim.txt" compute_networks "$WORK/toolkit_$rows.db" compute co_similar_tweet \
    --time_window "$WINDOW" --min_edge_weight "$MIN_WEIGHT" --similarity_threshold "$THRESHOLD" \
    --n_cpus "$THREADS" > /dev/null 2>&1
  pre=$(wall "$WORK/t_pre.txt"); sim=$(wall "$WORK/t_sim.txt")
  cw=$(wall "$WORK/t_minhash_$rows.txt"); cw_exact=$(wall "$WORK/t_exact_$rows.txt")
  echo "toolkit: preprocess ${pre}s, co_similar_tweet ${sim}s wall ($(cpu "$WORK/t_sim.txt")s CPU)"
  echo "crosswatch end to end: minhash ${cw}s, exhaustive ${cw_exact}s"
  echo "ratio (toolkit co_similar_tweet only / crosswatch minhash, end to end): $(ratio "$sim" "$cw")x"
  echo "ratio (toolkit preprocess + co_similar_tweet / crosswatch minhash): $(ratio "$pre + $sim" "$cw")x"
  python3 - "$WORK" "$rows" <<'PY'
import csv, sqlite3, sys
work, rows = sys.argv[1], sys.argv[2]
toolkit = {(u1, u2): w for u1, u2, w in sqlite3.connect(f"{work}/toolkit_{rows}.db").execute(
    "select user_1, user_2, weight from co_similar_tweet_network where user_1 != user_2")}
def weights(name):
    with open(f"{work}/{name}_{rows}.csv") as f:
        return {(r["source"], r["target"]): int(r["weight"]) for r in csv.DictReader(f) if r["source"] != r["target"]}
exact, minhash = weights("exact"), weights("minhash")
print(f"exhaustive vs toolkit: {'IDENTICAL' if exact == toolkit else 'DIFFERENT'} non-loop edges ({len(exact)} vs {len(toolkit)})")
same = sum(1 for k, w in toolkit.items() if minhash.get(k) == w)
print(f"minhash vs toolkit: {same} of {len(toolkit)} edges identical = {same / max(len(toolkit), 1):.5f};"
      f" weight recall {sum(min(w, minhash.get(k, 0)) for k, w in toolkit.items()) / max(sum(toolkit.values()), 1):.5f};"
      f" edges not in the toolkit's: {sum(1 for k in minhash if k not in toolkit)}")
PY
fi
date
