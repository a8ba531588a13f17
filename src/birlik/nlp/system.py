"""System packages that analysis quality depends on, and the warning when one is missing.

``make run`` installs them through apt (``scripts/system-packages.sh analysis``); a machine
where that could not run still works, with lower quality: without hunspell-kk the Kazakh
lemmatiser has rules and word frequencies only, without tesseract (``kaz``, ``rus``) and
poppler scanned PDFs cannot be read. ``birlik analyze`` and ``birlik ingest`` say so once,
on stderr, with a code.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from typing import TextIO

from birlik.domain import codes
from birlik.settings import Settings

HUNSPELL_MISSING = codes.N201
OCR_MISSING = codes.N202

_warned: set[str] = set()


def reduced_quality(settings: Settings, *, ocr: bool = False) -> list[str]:
    """Coded messages, one per missing package that lowers quality; empty when all are here."""
    messages: list[str] = []
    path = settings.hunspell_kk_dic
    if not path.is_file():
        messages.append(
            f"[{HUNSPELL_MISSING.id}] the hunspell-kk dictionary {path} is missing: Kazakh lemmas "
            "come from rules alone and are less accurate (about 0.87 instead of 0.91 on UD "
            "Kazakh) — install it (`apt-get install hunspell-kk`, or `make run` as root) or "
            "point BIRLIK_HUNSPELL_KK_DIC at kk_KZ.dic"
        )
    if ocr:
        languages = installed_ocr_languages()
        lacking = [lang for lang in ("kaz", "rus") if lang not in languages]
        if lacking:
            messages.append(
                f"[{OCR_MISSING.id}] OCR is not available for {'+'.join(lacking)} (tesseract, "
                "poppler-utils): scanned PDFs cannot be read — install tesseract-ocr "
                "tesseract-ocr-kaz tesseract-ocr-rus poppler-utils (`make run` as root)"
            )
    return messages


def warn_reduced_quality(settings: Settings, *, ocr: bool = False,
                         stream: TextIO | None = None) -> list[str]:
    """Print each missing-package message once per process on stderr; returns those printed."""
    printed = []
    for message in reduced_quality(settings, ocr=ocr):
        code = message[1:5]
        if code in _warned:
            continue
        _warned.add(code)
        print(f"birlik: warning {message}", file=stream or sys.stderr)
        printed.append(message)
    return printed


def installed_ocr_languages() -> set[str]:
    """Languages tesseract can read here; empty without tesseract or pdftoppm."""
    tesseract = shutil.which("tesseract")
    if tesseract is None or shutil.which("pdftoppm") is None:
        return set()
    try:
        listed = subprocess.run(
            [tesseract, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    lines = listed.stdout.splitlines()[1:]  # the first line is a heading
    return {line.strip() for line in lines if line.strip()}
