#!/usr/bin/env bash
# End-to-end resurgence check on the real hub and node code: platform A shares
# Meta's Moldova takedown (plus a cloned outlet and an image hash of its own)
# on a hub; platform B's node syncs, matches B's posts by account, look-alike,
# image and narrative, a reviewer accepts, the actions carry the incident's
# id, and A reads B's `actioned` feedback on the hub; the SLI 16.1.1 table
# counts the action.
#
# Needs ../shared/data (skips visibly without it). Set CROSSWATCH_BIN to use an
# already-built binary.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
sample="$repo/../shared/data/meta-threat-research/Q3_2024_MOLDOVA_BASED_CIB_NETWORK.csv"
if [[ ! -f "$sample" ]]; then
    echo "SKIPPED node end-to-end: $sample not found"
    exit 0
fi
source "$repo/scripts/hub-lib.sh"
crosswatch_bin
bin="$CROSSWATCH_BIN"

work="$(mktemp -d)"
cleanup() {
    stop_hub
    rm -rf "$work"
}
trap cleanup EXIT

hub_dir="$work/hub"
admin() { "$bin" admin "$@" --data-dir "$hub_dir"; }
admin org create "Platform A" >/dev/null
admin org create "Platform B" >/dev/null
token_a="$(admin token create --org "Platform A" --role analyst 2>/dev/null)"
token_b="$(admin token create --org "Platform B" --role sync 2>/dev/null)"
admin group create "Moldova Elections" --member "Platform A" "Platform B" >/dev/null

start_hub "$hub_dir" "$work/server.log"

# A adds what its own investigation found to Meta's published file — a
# cloned outlet, the network's meme (PDQ) — and shares the incident with the
# group through the hub's REST API.
"$bin" convert "$sample" --to json -o "$work/moldova.json"
python3 - "$work/moldova.json" <<'PY'
import json, sys
path = sys.argv[1]
incidents = json.load(open(path))
incident = incidents[0] if isinstance(incidents, list) else incidents
incident["indicators"] += [
    {"type": "domain", "value": "newsmaker.ltd", "note": "clone of newsmaker.md"},
    {"type": "hash", "hash_algorithm": "pdq",
     "value": "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"},
]
json.dump(incidents, open(path, "w"))
PY
"$bin" node share "$work/moldova.json" --hub "$hub" --token "$token_a" --share "group:Moldova Elections" >/dev/null

# B's node syncs and matches B's posts: a link to t.me/insider_md, a new
# look-alike of the cloned outlet, a near-copy of the meme, a reworded
# narrative, an unrelated post and a broken line.
node=(--data-dir "$work/node-b")
"$bin" node sync --hub "$hub" --token "$token_b" "${node[@]}"
printf 'newsmaker.md\npoint.md\n' >"$work/protected.txt"
cat >"$work/items.jsonl" <<'ITEMS'
{"id": "post-1", "account": "@local_reader", "platform": "facebook", "urls": ["https://t.me/insider_md?utm_source=fb"], "text": "read this"}
{"id": "post-2", "urls": ["https://example.org/unrelated"], "text": "nothing to see"}
{"id": "post-3", "urls": ["https://newsmaker.pm/politica/alegeri-2024"]}
{"id": "post-4", "media": [{"pdq": "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b23", "quality": 90}]}
{"id": "post-5", "text": "Posting original content that included harsh criticism of President Sandu, of pro-EU politicians, and of the close ties between Moldova and Romania"}
this line is not JSON
ITEMS
"$bin" node match --input "$work/items.jsonl" --protected "$work/protected.txt" "${node[@]}" >"$work/hits.jsonl"
python3 - "$work/hits.jsonl" <<'PY'
import json, sys
hits = [json.loads(line) for line in open(sys.argv[1])]
found = sorted((h["item"], h["matcher"]) for h in hits)
assert found == [("post-1", "account"), ("post-3", "lookalike"), ("post-4", "pdq"), ("post-5", "text")], found
assert len({h["incident"] for h in hits}) == 1 and hits[0]["incident"], hits
print("ok: B's posts matched by account, look-alike, image and narrative, all to the shared incident")
PY

# A reviewer accepts; the actions carry the incident; feedback reaches A.
hit_of() { python3 -c 'import json,sys; print(next(h["hit"] for h in map(json.loads, open(sys.argv[1])) if h["item"] == sys.argv[2]))' "$work/hits.jsonl" "$1"; }
"$bin" node review accept "$(hit_of post-1)" --kind account --count 1 --member-state RO \
    --decision account-terminated --reviewer e2e "${node[@]}"
"$bin" node review accept "$(hit_of post-3)" "$(hit_of post-4)" "$(hit_of post-5)" --kind content \
    --member-state MD --decision content-removed --reviewer e2e "${node[@]}"
"$bin" node sync --hub "$hub" --token "$token_b" "${node[@]}"
"$bin" node actions list --json "${node[@]}" >"$work/actions.jsonl"
signal="$(python3 -c 'import json,sys; print(next(h["signal"] for h in map(json.loads, open(sys.argv[1])) if h["item"] == "post-1"))' "$work/hits.jsonl")"
curl -sf -H "Authorization: Bearer $token_a" "$hub/api/feedback?id=$signal" >"$work/feedback.json"
python3 - "$work/actions.jsonl" "$work/hits.jsonl" "$work/feedback.json" <<'PY'
import json, sys
actions = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
hit = json.loads(open(sys.argv[2]).readline())
feedback = json.load(open(sys.argv[3]))["feedback"]
assert len(actions) == 2, actions
assert all(a["prompted_by"]["incident_id"] == hit["incident"] for a in actions), (actions, hit)
print("ok: both actions carry incident", hit["incident"])
assert any(f["kind"] == "actioned" and f["org"] == "Platform B" and f["member_states"] == ["RO"] for f in feedback), feedback
print("ok: platform A sees platform B's actioned feedback")
PY

# The SLI 16.1.1 cell for Romania counts that action, traceably.
year="$(date -u +%Y)"
"$bin" report sli --period "$year-01-01..$year-12-31" --node "$work/node-b" --explain RO:accounts >"$work/explain.json"
python3 - "$work/explain.json" "$work/hits.jsonl" <<'PY'
import json, sys
explain = json.load(open(sys.argv[1]))
hit = json.loads(open(sys.argv[2]).readline())
assert explain["value"] == 1, explain
assert [a["incident_id"] for a in explain["actions"]] == [hit["incident"]], explain
print("ok: SLI 16.1.1 RO:accounts = 1, explained by the incident's action")
PY
# A following node syncs as soon as the hub's live stream announces a change,
# long before its polling interval.
"$bin" node sync --hub "$hub" --token "$token_b" --data-dir "$work/node-follow" --follow --interval 600 \
    2>"$work/follow.log" &
follow_pid=$!
sleep 1
benin="$repo/../shared/data/meta-threat-research/Q4_2024_BENIN_BASED_CIB_NETWORK.csv"
"$bin" node share "$benin" --hub "$hub" --token "$token_a" --share "group:Moldova Elections" >/dev/null 2>&1
followed=""
for _ in $(seq 1 50); do
    if [[ "$(grep -c ' new,' "$work/follow.log")" -ge 2 ]] && tail -n1 "$work/follow.log" | grep -qv ' 0 new,'; then
        followed=yes
        break
    fi
    sleep 0.1
done
kill "$follow_pid" 2>/dev/null || true
wait "$follow_pid" 2>/dev/null || true
if [[ -z "$followed" ]]; then
    echo "FAIL: the following node did not sync within 5 s of a share"; cat "$work/follow.log"; exit 1
fi
echo "ok: a following node synced within seconds of the share (live stream)"
echo "5 passed, 0 failed"
