"""Bytes to text as a browser reads them: BOM, the server's charset, the page's <meta>, detection."""

from __future__ import annotations

import pytest

from tasks.errors import UndecodableInput
from tests.multilingual import CODECS, SAMPLES, Sample, expected_text, page
from worker.sources.decode import decode_bytes, decode_document
from worker.sources.fetch import Fetched

RUSSIAN = next(s for s in SAMPLES if s.language == "ru")
# Python codecs that turn bytes into str but are no text encoding of the web, and codecs that are
# no text encoding at all: a server or page naming one has declared nothing.
NOT_WEB_CODECS = (
    "unicode_escape",
    "raw_unicode_escape",
    "utf-7",
    "punycode",
    "idna",
    "rot13",
    "base64",
    "hex",
    "zlib",
    "bz2",
    "uu",
    "quopri",
    "utf-32",
    "cp037",
    "mbcs",
    "no-such-charset",
)


@pytest.mark.parametrize("codec", NOT_WEB_CODECS)
def test_a_charset_that_is_no_web_encoding_is_never_used_to_decode(codec: str) -> None:
    body = "<p>Prices rose \\u00e9 \\x41 +AGEAYgBj- 5% in café terms.</p>".encode()
    assert Fetched("http://x/", 200, body, f"text/html; charset={codec}").text() == body.decode()
    # Not UTF-8 either: a browser would fall back on detection, and so do we (windows-1252 here).
    legacy = f'<meta charset="{codec}"><p>Le café \\u00e9 coûte 2 € à Paris, dit-elle.</p>'.encode("cp1252")
    decoded = decode_document(legacy)
    assert decoded.text == legacy.decode("cp1252")
    assert decoded.chosen_by == "detected"


@pytest.mark.parametrize(
    ("label", "text", "codec"),
    [
        ("iso-8859-1", "“Quoted” — 5 €", "cp1252"),  # browsers read ISO-8859-1 as windows-1252
        ("ascii", "“Quoted” — 5 €", "cp1252"),
        ("gb2312", "中文𠀀", "gb18030"),  # GBK is read with the GB18030 decoder, its superset
        ("euc-kr", "똠방각하", "cp949"),  # EUC-KR is windows-949 (UHC), which has every Hangul syllable
        ("shift_jis", "①ＪＲ線", "cp932"),  # Shift_JIS is windows-31J, with NEC's circled digits
        ("tis-620", "กรุงเทพฯ", "cp874"),
    ],
)
def test_labels_mean_what_they_mean_to_browsers(label: str, text: str, codec: str) -> None:
    body = f"<p>{text}</p>".encode(codec)
    assert decode_bytes(body, declared=label) == f"<p>{text}</p>"
    assert (
        decode_bytes(f'<meta charset="{label}">'.encode() + body) == f'<meta charset="{label}"><p>{text}</p>'
    )


def test_the_order_is_bom_then_the_servers_charset_then_the_meta() -> None:
    text = RUSSIAN.paragraphs[0]
    assert decode_bytes(
        b"\xef\xbb\xbf" + f"<meta charset=koi8-r>{text}".encode(), declared="koi8-r"
    ).endswith(text)
    assert decode_bytes("\ufeff<p>{text}</p>".replace("{text}", text).encode("utf-16-le")).endswith(
        f"{text}</p>"
    )
    body = f"<meta charset=windows-1251><p>{text}</p>".encode("koi8-r")
    assert decode_document(body, declared="koi8-r").chosen_by == "declared"
    assert decode_bytes(body, declared="koi8-r").endswith(f"{text}</p>")
    assert decode_document(body).chosen_by == "meta"  # without the header, the <meta> is believed


def test_a_meta_inside_a_comment_or_naming_utf16_is_not_believed() -> None:
    text = RUSSIAN.paragraphs[1]
    body = f"<!-- <meta charset=koi8-r> --><p>{text}</p>".encode("cp1251")
    assert decode_bytes(body) == body.decode("cp1251")  # detected, not read as KOI8-R
    assert decode_document(b'<meta charset="utf-16"><p>plain</p>').encoding == "utf-8"


def test_valid_utf8_wins_over_a_declared_legacy_charset() -> None:
    body = f"<meta charset=iso-8859-1><p>{RUSSIAN.paragraphs[0]} Zürich</p>".encode()
    decoded = decode_document(body)
    assert decoded.text == body.decode() and decoded.chosen_by == "utf-8"
    ascii_page = "<meta charset=iso-2022-jp><p>こんにちは</p>".encode("iso2022_jp")
    assert ascii_page.isascii()
    assert (
        decode_bytes(ascii_page) == "<meta charset=iso-2022-jp><p>こんにちは</p>"
    )  # ASCII keeps its charset


def test_utf16_from_the_server_and_encodings_browsers_refuse() -> None:
    assert decode_bytes("<p>Ελλάδα</p>".encode("utf-16-le"), declared="utf-16le") == "<p>Ελλάδα</p>"
    with pytest.raises(UndecodableInput, match="refuse"):
        decode_bytes("<p>Ελλάδα</p>".encode("cp1253"), declared="iso-2022-kr")
    with pytest.raises(UndecodableInput, match="binary"):
        decode_bytes(b"\x00\x01\x02\x03" * 100)


@pytest.mark.parametrize(
    ("sample", "label"),
    [(s, label) for s in SAMPLES for label in s.legacy],
    ids=lambda v: v if isinstance(v, str) else v.key,
)
def test_every_legacy_page_of_the_set_decodes_from_its_declaration(sample: Sample, label: str) -> None:
    assert decode_bytes(page(sample, label).encode(CODECS[label])) == page(sample, label)
    assert decode_bytes(page(sample).encode(CODECS[label]), declared=label) == page(sample)
    assert expected_text(sample).split("\n\n")[0] in page(sample)
