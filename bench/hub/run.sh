#!/usr/bin/env bash
# Exchange hub throughput: TAXII 2.1 POST and paged GET of N indicators on
# Crosswatch over SQLite and over PostgreSQL, next to
#   * the raw reference: a bulk multi-row INSERT of the same `objects` rows
#     in one transaction into a fresh store on the same database engine, and
#     keyset SELECT pages of them (`seq > last ORDER BY seq LIMIT 1000`);
#   * the OASIS reference server medallion (memory backend), a floor run
#     under a time budget;
# then the time of one GET page when the hub holds 1k, 10k, 100k and 1M
# objects (loaded straight into its tables by `hub_bench grow`).
#
# Usage: bash bench/hub/run.sh
# Environment:
#   BENCH_N=100000              objects for POST/GET and the raw reference
#   BENCH_FLAT_SIZES="1000 10000 100000 1000000"   page-time sizes
#   BENCH_MEDALLION_N=2000      objects medallion holds for its GET run
#   BENCH_MEDALLION_BUDGET=60   seconds medallion gets for POST (of N) and for GET each
#   BENCH_BATCH=1000            objects per POST envelope
#   BENCH_LIMIT=1000            objects per GET page
#   BENCH_BACKENDS="sqlite postgres"
#   BENCH_PG=postgres://postgres@127.0.0.1:5432   server for the PostgreSQL runs;
#                               databases crosswatch_bench_main and crosswatch_bench_flat<SIZE>
#                               are created there and dropped at the end
#   BENCH_QUICK=1               small smoke run (2k objects, sizes 1k and 10k)
#   CROSSWATCH_BIN, HUB_BENCH_BIN   use already-built binaries
# Output: bench/out/hub/results.jsonl and summary.md (table printed at the end).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"

if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
    : "${BENCH_N:=2000}" "${BENCH_FLAT_SIZES:=1000 10000}" "${BENCH_MEDALLION_N:=1000}" "${BENCH_MEDALLION_BUDGET:=15}"
fi
n="${BENCH_N:-100000}"
flat_sizes="${BENCH_FLAT_SIZES:-1000 10000 100000 1000000}"
medallion_n="${BENCH_MEDALLION_N:-2000}"
medallion_budget="${BENCH_MEDALLION_BUDGET:-60}"
batch="${BENCH_BATCH:-1000}"
limit="${BENCH_LIMIT:-1000}"
backends="${BENCH_BACKENDS:-sqlite postgres}"
pg="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"

out="$repo/bench/out/hub"
rm -rf "$out"
mkdir -p "$out"
results="$out/results.jsonl"
: >"$results"

if [[ -z "${CROSSWATCH_BIN:-}" || -z "${HUB_BENCH_BIN:-}" ]]; then
    cargo build --release -q -p crosswatch
    cargo build --release -q -p crosswatch-hub --example hub_bench
    target="${CARGO_TARGET_DIR:-$repo/target}"
    CROSSWATCH_BIN="${CROSSWATCH_BIN:-$target/release/crosswatch}"
    HUB_BENCH_BIN="${HUB_BENCH_BIN:-$target/release/examples/hub_bench}"
fi

# medallion in its own virtualenv (pinned: the floor must not move under us).
venv="$repo/bench/out/medallion-venv"
if [[ ! -x "$venv/bin/medallion" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "medallion==3.0.0"
fi

server_pids=()
pg_databases=()
# Stops every server this script started, by process id.
stop_server() {
    for pid in "${server_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    server_pids=()
}
cleanup() {
    stop_server
    for db in "${pg_databases[@]}"; do
        psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    done
    # The million-object databases are large; the results stay.
    rm -rf "$out"/sqlite-* "$out"/raw-sqlite.db*
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_for_port() {
    for _ in $(seq 1 200); do
        if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "server on port $1 did not start" >&2
    return 1
}
fresh_pg_database() {
    PGOPTIONS="-c client_min_messages=warning" psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
    pg_databases+=("$1")
}

# Sets hub_args, db_url for a fresh hub database named $2 on backend $1.
fresh_hub_database() {
    case "$1" in
        sqlite)
            mkdir -p "$out/sqlite-$2"
            hub_args=(--data-dir "$out/sqlite-$2")
            db_url="sqlite://$out/sqlite-$2/crosswatch.db?mode=rwc"
            ;;
        postgres)
            fresh_pg_database "crosswatch_bench_$2"
            db_url="$pg/crosswatch_bench_$2"
            hub_args=(--database "$db_url")
            ;;
    esac
    admin() { "$CROSSWATCH_BIN" admin "$@" "${hub_args[@]}"; }
    admin org create "Bench Writer" >/dev/null
    admin org create "Bench Reader" >/dev/null
    writer_token="$(admin token create --org "Bench Writer" --role sync 2>/dev/null)"
    reader_token="$(admin token create --org "Bench Reader" --role read-only 2>/dev/null)"
}
start_hub() {
    port="$(free_port)"
    RUST_LOG=warn "$CROSSWATCH_BIN" serve --listen "127.0.0.1:$port" "${hub_args[@]}" 2>>"$out/hub-$1.log" &
    server_pids+=($!)
    wait_for_port "$port"
    hub_url="http://127.0.0.1:$port"
}

# The hub's all-members collection (a fixed id).
all_members=4d2f6a8e-3f41-4d55-9a3c-8d1b9d0e7a01
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start" | tee "$out/machine.txt"

for backend in $backends; do
    echo "== Crosswatch on $backend: POST and GET $n objects"
    fresh_hub_database "$backend" main
    start_hub "$backend"
    "$HUB_BENCH_BIN" post --label "ours-$backend" --url "$hub_url" --collection "$all_members" \
        --token "$writer_token" --count "$n" --batch "$batch" | tee -a "$results"
    "$HUB_BENCH_BIN" get --label "ours-$backend" --url "$hub_url" --collection "$all_members" \
        --token "$reader_token" --limit "$limit" --expect "$n" | tee -a "$results"
    if [[ "$backend" == postgres ]]; then
        # The hub refreshes planner statistics each time the store grows by
        # half, so the last refresh may predate the last third of the
        # ingest. The same GET again right after a full ANALYZE:
        psql -q "$db_url" -c ANALYZE
        "$HUB_BENCH_BIN" get --label "ours-postgres-analyzed" --url "$hub_url" --collection "$all_members" \
            --token "$reader_token" --limit "$limit" --expect "$n" | tee -a "$results"
    fi
    stop_server
    "$HUB_BENCH_BIN" check-rows --database "$db_url" --count "$n" --owner "Bench Writer"

    echo "== raw INSERT/SELECT on $backend: $n rows"
    case "$backend" in
        sqlite) "$HUB_BENCH_BIN" raw --label "raw-sqlite" --database "sqlite://$out/raw-sqlite.db?mode=rwc" \
            --count "$n" --batch "$batch" --limit "$limit" | tee -a "$results" ;;
        postgres) "$HUB_BENCH_BIN" raw --label "raw-postgres" --database "$pg/crosswatch_bench_main" \
            --schema raw_ref --count "$n" --batch "$batch" --limit "$limit" | tee -a "$results" ;;
    esac

    echo "== page time on $backend at $flat_sizes objects (one hub per size)"
    hubs=()
    for size in $flat_sizes; do
        fresh_hub_database "$backend" "flat$size"
        "$HUB_BENCH_BIN" grow --database "$db_url" --owner "Bench Writer" --to "$size"
        start_hub "$backend-flat"
        hubs+=(--hub "$size,$hub_url,$reader_token")
    done
    sync # the loads' dirty pages would otherwise be written back during the timing
    "$HUB_BENCH_BIN" page-time --label "ours-$backend" --collection "$all_members" \
        --limit "$limit" "${hubs[@]}" | tee -a "$results"
    stop_server
    rm -rf "$out"/sqlite-* "$out"/raw-sqlite.db*
done

echo "== medallion (memory backend): POST up to $n objects in ${medallion_budget}s; GET $medallion_n objects in ${medallion_budget}s"
mkdir -p "$out/medallion"
collection=91a7b528-80eb-42ed-a74d-c6fbd5a26116
start_medallion() {
    port="$(free_port)"
    python3 - "$out/medallion" "$port" "$collection" "$limit" <<'PY'
import json, sys
folder, port, collection, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
root = f"http://127.0.0.1:{port}/api1/"
data = {
    "/discovery": {"title": "bench", "default": root, "api_roots": [root]},
    "api1": {
        "information": {
            "title": "bench", "versions": ["application/taxii+json;version=2.1"],
            "max_content_length": 1 << 30,
        },
        "status": [],
        "collections": [{
            "id": collection, "title": "bench", "can_read": True, "can_write": True,
            "media_types": ["application/stix+json;version=2.1"], "objects": [], "manifest": [],
        }],
    },
}
config = {
    "backend": {
        "module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
        "filename": f"{folder}/data.json",
        # Paging sessions otherwise expire 30 s after the first page.
        "session_timeout": 3600,
    },
    "users": {"bench": "bench"},
    "taxii": {"max_page_size": limit},
}
json.dump(data, open(f"{folder}/data.json", "w"))
json.dump(config, open(f"{folder}/config.json", "w"))
PY
    "$venv/bin/medallion" --host 127.0.0.1 --port "$port" --log-level ERROR "$out/medallion/config.json" \
        2>>"$out/medallion.log" &
    server_pids+=($!)
    wait_for_port "$port"
    medallion_url="http://127.0.0.1:$port"
}
# POST: the same N objects as ours, stopped by the budget.
start_medallion
"$HUB_BENCH_BIN" post --label medallion --url "$medallion_url" --collection "$collection" \
    --basic bench:bench --count "$n" --batch "$batch" --budget-secs "$medallion_budget" | tee -a "$results"
stop_server
# GET: a fresh server holding a small set (its first page is quadratic in
# what it holds: ~6 s at 1,000 objects, ~170 s at 5,000 on this machine).
start_medallion
"$HUB_BENCH_BIN" post --label medallion-load --url "$medallion_url" --collection "$collection" \
    --basic bench:bench --count "$medallion_n" --batch "$batch" >/dev/null
"$HUB_BENCH_BIN" get --label medallion --url "$medallion_url" --collection "$collection" \
    --basic bench:bench --limit "$limit" --expect "$medallion_n" --budget-secs "$medallion_budget" | tee -a "$results"
stop_server

echo "machine: load average $(cut -d' ' -f1-3 /proc/loadavg) at end" | tee -a "$out/machine.txt"
python3 bench/hub/summary.py "$results" | tee "$out/summary.md"
