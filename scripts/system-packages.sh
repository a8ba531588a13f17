#!/usr/bin/env bash
# System packages the tests use: PostgreSQL, tesseract (kaz+rus) and poppler for scanned PDFs,
# the hunspell-kk dictionary that helps the Kazakh lemmatiser, and wrk (bench_web's load tool).
# Installs through apt when running as root; otherwise says what is missing.
set -uo pipefail
PACKAGES=(chromium postgresql tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus poppler-utils hunspell-kk wrk)
missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "birlik: missing system packages: ${missing[*]} — run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "birlik: no apt-get here — install ${missing[*]} with your system's package manager" >&2
    exit 0
fi
echo "installing system packages: ${missing[*]}" >&2
apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || echo "birlik: apt-get could not install ${missing[*]} — tests that need them will say so" >&2
