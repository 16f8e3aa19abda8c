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
stamp="$target/.installed-${packages[0]}"

log() { echo "openai-sdk.sh: $*" >&2; }
die() { log "$*"; exit 1; }
# shellcheck source=lib/python.sh
. "$root/scripts/lib/python.sh"

python="$(python_with_pip)"
if [ ! -f "$stamp" ]; then
    log "pip install ${packages[*]} into .cache/openai-sdk/site"
    rm -rf "$target"
    "$python" -m pip install -q --disable-pip-version-check --no-cache-dir --no-warn-conflicts \
        --root-user-action=ignore --only-binary=:all: \
        --target "$target" "${packages[@]}" >&2 || die "pip install ${packages[*]} failed"
    touch "$stamp"
fi
PYTHONPATH="$target" exec "$python" "$root/scripts/openai-sdk-check.py" "$@"
