"""System packages that analysis quality depends on, and the warning when one is missing.

``make run`` installs them through apt (``scripts/system-packages.sh analysis``); a machine
where that could not run still works, with lower quality: without hunspell-kk the Kazakh
lemmatiser has rules and word frequencies only, without tesseract (``kaz``, ``rus``) and
poppler scanned PDFs cannot be read. ``birlik analyze`` and ``birlik ingest`` say so once,
on stderr, with a code.
"""

from __future__ import annotations

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
        from birlik.connectors.files import _installed_ocr_languages

        languages = _installed_ocr_languages()
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

