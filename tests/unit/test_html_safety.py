"""HTML parsing never fetches anything: no external DTD, entity, stylesheet, image or frame."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tasks.clean.stage import clean_article
from tasks.models import parse_record


@pytest.fixture
def counting_server() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<!ENTITY leak 'LEAKED'>")

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_cleaning_html_fetches_no_external_resource(counting_server: tuple[str, list[str]]) -> None:
    base, requests = counting_server
    html = f"""<?xml version="1.0"?>
<!DOCTYPE html SYSTEM "{base}/evil.dtd" [<!ENTITY xxe SYSTEM "{base}/entity">]>
<html><head><link rel="stylesheet" href="{base}/style.css"><script src="{base}/app.js"></script></head>
<body><article><p>The port authority said on Monday that container traffic rose by four percent in October
and that it expects a busy winter season.</p><p>&xxe;</p><img src="{base}/photo.jpg">
<iframe src="{base}/frame"></iframe></article></body></html>"""
    cleaned = clean_article(parse_record({"html": html}))
    assert "container traffic rose" in cleaned.text
    assert "LEAKED" not in cleaned.text
    assert requests == []
