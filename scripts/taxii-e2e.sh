#!/usr/bin/env bash
# End-to-end TAXII 2.1 test: builds crosswatch, starts `crosswatch serve` on a
# free port with a temporary data directory, creates three organisations, their
# tokens and a sharing group with the admin CLI, runs scripts/taxii-e2e.py with
# the OASIS taxii2-client, scripts/rest-e2e.py on the native API, and stops
# the server while a live feed stream is open.
#
# Set CROSSWATCH_BIN to use an already-built binary.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
pip install -q taxii2-client stix2-validator openapi-spec-validator

source "$repo/scripts/hub-lib.sh"
crosswatch_bin

data="$(mktemp -d)"
cleanup() {
    stop_hub
    rm -rf "$data"
}
trap cleanup EXIT

admin() { "$CROSSWATCH_BIN" admin "$@" --data-dir "$data"; }

admin org create "Org A" >/dev/null
admin org create "Org B" >/dev/null
admin org create "Org C" >/dev/null
token_a="$(admin token create --org "Org A" --role analyst 2>/dev/null)"
token_b="$(admin token create --org "Org B" --role sync --expires-in-days 1 2>/dev/null)"
token_c="$(admin token create --org "Org C" --role analyst 2>/dev/null)"
admin group create "Election Integrity" --member "Org A" "Org B" >/dev/null

start_hub "$data" "$data/server.log"

python3 "$repo/scripts/taxii-e2e.py" "$hub" "$token_a" "$token_b" "$token_c" "Election Integrity"

python3 "$repo/scripts/rest-e2e.py" "$hub" "$token_a" "$token_b" "$token_c"

# An open live stream must not hold up a graceful shutdown.
python3 - "$hub/api/feed/stream" "$token_b" <<'PY' &
import sys, urllib.request
request = urllib.request.Request(sys.argv[1], headers={"Authorization": f"Bearer {sys.argv[2]}"})
with urllib.request.urlopen(request) as stream:
    while stream.readline():
        pass
PY
stream_pid=$!
sleep 0.5
kill -TERM "$server_pid"
for _ in $(seq 1 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
    echo "FAIL: the server did not stop within 10 s of SIGTERM with a live stream open"
    exit 1
fi
wait "$server_pid"
server_pid=""
wait "$stream_pid" 2>/dev/null || true
echo "server stopped cleanly with a live stream open"
