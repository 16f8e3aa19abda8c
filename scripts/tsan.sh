#!/usr/bin/env bash
# Runs the whole test suite under ThreadSanitizer, in its own build folder.
# Our locks are built on pthread mutexes for this run (LLMCACHE_PTHREAD_LOCKS),
# because the sanitizer cannot see inside Synchronization.Mutex on Linux.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/model.sh >/dev/null
export LLMCACHE_PTHREAD_LOCKS=1
swift build --build-tests --sanitize=thread --scratch-path .build-tsan
scripts/with-redis.sh swift test --skip-build --sanitize=thread --scratch-path .build-tsan "$@"
