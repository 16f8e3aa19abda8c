#!/usr/bin/env bash
# Builds an example (default: QuickStart), starts a local Redis, and runs the
# example twice: the second run is answered from Redis for what the first stored.
# Arguments after the example's name go to both runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# The native embedder's files (fetched once), and where the example finds them.
LLMCACHE_MINILM_PATH="${LLMCACHE_MINILM_PATH:-$(scripts/model.sh | tail -n 1)}"
export LLMCACHE_MINILM_PATH
example="${1:-QuickStart}"
swift build --product "$example"
binary="$(swift build --show-bin-path)/$example"
LLMCACHE_REDIS_SERVERS=redis8 scripts/with-redis.sh bash -c '
    echo "=== first run (empty cache) ==="; "$0" --fresh "${@}"
    echo; echo "=== second run (a new process: what the first stored is in Redis) ==="; "$0" "${@}"
' "$binary" "${@:2}"
