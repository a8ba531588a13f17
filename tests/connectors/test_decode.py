from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest

from birlik.connectors.decode import declared_html_charset, decode_bytes, sniff_encoding
from birlik.domain.errors import BadInput

RUSSIAN = (
    "Межнациональное согласие - основа стабильности. В Караганде прошла встреча "
    "представителей этнокультурных объединений, обсудили языки и традиции."
)
KAZAKH = "Қазақстан халқы Ассамблеясы этносаралық келісімді нығайтуға үлес қосады. Әр өңірде."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (RUSSIAN.encode("utf-8"), RUSSIAN),
        (codecs.BOM_UTF8 + KAZAKH.encode("utf-8"), KAZAKH),
        (KAZAKH.encode("utf-16"), KAZAKH),
        (RUSSIAN.encode("cp1251"), RUSSIAN),
        (RUSSIAN.encode("koi8_r"), RUSSIAN),
        ("Plain English text about Astana.".encode("ascii"), "Plain English text about Astana."),
    ],
    ids=["utf8", "utf8-bom-kk", "utf16-bom", "cp1251", "koi8r", "ascii"],
)
def test_decodes_known_encodings(data: bytes, expected: str) -> None:
    assert decode_bytes(data, name="sample") == expected


def test_cp1251_fixture_file(data_dir: Path) -> None:
    text = decode_bytes((data_dir / "russian_cp1251.txt").read_bytes(), name="russian_cp1251.txt")
    assert "Межнациональное согласие" in text


def test_utf8_cut_inside_last_character_keeps_the_rest() -> None:
    data = "Алматы".encode()[:-1]
    assert decode_bytes(data, name="cut") == "Алмат"


def test_declared_charset_is_trusted_when_it_decodes() -> None:
    assert decode_bytes(RUSSIAN.encode("cp1251"), name="x", declared="windows-1251") == RUSSIAN


def test_unknown_declared_charset_falls_back_to_detection() -> None:
    assert decode_bytes(RUSSIAN.encode("utf-8"), name="x", declared="no-such-codec") == RUSSIAN


@pytest.mark.parametrize(
    "data",
    [
        random.Random(7).randbytes(4096),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        bytes(b % 31 + 1 for b in random.Random(8).randbytes(512)),
    ],
    ids=["random-bytes", "png", "control-chars"],
)
def test_binary_is_refused_with_i010(data: bytes) -> None:
    with pytest.raises(BadInput) as caught:
        decode_bytes(data, name="garbage.txt")
    assert caught.value.code == "I010"
    assert "garbage.txt" in str(caught.value) and "binary" in str(caught.value)


@pytest.mark.parametrize("data", [b"", b"   \n\t  ", codecs.BOM_UTF8 + b"  "])
def test_empty_is_refused_with_i011(data: bytes) -> None:
    with pytest.raises(BadInput) as caught:
        decode_bytes(data, name="empty.txt")
    assert caught.value.code == "I011"


def test_sniff_encoding_for_streams() -> None:
    assert sniff_encoding(RUSSIAN.encode("utf-8")[:-1], name="s") == "utf-8"
    assert sniff_encoding(RUSSIAN.encode("cp1251"), name="s") == "cp1251"


def test_declared_html_charset() -> None:
    assert declared_html_charset(b'<html><head><meta charset="windows-1251">') == "windows-1251"
    assert (
        declared_html_charset(
            b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
        )
        == "koi8-r"
    )
    assert declared_html_charset(b"<html><body>no meta</body></html>") is None


@pytest.mark.parametrize("declared", ["uu", "zlib", "base64", "rot13", "idna", "punycode"])
def test_a_declared_bytes_codec_falls_back_to_detection(declared: str) -> None:
    """Found by `make fuzz`: a page declaring charset=uu raised LookupError from bytes.decode."""
    text = "Достық үйі — межэтнический диалог"
    assert decode_bytes(text.encode("utf-8"), name="page.html", declared=declared) == text
