#!/usr/bin/env bash
# Runs scripts/openai-sdk-check.py (the official `openai` Python SDK against a
# gateway) with a pinned SDK installed into .cache/openai-sdk/ (git-ignored) on
# first use. The gateway tests call it; missing Python or PyPI is a failure.
#
#   scripts/openai-sdk.sh --base-url http://127.0.0.1:PORT/v1
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
packages=(openai==3.63.0)
target="$root/.cache/openai-sdk/site"

log() { echo "openai-sdk.sh: $*" >&2; }
die() { log "$*"; exit 1; }
# shellcheck source=lib/python.sh
. "$root/scripts/lib/python.sh"

python="$(python_with_pip)"
pip_install_once "$python" "$target" "${packages[@]}"
PYTHONPATH="$target" exec "$python" "$root/scripts/openai-sdk-check.py" "$@"
