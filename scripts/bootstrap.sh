#!/usr/bin/env bash
# Installs what building LLMCache needs on Debian/Ubuntu, skipping what is there.
# Safe to run repeatedly; used by every other script.
set -euo pipefail

packages=(pkg-config libhiredis-dev libzstd-dev libcurl4-openssl-dev libopenblas-dev libssl-dev)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    echo "bootstrap: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "bootstrap: a Swift 6.1 or newer toolchain must be on PATH (https://www.swift.org/install/linux/)" >&2
    exit 1
fi
