#!/usr/bin/env bash
# Install the fonts the PDF export draws with: DejaVu Sans, Noto Sans CJK, Noto Color
# Emoji and Noto Sans's script families (database/io/pdf_fonts.py). Idempotent, and never
# fails the set-up: without root or apt-get it says so and the PDF draws characters no
# installed font has as a visible mark.
set -uo pipefail

PACKAGES=(fonts-dejavu-core fonts-noto-cjk fonts-noto-color-emoji fonts-noto-core)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for package in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
else
    echo "install-fonts: not a Debian-like system; install DejaVu Sans and Noto fonts yourself" >&2
    exit 0
fi

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-fonts: ${missing[*]} missing and installing needs root; the PDF export marks characters it cannot draw" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-fonts: ${missing[*]} missing and apt-get is not available" >&2
    exit 0
fi

echo "install-fonts: installing ${missing[*]} with apt-get..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "install-fonts: apt-get could not install ${missing[*]}; the PDF export marks characters it cannot draw" >&2
fi
exit 0
