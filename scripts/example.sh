#!/usr/bin/env bash
# Builds an example (default: QuickStart), starts a local Redis, and runs it:
#   scripts/example.sh [QuickStart|SemanticFAQ|CustomStack|Invalidation|…] [ARG...]
# QuickStart runs twice: the second run is answered from Redis for what the
# first stored. Other examples run once. Arguments after the name go to the example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# The native embedder's files (fetched once), and where the example finds them.
LLMCACHE_MINILM_PATH="${LLMCACHE_MINILM_PATH:-$(scripts/model.sh | tail -n 1)}"
export LLMCACHE_MINILM_PATH
example="${1:-QuickStart}"
[ -f "Examples/$example/main.swift" ] || {
    echo "no example named $example; there are: $(cd Examples && for d in */; do [ -f "$d/main.swift" ] && printf '%s ' "${d%/}"; done)" >&2
    exit 2
}
swift build --product "$example"
binary="$(swift build --show-bin-path)/$example"
if [ "$example" = QuickStart ]; then
    LLMCACHE_REDIS_SERVERS=redis8 scripts/with-redis.sh bash -c '
        echo "=== first run (empty cache) ==="; "$0" --fresh "${@}"
        echo; echo "=== second run (a new process: what the first stored is in Redis) ==="; "$0" "${@}"
    ' "$binary" "${@:2}"
else
    LLMCACHE_REDIS_SERVERS=redis8 scripts/with-redis.sh "$binary" "${@:2}"
fi
