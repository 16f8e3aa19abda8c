# Sourced by the scripts that fetch PyPI wheels. Needs `log` and `die` from the caller.

# Prints a python3 that has pip, installing Debian's python3-pip if none has.
python_with_pip() {
    local candidate sudo=""
    for candidate in "${PYTHON:-python3}" /usr/bin/python3; do
        if "$candidate" -m pip --version >/dev/null 2>&1; then echo "$candidate"; return; fi
    done
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    log "apt-get install python3-pip"
    $sudo apt-get update -qq
    # 9>&-: a service apt might start must not inherit a caller's lock descriptor.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-pip >/dev/null 9>&-
    /usr/bin/python3 -m pip --version >/dev/null || die "python3 -m pip still fails after installing python3-pip"
    echo /usr/bin/python3
}

# Installs PACKAGES (binary wheels, with their dependencies) into TARGET with
# PYTHON, once: a stamp named after the first package remembers it.
#   pip_install_once PYTHON TARGET PACKAGE...
pip_install_once() {
    local python="$1" target="$2"
    shift 2
    [ -f "$target/.installed-$1" ] && return
    log "pip install $* into ${target#"$root/"}"
    rm -rf "$target"
    "$python" -m pip install -q --disable-pip-version-check --no-cache-dir --no-warn-conflicts \
        --root-user-action=ignore --only-binary=:all: --target "$target" "$@" >&2 || die "pip install $* failed"
    touch "$target/.installed-$1"
}
