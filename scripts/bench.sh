#!/usr/bin/env bash
# Builds the benchmarks in release mode and runs them (with a local Redis for
# RedisBenchmark); arguments such as --json or --runs 5 go to every benchmark.
# `scripts/bench.sh RedisBenchmark --json` runs one.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/model.sh >/dev/null
all=(MemoryTierBenchmark CompressionBenchmark SemanticBenchmark VerifierBenchmark StreamingBenchmark RedisBenchmark RedisSemanticBenchmark EmbedderBenchmark StatisticsBenchmark StallBenchmark SharedFlightBenchmark HTTPClientBenchmark GatewayBenchmark ClusterBenchmark)
if [ $# -gt 0 ] && [[ " ${all[*]} " == *" $1 "* ]]; then selected=("$1"); shift; else selected=("${all[@]}"); fi
for benchmark in "${selected[@]}"; do
    swift build -c release --product "$benchmark" >&2
done
# GatewayBenchmark drives its load with wrk (a Debian package).
if [[ " ${selected[*]} " == *" GatewayBenchmark "* ]] && ! command -v wrk >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
bin="$(swift build -c release --show-bin-path)"
for benchmark in "${selected[@]}"; do
    if [ "$benchmark" = RedisBenchmark ] || [ "$benchmark" = StatisticsBenchmark ] || [ "$benchmark" = StallBenchmark ] || [ "$benchmark" = SharedFlightBenchmark ] || [ "$benchmark" = GatewayBenchmark ]; then
        LLMCACHE_REDIS_SERVERS=redis8 scripts/with-redis.sh "$bin/$benchmark" "$@"
    elif [ "$benchmark" = ClusterBenchmark ]; then
        LLMCACHE_REDIS_SERVERS="redis8 redis8-cluster" scripts/with-redis.sh "$bin/$benchmark" "$@"
    elif [ "$benchmark" = RedisSemanticBenchmark ]; then
        LLMCACHE_REDIS_SERVERS="redis8 redis8-search redis7" scripts/with-redis.sh "$bin/$benchmark" "$@"
    else
        "$bin/$benchmark" "$@"
    fi
done
