#!/usr/bin/env bash
# Install Debian's wrk (the HTTP load generator of benchmarks/api.py).
# Idempotent: does nothing when wrk is already there. Installing needs root
# (apt-get); without root it only succeeds when wrk is already installed.
set -euo pipefail

WRK="${WRK_PATH:-wrk}"

if command -v "$WRK" >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-wrk: $WRK is missing and installing it needs root (apt-get install wrk)" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-wrk: $WRK is missing and apt-get is not available to install it" >&2
    exit 1
fi

echo "install-wrk: installing Debian's wrk with apt-get..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends wrk >/dev/null

if ! command -v "$WRK" >/dev/null 2>&1; then
    echo "install-wrk: apt-get finished but $WRK is still missing" >&2
    exit 1
fi
# wrk prints its version with its usage and exits 1: take the first line only.
version=$("$WRK" --version 2>&1 | head -n 1 || true)
echo "install-wrk: ${version:-wrk} ready" >&2
