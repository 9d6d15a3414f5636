"""No input crashes the clean stage: it returns an article or raises a PermanentError with a reason."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.clean.stage import CleanOptions, clean_article
from tasks.errors import EmptyArticle, InputTooLarge, PermanentError, UndecodableInput, UnsupportedContent
from tasks.models import ArticleRecord, parse_record
from worker.settings import Settings
from worker.stages import run_clean

BODY = "The council voted on Tuesday to build a new bridge across the river, officials said."
TAGS = (
    "p",
    "div",
    "span",
    "article",
    "nav",
    "footer",
    "li",
    "ul",
    "table",
    "tr",
    "td",
    "h1",
    "a",
    "b",
    "script",
)


def clean_or_reason(record: ArticleRecord) -> str:
    """The cleaned text, or the permanent error's reason; anything else propagates and fails the test."""
    try:
        article = clean_article(record)
    except PermanentError as exc:
        assert str(exc), "a rejection must say why"
        return f"rejected: {exc}"
    article.model_dump_json()  # what the next stage receives must serialise
    assert article.text.strip() and "\n\n\n" not in article.text
    return article.text


html_fragments = st.recursive(
    st.text(max_size=40),
    lambda children: st.builds(
        lambda tag, parts: f"<{tag}>{''.join(parts)}</{tag}>",
        st.sampled_from(TAGS),
        st.lists(children, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400), st.booleans())
def test_clean_article_never_crashes_on_arbitrary_text(text: str, body_only: bool) -> None:
    clean_or_reason(ArticleRecord(id="t", text=text, body_only=body_only))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_fragments, st.booleans())
def test_clean_article_never_crashes_on_arbitrary_html(fragment: str, wrap: bool) -> None:
    html = f"<html><body>{fragment}<p>{BODY}</p></body></html>" if wrap else fragment
    clean_or_reason(ArticleRecord(id="h", html=html))


@pytest.mark.parametrize(
    "html",
    [
        "<div>" * 50_000 + BODY + "</div>" * 50_000,
        "<span><b>" * 20_000 + BODY,
        "<table>" + "<tr><td>cell</td></tr>" * 5_000 + "</table>",
        "<",
        "<![CDATA[ nothing ]]>",
        "\ufeff<html><body><p>" + BODY + "</p></body></html>",
        '<?xml version="1.0" encoding="ISO-8859-1"?><html><body><p>' + BODY + "</p></body></html>",
        '<html><head><meta charset="shift_jis"></head><body><p>' + BODY + "</p></body></html>",
        "<html><body><p>Lone surrogate \udc80 in " + BODY + "</p></body></html>",
    ],
    ids=[
        "deep-divs",
        "deep-inline",
        "big-table",
        "lt",
        "cdata",
        "bom",
        "xml-decl",
        "wrong-charset",
        "surrogate",
    ],
)
def test_clean_article_survives_hostile_html(html: str) -> None:
    clean_or_reason(ArticleRecord(id="x", html=html))


@pytest.mark.parametrize("depth", [300, 50_000])
def test_html_nested_past_the_parsers_depth_is_reported_as_such(depth: int) -> None:
    html = "<html><body>" + "<div>" * depth + "<p>" + BODY * 3 + "</p>" + "</div>" * depth + "</body></html>"
    with pytest.raises(UnsupportedContent, match="nested deeper than"):
        clean_article(ArticleRecord(id="deep", html=html))


def test_clean_article_repairs_mojibake_and_lone_surrogates_in_text() -> None:
    text = clean_or_reason(ArticleRecord(id="m", text="Ã‰mile said: " + BODY + " \udc80"))
    assert text.startswith("Émile said") and "\udc80" not in text


def test_empty_binary_and_oversized_input_are_rejected_with_a_reason() -> None:
    with pytest.raises(EmptyArticle, match="words of article text"):
        clean_article(ArticleRecord(id="e", html="<html><body></body></html>"))
    with pytest.raises(UndecodableInput, match="binary"):
        clean_article(ArticleRecord(id="b", text="\x00\x01\x02\x03" * 64))
    with pytest.raises(InputTooLarge, match="over the limit of 1000"):
        clean_article(ArticleRecord(id="l", text=BODY * 100), CleanOptions(max_input_chars=1000))
    with pytest.raises(InputTooLarge, match="over the limit of 2000"):
        run_clean(Settings(max_input_bytes=2000), {"id": "big", "text": BODY * 100})


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 - shared by the server's handler instances on purpose

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<!ENTITY leaked 'LEAKED'>")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_html_parsing_fetches_no_external_entity_or_resource(local_server: str) -> None:
    html = f"""<?xml version="1.0"?>
<!DOCTYPE html [<!ENTITY ext SYSTEM "{local_server}/entity"> <!ENTITY % p SYSTEM "{local_server}/dtd"> %p;]>
<html><head><link rel="stylesheet" href="{local_server}/style.css">
<script src="{local_server}/app.js"></script><base href="{local_server}/"></head>
<body><img src="{local_server}/photo.jpg"><iframe src="{local_server}/frame"></iframe>
<p>&ext; {BODY}</p><p><a href="{local_server}/next">More</a> {BODY}</p></body></html>"""
    record = parse_record({"html": html, "url": f"{local_server}/article"})
    text = clean_or_reason(record)
    assert "LEAKED" not in text
    assert _Recorder.hits == []
