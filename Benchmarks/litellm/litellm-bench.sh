#!/usr/bin/env bash
# Measures LiteLLM's proxy (the Python "LLM gateway") with its Redis response cache, as a
# reference point for GatewayBenchmark: cache-hit latency p50/p99 at 1 connection and hits per
# second at 64 connections, measured with wrk (1 thread), for the chat completion our
# benchmark sends. A pinned litellm[proxy] is installed into .cache/litellm/site (git-ignored)
# on first use. The proxy runs on loopback with one uvicorn worker, no master key and no
# database, a model "chat-ok" routed to `openai/chat-ok` at --upstream, and `cache: true`
# with `cache_params: {type: redis}` at --redis (under a namespace of its own, deleted at exit).
#
# LiteLLM's "redis" cache puts a per-process memory copy in front of Redis (a DualCache: the
# entry is written to both, a read tries memory first and copies a Redis hit into memory), so
# with its documented configuration a repeated request is answered from the worker's memory
# and Redis serves only the first hit in each process. The script measures that configuration
# (the top-level figures) and then, to compare with a hit that is read from Redis every time,
# the same proxy with that memory copy disabled (the "redis_read_through" figures; done by
# setting the size of LiteLLM's module-level response memory cache to 0 before the server
# starts, since no setting turns it off). Before measuring it checks that hits are hits: the
# upstream (scripts/http-test-server.py, whose GET /calls counts the requests it got) sees the
# first request and no other, and the one entry in Redis is the hit's x-litellm-cache-key; the
# read-through proxy starts with the entry the first proxy stored, so its first request is
# already a hit, and one that only Redis can have served. "redis_commands_per_hit" counts what
# Redis ran on the proxy's own connections (named by a client_name, so other users of a shared
# server don't count) per measured hit: about 0 with the memory copy, about 1 (the GET) without
# (LiteLLM's router also reads deployment cooldowns from Redis, at most every 10 s; requests
# still in flight when wrk stops ran theirs but are not counted as requests, up to 64 a round).
# Like GatewayBenchmark, each measurement follows an untimed 1-second wrk run, here at 64
# connections so that the proxy's Redis connection pool has grown before anything is counted.
#
# Prints one JSON object on stdout (medians over --runs), logging everything else to stderr:
#   {"litellm_version", "runs", "hit_p50_us", "hit_p99_us", "hits_per_second_64_connections",
#    "upstream_calls_during_hits", "redis_commands_per_hit",
#    "redis_read_through": {the same five figures}}
#
#   Benchmarks/litellm/litellm-bench.sh --upstream http://127.0.0.1:PORT/v1 \
#       --redis redis://127.0.0.1:PORT [--seconds 3] [--runs 1]
#
# With the repository's test Redis and upstream (`exit $?` keeps bash from exec'ing the
# script, which would close the test server's stdin and so stop it):
#   LLMCACHE_REDIS_SERVERS=redis8 scripts/with-redis.sh bash -c \
#       'coproc srv { exec python3 scripts/http-test-server.py; }; read -r port <&"${srv[0]}";
#        Benchmarks/litellm/litellm-bench.sh --upstream "http://127.0.0.1:$port/v1" \
#            --redis "$LLMCACHE_REDIS8_URL"; exit $?'
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# 1.108.7 is the newest whose [proxy] extra installs from PyPI with binary wheels: 1.108.8 and
# later pin litellm-enterprise / litellm-proxy-extras / litellm-proxy builds that PyPI does not
# have (1.107.x was withdrawn after a compromised release). LiteLLM does not depend on the redis
# client that its Redis cache imports, so that is pinned beside it.
litellm_version=1.108.7
packages=("litellm[proxy]==$litellm_version" redis==8.2.0)
target="$root/.cache/litellm/site"
question="What is the capital of France?"
body='{"model":"chat-ok","messages":[{"role":"user","content":"What is the capital of France?"}]}'
start_timeout=300 # seconds; importing the proxy is slow on a busy 2-core machine

log() { echo "litellm-bench.sh: $*" >&2; }
die() { log "$*"; exit 1; }
usage() {
    echo "usage: $0 --upstream http://127.0.0.1:PORT/v1 --redis redis://HOST:PORT [--seconds N] [--runs N]" >&2
    exit 2
}
# shellcheck source=../../scripts/lib/python.sh
. "$root/scripts/lib/python.sh"

upstream="" redis_url="" seconds=3 runs=1
while (($#)); do
    case "$1" in
        --upstream) upstream="${2:?}"; shift 2 ;;
        --redis) redis_url="${2:?}"; shift 2 ;;
        --seconds) seconds="${2:?}"; shift 2 ;;
        --runs) runs="${2:?}"; shift 2 ;;
        -h | --help) usage ;;
        *) log "unknown argument: $1"; usage ;;
    esac
done
[ -n "$upstream" ] && [ -n "$redis_url" ] || usage
[[ "$seconds" =~ ^[1-9][0-9]*$ && "$runs" =~ ^[1-9][0-9]*$ ]] || die "--seconds and --runs take positive integers"
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
command -v curl >/dev/null || die "curl is missing (apt-get install curl)"
upstream="${upstream%/}"

python="$(python_with_pip)"
pip_install_once "$python" "$target" "${packages[@]}"
py() { PYTHONPATH="$target" "$python" "$@"; }
installed="$(py -c 'import importlib.metadata as m; print(m.version("litellm"))')"
[ "$installed" = "$litellm_version" ] || die "$target has litellm $installed, not $litellm_version"

work="$(mktemp -d)"
namespace="litellm-bench-$$-$RANDOM"
proxy_pid=""
redis_reached=""

stop_proxy() {
    [ -n "$proxy_pid" ] || return 0
    # The proxy runs in a process group of its own (setsid): stop all of it.
    kill -TERM -- "-$proxy_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$proxy_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$proxy_pid" 2>/dev/null || true
    wait "$proxy_pid" 2>/dev/null || true
    proxy_pid=""
}
# shellcheck disable=SC2317 # called through the EXIT trap
cleanup() {
    local status=$?
    stop_proxy
    [ -z "$redis_reached" ] || redis_tool delete "$namespace" >/dev/null 2>&1 || true
    if [ "$status" -ne 0 ] && [ -f "$work/proxy.log" ]; then
        log "the proxy's last log lines:"
        tail -n 30 "$work/proxy.log" >&2 || true
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A small helper over the redis client LiteLLM uses: "cache_params" prints the YAML lines of
# the Redis connection; "commands NAME" prints how many commands Redis has run on the open
# connections named NAME (CLIENT LIST's tot-cmds, Redis 8; counting the proxy's own
# connections, as the server-wide counters also count whoever else shares the server);
# "keys NS" prints the keys under namespace NS; "delete NS" deletes them.
redis_tool() {
    REDIS_BENCH_URL="$redis_url" py - "$@" <<'EOF'
import json, os, sys
from urllib.parse import unquote, urlsplit
import redis

url = urlsplit(os.environ["REDIS_BENCH_URL"])
if url.scheme != "redis":
    sys.exit(f"--redis must be redis://[user:password@]host:port[/db], not {url.geturl()!r}")
action = sys.argv[1]
if action == "cache_params":
    print(f"    host: {json.dumps(url.hostname or '127.0.0.1')}")
    print(f"    port: {url.port or 6379}")
    if url.username:
        print(f"    username: {json.dumps(unquote(url.username))}")
    if url.password:
        print(f"    password: {json.dumps(unquote(url.password))}")
    if url.path.strip("/"):
        print(f"    db: {int(url.path.strip('/'))}")
    sys.exit()
client = redis.Redis.from_url(url.geturl(), socket_timeout=10)
if action == "ping":
    client.ping()
elif action == "commands":
    clients = [c for c in client.client_list() if c.get("name") == sys.argv[2]]
    if any("tot-cmds" not in c for c in clients):
        sys.exit("this Redis has no tot-cmds in CLIENT LIST: use Redis 8 or later")
    print(sum(int(c["tot-cmds"]) for c in clients))
elif action == "keys":
    print("\n".join(sorted(k.decode() for k in client.scan_iter(match=sys.argv[2] + ":*"))))
elif action == "delete":
    for key in client.scan_iter(match=sys.argv[2] + ":*"):
        client.delete(key)
EOF
}

redis_tool ping || die "cannot reach Redis at $redis_url"
redis_reached=1

# The upstream's GET /calls (scripts/http-test-server.py) counts the chat requests it got
# for a model and last user message.
upstream_origin="$(py -c 'import sys; from urllib.parse import urlsplit; u = urlsplit(sys.argv[1]); print(f"{u.scheme}://{u.netloc}")' "$upstream")"
upstream_calls() {
    curl -fsS --get "$upstream_origin/calls" --data-urlencode "key=chat-ok:$question" |
        py -c 'import json, sys; print(json.load(sys.stdin)["calls"])'
}
upstream_calls >/dev/null || die "GET $upstream_origin/calls failed: --upstream must be scripts/http-test-server.py"

config="$work/config.yaml"
{
    cat <<EOF
model_list:
  - model_name: chat-ok
    litellm_params:
      model: openai/chat-ok
      api_base: "$upstream"
      api_key: dummy-key
general_settings:
  # No master key, so no authentication work per request (like our gateway): since 1.108 the
  # proxy refuses to start without one unless told that this is local use.
  dangerously_permit_weak_or_unset_master_key: true
litellm_settings:
  cache: true
  cache_params:
    type: redis
    namespace: "$namespace"
    ttl: 3600
    client_name: "$namespace" # passed on to the redis client: names the proxy's connections
EOF
    redis_tool cache_params
} >"$config"

# start_proxy memory|none: starts the proxy on a free port, with LiteLLM's memory copy of
# Redis entries as shipped or disabled; sets proxy_pid and proxy (its base URL).
start_proxy() {
    local port started
    port="$(py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    log "starting the litellm $litellm_version proxy on 127.0.0.1:$port (memory copy: $1)"
    # The proxy's working directory is the temporary one, so no .env file of ours is loaded,
    # and it gets none of the variables that would give it a database, a master key or
    # another Redis. LITELLM_LOCAL_MODEL_COST_MAP: use the bundled price list, not download it.
    # With one worker uvicorn serves in this process, so the memory cache set to size 0 here
    # (its set_cache then stores nothing) is the one the requests use.
    (
        cd "$work"
        exec env -u DATABASE_URL -u LITELLM_MASTER_KEY -u LITELLM_SALT_KEY -u REDIS_URL -u REDIS_HOST \
            -u REDIS_PORT -u REDIS_PASSWORD -u REDIS_USERNAME -u OPENAI_API_KEY -u OPENAI_BASE_URL \
            LITELLM_LOCAL_MODEL_COST_MAP=True PYTHONPATH="$target" BENCH_MEMORY_COPY="$1" \
            setsid "$python" -c '
import os, sys
import litellm.caching.caching_handler as handler
if os.environ.pop("BENCH_MEMORY_COPY") == "none":
    handler.in_memory_cache_obj.max_size_in_memory = 0
from litellm import run_server
sys.argv[0] = "litellm"
sys.exit(run_server())' --config "$config" --host 127.0.0.1 --port "$port" --num_workers 1
    ) </dev/null >"$work/proxy.log" 2>&1 &
    proxy_pid=$!
    proxy="http://127.0.0.1:$port"
    started=$SECONDS
    until curl -fsS -o "$work/readiness.json" "$proxy/health/readiness" 2>/dev/null; do
        kill -0 "$proxy_pid" 2>/dev/null || die "the proxy exited while starting"
        ((SECONDS - started < start_timeout)) || die "the proxy was not ready after ${start_timeout}s"
        sleep 0.5
    done
    log "proxy ready after $((SECONDS - started))s: $(cat "$work/readiness.json")"
}

# chat NAME: one request with the benchmark's body; headers in $work/NAME.headers, the
# response body on stdout.
chat() {
    curl -fsS -D "$work/$1.headers" -H 'Content-Type: application/json' --data-raw "$body" \
        "$proxy/v1/chat/completions" || die "request '$1' through the proxy failed"
}
header() { grep -i "^$1:" "$2" | head -n 1 | cut -d: -f2- | tr -d ' \r'; }

# expect_hit NAME: one request that must be a cache hit: the upstream is not called and the
# hit's cache key is the one Redis entry of the namespace. Logs the commands Redis ran on the
# proxy's connections meanwhile (not checked: besides reading the answer, LiteLLM's router
# reads its deployment cooldowns from Redis at most every 10 s, and a new connection's
# handshake counts too).
expect_hit() {
    local calls commands answer key entries
    calls="$(upstream_calls)"
    commands="$(redis_tool commands "$namespace")"
    answer="$(chat "$1")"
    commands=$(($(redis_tool commands "$namespace") - commands))
    grep -q 'Paris is the capital of France.' <<<"$answer" || die "$1: unexpected answer: $answer"
    (($(upstream_calls) == calls)) || die "$1 reached the upstream: not a cache hit"
    key="$(header x-litellm-cache-key "$work/$1.headers")"
    entries="$(redis_tool keys "$namespace")"
    [ -n "$key" ] && [ "$key" = "$entries" ] ||
        die "$1: x-litellm-cache-key '$key' is not the Redis entry '${entries:-none}'"
    log "$1 is a hit: upstream not called, $commands Redis commands, x-litellm-cache-key $key"
}

lua="$work/request.lua"
quoted="${body//\\/\\\\}"
quoted="${quoted//\"/\\\"}"
cat >"$lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = "$quoted"
EOF

# wrk_run CONNECTIONS OUT: one wrk run of hits; OUT gets "p50_us p99_us requests/s requests".
wrk_run() {
    local text
    # --timeout 30s: at 64 connections LiteLLM queues requests for longer than wrk's default 2 s,
    # which wrk would count as errors and leave out of the latencies.
    text="$(wrk --latency --timeout 30s -t1 -c"$1" -d"${seconds}s" -s "$lua" "$proxy/v1/chat/completions")" ||
        die "wrk failed: $text"
    echo "$text" >&2
    py - "$text" >"$2" <<'EOF' || die "wrk at $1 connections: see above"
import re, sys
text = sys.argv[1]
def micros(value):
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 1, "ms": 1e3, "s": 1e6, "m": 6e7}[unit]
fields = {line.split()[0]: line.split() for line in text.splitlines() if line.split()}
errors = int(fields.get("Non-2xx", ["0"])[-1])
socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors += sum(map(int, socket.groups())) if socket else 0
if errors:
    sys.exit(f"wrk saw {errors} errors (non-2xx responses or socket errors)")
requests = int(re.search(r"(\d+) requests in", text).group(1))
print(round(micros(fields["50%"][1]), 1), round(micros(fields["99%"][1]), 1), float(fields["Requests/sec:"][1]), requests)
EOF
}

# measure NAME: an untimed 1-second wrk run at 64 connections, then --runs rounds of wrk at 1
# and 64 connections; writes $work/NAME.json with the medians, the upstream calls and the
# Redis commands per request (the requests still in flight when wrk stops, up to 64 a round,
# ran theirs but are not counted as requests) over all the rounds.
measure() {
    local calls commands run p50 p99 rps n1 n64
    : >"$work/$1.rows"
    log "$1: warming up at 64 connections for 1s"
    wrk --timeout 30s -t1 -c64 -d1s -s "$lua" "$proxy/v1/chat/completions" >/dev/null || die "wrk failed"
    calls="$(upstream_calls)"
    commands="$(redis_tool commands "$namespace")"
    for run in $(seq "$runs"); do
        log "$1, run $run/$runs: hits at 1 connection for ${seconds}s"
        wrk_run 1 "$work/latency"
        log "$1, run $run/$runs: hits at 64 connections for ${seconds}s"
        wrk_run 64 "$work/throughput"
        read -r p50 p99 _ n1 <"$work/latency"
        read -r _ _ rps n64 <"$work/throughput"
        echo "$p50 $p99 $rps $((n1 + n64))" >>"$work/$1.rows"
        log "$1, run $run/$runs: p50 ${p50}us, p99 ${p99}us, ${rps} hits/s at 64 connections"
    done
    calls=$(($(upstream_calls) - calls))
    commands=$(($(redis_tool commands "$namespace") - commands))
    py - "$work/$1.rows" "$calls" "$commands" >"$work/$1.json" <<'EOF'
import json, statistics, sys
path, calls, commands = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = [list(map(float, line.split())) for line in open(path) if line.strip()]
median = lambda i: statistics.median(row[i] for row in rows)
requests = sum(row[3] for row in rows)
print(json.dumps({
    "hit_p50_us": round(median(0), 1),
    "hit_p99_us": round(median(1), 1),
    "hits_per_second_64_connections": round(median(2), 1),
    "upstream_calls_during_hits": calls,
    "redis_commands_per_hit": round(commands / requests, 3),
}))
EOF
    log "$1: $(cat "$work/$1.json") over $(awk '{ n += $4 } END { print n }' "$work/$1.rows") requests"
    ((calls == 0)) || die "$1: the upstream was called $calls times during the hit runs"
}

# 1. LiteLLM as configured by its documentation: the first request is a miss that reaches the
# upstream once and stores the answer in Redis (and in the worker's memory); the repeat is a
# hit, answered from that memory copy.
start_proxy memory
calls="$(upstream_calls)"
answer="$(chat miss)"
grep -q 'Paris is the capital of France.' <<<"$answer" || die "unexpected answer: $answer"
(($(upstream_calls) == calls + 1)) || die "the first request reached the upstream $(($(upstream_calls) - calls)) times, not once"
# LiteLLM writes the Redis entry in the background after answering: wait for it.
for _ in $(seq 100); do [ -n "$(redis_tool keys "$namespace")" ] && break; sleep 0.1; done
[ -n "$(redis_tool keys "$namespace")" ] || die "the first request left no entry under $namespace in Redis"
expect_hit repeat
measure memory
stop_proxy

# 2. The same with the memory copy disabled: a new process, so its first request is a hit on
# the entry the first proxy stored in Redis, and every hit reads Redis.
start_proxy none
expect_hit first-from-redis
expect_hit repeat-from-redis
measure redis
stop_proxy
py -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["redis_commands_per_hit"] < 1)' "$work/redis.json" ||
    die "the read-through proxy's hits did not all read Redis: its memory copy was not disabled"

py - "$litellm_version" "$runs" "$work/memory.json" "$work/redis.json" <<'EOF'
import json, sys
version, runs, memory, redis = sys.argv[1:]
result = {"litellm_version": version, "runs": int(runs)}
result.update(json.load(open(memory)))
result["redis_read_through"] = json.load(open(redis))
print(json.dumps(result))
EOF
