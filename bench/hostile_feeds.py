"""Hostile feeds, each polled beside a good feed by a real ``newsflow enqueue --feed … --every 1s``:
a body that lies about its encoding, an IPv6 literal host, character references to no character,
UTF-16 with one, HTML instead of XML, external entities, a billion laughs.

The bad feed must fail alone (or be read safely), the good feed's entry must be queued, the
poller must poll again, and it must exit 0 on SIGTERM.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.hostile_fetch import RSS, rss
from bench.hostile_lab import Lab, Outcome, Probe, article_html
from tests.httpsite import Listener, Route


@dataclass
class FeedPoll:
    """Two polls of a hostile feed beside a good one, then SIGTERM."""

    lines: list[str]
    returncode: int
    queued: list[dict[str, Any]]
    good_url: str

    def first(self) -> str:
        """The first poll's summary line."""
        return next((line for line in self.lines if line.startswith("poll 1 ")), "")


Judge = Callable[[Lab, FeedPoll], tuple[bool, str]]


def poll_beside_good(lab: Lab, name: str, hostile_url: str) -> FeedPoll:
    """``enqueue --feed HOSTILE --feed GOOD --every 1s``: two polls, then SIGTERM."""
    prefix = lab.fresh_prefix(name)
    lab.site.routes[f"/beside/{name}/good.html"] = Route(article_html(f"Good news {name}"))
    good_url = lab.site.url(f"/beside/{name}/good.html")
    lab.site.routes[f"/beside/{name}/good.rss"] = Route(rss("Good", [good_url]), content_type=RSS)
    spawned = lab.spawn(
        lab.env(prefix),
        "enqueue", "--feed", hostile_url, "--feed", lab.site.url(f"/beside/{name}/good.rss"), "--every", "1s",
    )  # fmt: skip
    try:
        lab.wait(
            lambda: (
                any(line.startswith("poll 2 ") for line in spawned.lines)
                or spawned.process.poll() is not None
            ),
            60,
            "the second poll",
        )
    finally:
        if spawned.process.poll() is None:
            spawned.process.terminate()
    code = lab.finish(spawned, 30)
    return FeedPoll(spawned.lines, code, lab.queued(prefix), good_url)


def beside_good(name: str, make: Callable[[Lab], str], judge: Judge) -> Callable[[Lab], Outcome]:
    """A probe: serve the hostile feed ``make`` returns the URL of, poll it beside a good feed,
    and require the good feed's entry queued, a second poll, a clean exit, and ``judge``'s verdict."""

    def check(lab: Lab) -> Outcome:
        poll = poll_beside_good(lab, name, make(lab))
        polls = [line for line in poll.lines if line.startswith("poll ")]
        if len(polls) < 2:
            shown = "".join(poll.lines)[:150]
            return Outcome(False, f"{len(polls)} poll line(s), exit {poll.returncode}: {shown}")
        ok, observed = judge(lab, poll)
        good = poll.good_url in [r["url"] for r in poll.queued]
        kept = "good feed's entry queued" if good else "good feed's entry NOT queued"
        return Outcome(
            ok and good and poll.returncode == 0,
            f"{observed}; {kept}; polled again; exit {poll.returncode} on SIGTERM",
        )

    return check


def fails_alone(reason: str) -> Judge:
    """The hostile feed is the poll's only failure, for ``reason``."""

    def judge(lab: Lab, poll: FeedPoll) -> tuple[bool, str]:
        line = poll.first()
        ok = f"2 feeds, 0 unchanged, 1 changed, 1 failed ({reason} x1" in line
        if not ok:
            return False, f"poll 1: {line[:150]}"
        detail = line.split("e.g. ", 1)[-1].split(": ", 1)[-1][:50]
        return True, f"failed alone: {reason} ({detail})"

    return judge


def read_with(check: Callable[[dict[str, Any]], bool], what: str) -> Judge:
    """The hostile feed is read and its one entry queued; ``check`` holds for that entry."""

    def judge(lab: Lab, poll: FeedPoll) -> tuple[bool, str]:
        others = [r for r in poll.queued if r["url"] != poll.good_url]
        ok = "2 changed, 0 failed" in poll.first() and len(others) == 1 and check(others[0])
        fields = {k: others[0].get(k) for k in ("title", "source")} if others else "nothing queued"
        return ok, f"read, its entry queued with {what}: {fields}"[:150]

    return judge


def serve(path: str, body: bytes, pages: tuple[str, ...] = (), **route: Any) -> Callable[[Lab], str]:
    """Serve a feed at ``path`` (and article pages at ``pages``) on the public site; its URL."""

    def make(lab: Lab) -> str:
        for page in pages:
            lab.site.routes[page] = Route(article_html(f"Story at {page}"))
        lab.site.routes[path] = Route(body, content_type=RSS, **route)
        return lab.site.url(path)

    return make


def ipv6_feed(lab: Lab) -> str:
    """A feed on an IPv6 literal host ([::1]:port), with a relative link."""
    lab.site6.routes["/v6/story.html"] = Route(article_html("Six bridges"))
    lab.site6.routes["/v6/feed.rss"] = Route(rss("Six", ["/v6/story.html"]), content_type=RSS)
    return lab.site6.url("/v6/feed.rss")


def billion_laughs() -> str:
    """A DOCTYPE whose entity lol9 expands to 10^9 times "lol"."""
    entities = "".join(f'<!ENTITY lol{n} "' + f"&lol{n - 1};" * 10 + '">' for n in range(1, 10))
    return f'<!DOCTYPE rss [<!ENTITY lol0 "lol">{entities}]>'


def xxe_listener(lab: Lab) -> Listener:
    """The internal listener the external-entity feed names (one for the run)."""
    return lab.shared("xxe-listener", lambda: Listener("127.0.0.1"))


def xxe_feed(lab: Lab) -> str:
    """A feed whose DOCTYPE declares external entities (an internal URL, a local file) and uses them."""
    doctype = (
        f'<!DOCTYPE rss [<!ENTITY ext SYSTEM "http://127.0.0.1:{xxe_listener(lab).port}/xxe">'
        '<!ENTITY file SYSTEM "file:///etc/passwd">]>'
    )
    body = rss("Ext &ext; &file;", ["/beside/xxe.html"], doctype).replace(b"Story 0", b"Story &ext;&file;")
    return serve("/feeds/xxe.rss", body, pages=("/beside/xxe.html",))(lab)


def xxe_judge(lab: Lab, poll: FeedPoll) -> tuple[bool, str]:
    """Nothing fetched for the entities, no file read; the feed read or failed alone."""
    reached = xxe_listener(lab).received()
    leaked = any("root:" in str(r) for r in poll.queued)
    line = poll.first()
    state = (
        "read" if "2 changed, 0 failed" in line else "failed alone" if "1 changed, 1 failed" in line else ""
    )
    verdict = "LEAKED" if leaked else "not read"
    return bool(state) and reached == 0 and not leaked, (
        f"{state or line[:80]}, {reached} connection(s) to the entity's URL, /etc/passwd {verdict}"
    )


UTF16_SURROGATE_FEED = (
    '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>T &#xD800;</title>'
    "<item><title>Lost</title><link>/news/lost.html</link></item></channel></rss>"
).encode("utf-16")
D800_FEED = rss("Odd &#xD800; Chars", ["/beside/d800.html"]).replace(b"Story 0", b"Story &#xD800; 0")
LAUGHS_FEED = rss("Laughs &lol9;", ["/beside/laughs.html"], billion_laughs()).replace(
    b"Story 0", b"Story &lol9;"
)


def short_titles(record: dict[str, Any]) -> bool:
    return len(str(record.get("title"))) < 100 and len(str(record.get("source"))) < 100


def probes() -> list[Probe]:
    """The feed probes."""
    gzip_lie = serve("/feeds/gzip-lie.rss", rss("Lie", ["/x.html"]), headers={"Content-Encoding": "gzip"})
    feeds = [
        Probe("feeds", "feed with Content-Encoding: gzip over plain bytes", beside_good(
            "gzip-lie", gzip_lie, fails_alone("FetchFailed"))),
        Probe("feeds", "feed on an IPv6 literal http://[::1]:PORT/v6/feed.rss", beside_good(
            "ipv6", ipv6_feed, read_with(lambda r: "[::1]" in r["url"], "its bracketed URL"))),
        Probe("feeds", "feed with &#xD800; in its title and an item's title", beside_good(
            "d800", serve("/feeds/d800.rss", D800_FEED, pages=("/beside/d800.html",)),
            read_with(lambda r: r.get("title") == "Story \ufffd 0", "U+FFFD"))),
        Probe("feeds", "UTF-16 feed with &#xD800;", beside_good(
            "utf16", serve("/feeds/utf16.rss", UTF16_SURROGATE_FEED), fails_alone("InvalidFeed"))),
        Probe("feeds", "feed that is an HTML page with a NUL, not XML", beside_good(
            "garbage", serve("/feeds/garbage.rss", b"<html><body>not a feed \x00\xff</body></html>"),
            fails_alone("InvalidFeed"))),
        Probe("feeds", "feed with external entities (internal URL, file:///etc/passwd)", beside_good(
            "xxe", xxe_feed, xxe_judge)),
        Probe("regress", "feed with billion laughs (&lol9; = 10^9 x 'lol') in titles", beside_good(
            "laughs", serve("/feeds/laughs.rss", LAUGHS_FEED, pages=("/beside/laughs.html",)),
            read_with(short_titles, "entities unexpanded"))),
    ]  # fmt: skip
    return feeds
