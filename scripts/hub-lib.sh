# Shared by the end-to-end scripts: the crosswatch binary, a hub on a free
# port, and stopping it. Source it after `set -euo pipefail` with `repo` set
# to the repository root.

# Sets CROSSWATCH_BIN to a debug build unless it is set already.
crosswatch_bin() {
    if [[ -z "${CROSSWATCH_BIN:-}" ]]; then
        (cd "$repo" && cargo build -q -p crosswatch)
        CROSSWATCH_BIN="${CARGO_TARGET_DIR:-$repo/target}/debug/crosswatch"
    fi
}

server_pid=""

# Starts `crosswatch serve` on a free port with data directory $1, its log
# in $2; sets `port`, `hub` (the base URL) and `server_pid`, and returns
# once /healthz answers.
start_hub() {
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    hub="http://127.0.0.1:$port"
    "$CROSSWATCH_BIN" serve --listen "127.0.0.1:$port" --data-dir "$1" 2>"$2" &
    server_pid=$!
    for _ in $(seq 1 100); do
        if python3 -c "import urllib.request; urllib.request.urlopen('$hub/healthz')" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "the hub on port $port did not answer /healthz within 10 s; its log:" >&2
    cat "$2" >&2
    return 1
}

# Stops the hub `start_hub` started, if it still runs.
stop_hub() {
    if [[ -n "$server_pid" ]]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
