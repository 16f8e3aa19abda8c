#!/usr/bin/env bash
# Runs Benchmarks/redisvl/check.py (redisvl's SemanticCache.check on given vectors) with a
# pinned redisvl installed into .cache/redisvl/ (git-ignored) on first use. Used by
# `RedisSemanticBenchmark --redisvl` to compare the Swift tier with redisvl in the same run.
#
#   scripts/redisvl.sh --url redis://127.0.0.1:PORT --stored FILE --queries FILE [--runs N]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
packages=(redisvl==0.28.0 numpy)
target="$root/.cache/redisvl/site"

log() { echo "redisvl.sh: $*" >&2; }
die() { log "$*"; exit 1; }
# shellcheck source=lib/python.sh
. "$root/scripts/lib/python.sh"

python="$(python_with_pip)"
pip_install_once "$python" "$target" "${packages[@]}"
PYTHONPATH="$target" exec "$python" "$root/Benchmarks/redisvl/check.py" "$@"
