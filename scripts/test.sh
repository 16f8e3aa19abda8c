#!/usr/bin/env bash
# Runs the whole test suite from a fresh machine: installs what is missing,
# starts the local Redis servers (stopped again afterwards), builds, and runs
# every test. Extra arguments go to `swift test` (e.g. `--filter CacheStack`).
#
# Then, in CI (CI=true) or when LLMCACHE_FUZZ=1, the short fuzzing pass
# (`scripts/fuzz.sh --ci`: its own sanitised build, then 15 s per target);
# LLMCACHE_FUZZ=0 skips it, and it never runs for a filtered test run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/model.sh >/dev/null   # the MiniLM files the embedder tests read
swift build --build-tests
scripts/with-redis.sh swift test --skip-build "$@"

fuzz="${LLMCACHE_FUZZ:-}"
[ -n "$fuzz" ] || { [ "${CI:-}" = true ] && fuzz=1 || fuzz=0; }
if (($# == 0)) && [ "$fuzz" = 1 ]; then
    scripts/fuzz.sh --ci
fi
