#!/usr/bin/env bash
# Runs the whole test suite from a fresh machine: installs what is missing,
# starts the local Redis servers (stopped again afterwards), builds, and runs
# every test. Extra arguments go to `swift test` (e.g. `--filter CacheStack`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/model.sh >/dev/null   # the MiniLM files the embedder tests read
swift build --build-tests
scripts/with-redis.sh swift test --skip-build "$@"
