#!/usr/bin/env bash
# Builds `llmcache` (release), fetches the MiniLM files, starts a local Redis 8
# and runs the caching gateway against it until Ctrl-C; arguments go to
# `llmcache serve` (settings: docs/gateway.md):
#   scripts/gateway.sh --upstream https://api.openai.com/v1 [--port 8080] [--admin-key KEY]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
LLMCACHE_MINILM_PATH="${LLMCACHE_MINILM_PATH:-$(scripts/model.sh | tail -n 1)}"
export LLMCACHE_MINILM_PATH
swift build -c release --product llmcache >&2
binary="$(swift build -c release --show-bin-path)/llmcache"
LLMCACHE_REDIS_SERVERS=redis8 scripts/with-redis.sh bash -c 'exec "$0" serve --redis "$LLMCACHE_REDIS8_URL" "$@"' "$binary" "$@"
