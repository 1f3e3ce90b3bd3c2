#!/usr/bin/env bash
# Install Debian's Chromium (used headless by the dashboard's end-to-end test).
# Idempotent: does nothing when the browser is already there. Installing needs root
# (apt-get); without root it only succeeds when Chromium is already installed.
set -euo pipefail

BROWSER="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$BROWSER" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-browser: $BROWSER is missing and installing it needs root (apt-get install chromium)" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: $BROWSER is missing and apt-get is not available to install it" >&2
    exit 1
fi

echo "install-browser: installing Debian's chromium with apt-get..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null

if [ ! -x "$BROWSER" ]; then
    echo "install-browser: apt-get finished but $BROWSER is still missing" >&2
    exit 1
fi
echo "install-browser: $("$BROWSER" --version 2>/dev/null || echo chromium) ready" >&2
