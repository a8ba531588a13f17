#!/usr/bin/env bash
# System packages, in two groups:
#   analysis — what analysis quality depends on: the hunspell-kk dictionary that helps the Kazakh
#              lemmatiser, tesseract (kaz+rus) and poppler for scanned PDFs. `make run` installs these.
#   test     — what only the tests and benches use: PostgreSQL, Chromium (page screenshots), wrk
#              (bench_web's load tool). `make test` installs both groups.
# Usage: bash scripts/system-packages.sh [analysis|all]   (default: all)
# Installs through apt when running as root; otherwise says what is missing and how to install it.
# BIRLIK_SKIP_SYSTEM_PACKAGES=1 skips the step (the missing ones are then reported by `birlik analyze`).
set -uo pipefail
ANALYSIS_PACKAGES=(hunspell-kk tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus poppler-utils)
TEST_PACKAGES=(chromium postgresql wrk)
case "${1:-all}" in
    analysis) PACKAGES=("${ANALYSIS_PACKAGES[@]}") ;;
    all) PACKAGES=("${ANALYSIS_PACKAGES[@]}" "${TEST_PACKAGES[@]}") ;;
    *) echo "usage: $0 [analysis|all]" >&2; exit 2 ;;
esac
if [ "${BIRLIK_SKIP_SYSTEM_PACKAGES:-0}" = "1" ]; then
    exit 0
fi
if [ "${1:-all}" = all ] && command -v apt-cache >/dev/null; then
    # pgvector for the vector column of documents (migration 0010), where Debian packages it for
    # the installed server; otherwise scripts/postgres.sh uses the pgserver wheel's server
    major="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)"
    if [ -n "$major" ] && apt-cache show "postgresql-$major-pgvector" >/dev/null 2>&1; then
        PACKAGES+=("postgresql-$major-pgvector")
    fi
fi
missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "birlik: no apt-get here — install ${missing[*]} with your system's package manager;" \
         "without them Kazakh lemmas and scanned PDFs are of lower quality" >&2
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "birlik: missing system packages: ${missing[*]} — not root, so not installed; run:" \
         "sudo apt-get install ${missing[*]} (until then Kazakh lemmas and OCR are of lower quality)" >&2
    exit 0
fi
echo "birlik: installing system packages: ${missing[*]}" >&2
apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || echo "birlik: apt-get could not install ${missing[*]} — analysis runs with lower quality" \
            "(\`birlik analyze\` says which part) and tests that need them will say so" >&2
