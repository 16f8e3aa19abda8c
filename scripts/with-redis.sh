#!/usr/bin/env bash
# Runs a command with the local Redis servers up and their LLMCACHE_* variables exported,
# e.g. `scripts/with-redis.sh swift test`. Installs them if needed, reuses servers that are
# already running, stops on exit only those it started, and exits with the command's status.
# LLMCACHE_REDIS_SERVERS="redis8 redis7" picks which servers (default: all, see scripts/redis.sh).
set -euo pipefail
redis="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/redis.sh"
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }

read -r -a servers <<<"${LLMCACHE_REDIS_SERVERS:-redis8 redis8-search redis7 valkey8 valkey9 redis8-cluster valkey9-cluster}"

"$redis" install

# Note which servers are new, so a shared server someone else started outlives us.
started=()
for name in "${servers[@]}"; do
    "$redis" status "$name" >/dev/null 2>&1 || started+=("$name")
done

# shellcheck disable=SC2317 # called through the EXIT trap
cleanup() {
    local status=$?
    ((${#started[@]} == 0)) || "$redis" stop "${started[@]}" || true
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$redis" start "${servers[@]}"
env_lines="$("$redis" env)"
eval "$env_lines"

# Run the command in the background so a TERM or INT sent to this script is passed on at
# once rather than after the command ends, then wait for its real exit status. Background
# commands get stdin from /dev/null and ignore INT/QUIT unless told otherwise: undo both.
( trap - INT QUIT; exec "$@" ) <&0 &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' TERM
trap 'kill -INT "$child" 2>/dev/null || true' INT
status=0
while :; do
    wait "$child" && status=0 || status=$?
    kill -0 "$child" 2>/dev/null || break   # wait was cut short by a signal: the child still runs
done
exit "$status"
