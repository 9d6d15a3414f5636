"""Hostile probes of the producers' fetching: feeds and URL lists that point inside the network or
redirect there, a robots.txt that redirects there, file:// URLs, a redirect loop, a gzip bomb.

Each group is one real ``newsflow enqueue`` run (a subprocess) on a key prefix no worker
consumes, so what it queued is read back from the queue itself; the probes of a group read that
one run. Internal services are ``tests.httpsite.Listener`` sockets that only count the
connections they get (the allow list never names them), and Redis itself, whose log says when
an HTTP request reached it.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.hostile_lab import Lab, Outcome, Probe, Run, article_html
from tests.httpsite import Listener, Route, Site

RSS = "application/rss+xml"
SECURITY_WARNING = "SECURITY ATTACK"  # what redis-server logs when an HTTP request reaches it


def rss(title: str, links: list[str], doctype: str = "") -> bytes:
    """An RSS 2.0 feed with one item per link."""
    items = "".join(
        f"<item><title>Story {n}</title><link>{link}</link></item>" for n, link in enumerate(links)
    )
    head = f'<?xml version="1.0"?>{doctype}<rss version="2.0">'
    return f"{head}<channel><title>{title}</title>{items}</channel></rss>".encode()


def letter_line(letter: Any) -> str:
    """A dead letter's reason as a probe shows it: its class and the message after the origin."""
    message = letter.fields["error"].split(": ", 1)[-1].split(": producers do not", 1)[0]
    return f"{letter.fields['error_class']} ({message[:70]})"


# --- 1. feed entries pointing inside the network ------------------------------------------------

NOTATIONS = {  # how the entry writes the internal host, and the listener's address family
    "127.0.0.1": ("127.0.0.1", "127.0.0.1"),
    "2130706433": ("2130706433", "127.0.0.1"),
    "0x7f000001": ("0x7f000001", "127.0.0.1"),
    "127.1": ("127.1", "127.0.0.1"),
    "localhost": ("localhost", "127.0.0.1"),
    "[::ffff:127.0.0.1]": ("[::ffff:127.0.0.1]", "127.0.0.1"),
    "[::1]": ("[::1]", "::1"),
}
METADATA_URL = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"


@dataclass
class InsideFeed:
    """One poll of a feed whose entries lead inside the network, and of a feed inside it."""

    run: Run
    queued: list[str]
    letters: dict[str, Any]
    connections: dict[str, int]
    redis_log: str
    urls: dict[str, str] = field(default_factory=dict)


def poll_inside_feed(lab: Lab) -> InsideFeed:
    """Poll one public feed listing a good page and links to internal listeners, beside a feed
    URL that is itself internal."""
    prefix = lab.fresh_prefix("ssrf")
    listeners = {name: Listener(host) for name, (_, host) in NOTATIONS.items()}
    listeners["feed"] = Listener("127.0.0.1")
    try:
        urls = {
            name: f"http://{shown}:{listeners[name].port}/token" for name, (shown, _) in NOTATIONS.items()
        }
        urls["metadata"] = METADATA_URL
        urls["redis"] = f"http://127.0.0.1:{lab.redis.port}/"
        lab.site.routes["/ssrf/good.html"] = Route(article_html("Harbour works"))
        good = lab.site.url("/ssrf/good.html")
        lab.site.routes["/ssrf/feed.rss"] = Route(rss("Inside Job", [good, *urls.values()]), content_type=RSS)
        inside_feed = f"http://127.0.0.1:{listeners['feed'].port}/feed.rss"
        urls["feed"] = inside_feed
        run = lab.cli(
            lab.env(prefix), "enqueue", "--feed", lab.site.url("/ssrf/feed.rss"), "--feed", inside_feed
        )
        letters = {url: lab.letters_for(prefix, url=url) for url in urls.values()}
        return InsideFeed(
            run=run,
            queued=[r["url"] for r in lab.queued(prefix)],
            letters={url: found[0] for url, found in letters.items() if found},
            connections={name: listener.received() for name, listener in listeners.items()},
            redis_log=(lab.redis.directory / "redis.log").read_text(errors="replace"),
            urls=urls,
        )
    finally:
        for listener in listeners.values():
            listener.__exit__()


def inside_entry(name: str) -> Callable[[Lab], Outcome]:
    """A feed entry to an internal address: refused, dead-lettered, never queued, never connected to."""

    def check(lab: Lab) -> Outcome:
        seen = lab.shared("ssrf-feed", lambda: poll_inside_feed(lab))
        url = seen.urls[name]
        letter = seen.letters.get(url)
        if name == "redis":
            reached = seen.redis_log.count(SECURITY_WARNING)
            where = f"Redis logged {reached} HTTP request(s)"
        elif name == "metadata":
            reached, where = 0, "nothing listens there to count"
        else:
            reached = seen.connections[name]
            where = f"{reached} connection(s) reached the internal listener"
        if letter is None:
            return Outcome(False, f"no dead letter, {where} (enqueue: {seen.run.stdout.strip()[:90]})")
        refused = letter.fields["error_class"] == "ForbiddenAddress" and url not in seen.queued
        return Outcome(refused and reached == 0, f"{letter_line(letter)}, dead-lettered, not queued, {where}")

    return check


def inside_feed_url(lab: Lab) -> Outcome:
    """A feed URL inside the network: that feed fails alone, the other is polled."""
    seen = lab.shared("ssrf-feed", lambda: poll_inside_feed(lab))
    line = seen.run.stdout.strip()
    passed = (
        "2 feeds, 0 unchanged, 1 changed, 1 failed (ForbiddenAddress x1" in line
        and seen.connections["feed"] == 0
        and seen.queued == [lab.site.url("/ssrf/good.html")]
    )
    observed = (
        f"feed failed with ForbiddenAddress, the other feed's good entry queued ({len(seen.queued)} "
        f"queued in all), {seen.connections['feed']} connection(s) reached it"
    )
    return Outcome(passed, observed if "ForbiddenAddress x1" in line else f"poll line: {line[:150]}")


# --- 1b. a URL list: internal addresses, redirects inward, robots.txt redirected inward ----------


@dataclass
class ListRun:
    """One ``enqueue --urls`` run over a list of hostile URLs."""

    run: Run
    queued: list[str]
    letters: dict[str, Any]
    connections: dict[str, int]
    urls: dict[str, str]
    robots_site: Site


def gzip_bomb(megabytes: int) -> bytes:
    """``megabytes`` MB of HTML, gzip-compressed about a thousand times (made a MB at a time)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip format
    parts = [packer.compress(b"<html><body><p>")]
    parts += [packer.compress(b"a" * 1_000_000) for _ in range(megabytes)]
    return b"".join([*parts, packer.flush()])


def run_url_list(lab: Lab) -> ListRun:
    """``enqueue --urls`` over an internal URL, redirects into the network and to file://, a
    redirect loop, a page whose robots.txt redirects inward, and a good page."""
    prefix = lab.fresh_prefix("urls")
    listeners = {name: Listener("127.0.0.1") for name in ("direct", "hop", "robots")}
    robots_site = Site("127.0.0.1").start()
    try:
        site = lab.site
        robots_site.routes["/robots.txt"] = Route(
            status=301, location=f"http://127.0.0.1:{listeners['robots'].port}/robots.txt"
        )
        robots_site.routes["/page.html"] = Route(article_html("Tram line"))
        site.routes["/urls/jump.html"] = Route(
            status=302, location=f"http://0x7f000001:{listeners['hop'].port}/token2"
        )
        site.routes["/urls/to-file.html"] = Route(status=302, location="file:///etc/passwd")
        site.routes["/urls/loop-a.html"] = Route(status=302, location="/urls/loop-b.html")
        site.routes["/urls/loop-b.html"] = Route(status=302, location="/urls/loop-a.html")
        site.routes["/urls/good.html"] = Route(article_html("Library hours"))
        urls = {
            "direct": f"http://127.0.0.1:{listeners['direct'].port}/token",
            "hop": site.url("/urls/jump.html"),
            "robots": robots_site.url("/page.html"),
            "file": "file:///etc/passwd",
            "to-file": site.url("/urls/to-file.html"),
            "loop": site.url("/urls/loop-a.html"),
            "good": site.url("/urls/good.html"),
        }
        listed = lab.write(f"{prefix}.txt", "".join(f"{url}\n" for url in urls.values()))
        run = lab.cli(lab.env(prefix, allow=lab.allow(robots_site.netloc)), "enqueue", "--urls", str(listed))
        letters = {url: lab.letters_for(prefix, url=url) for url in urls.values()}
        return ListRun(
            run=run,
            queued=[r["url"] for r in lab.queued(prefix)],
            letters={url: found[0] for url, found in letters.items() if found},
            connections={name: listener.received() for name, listener in listeners.items()},
            urls=urls,
            robots_site=robots_site,
        )
    finally:
        robots_site.close()
        for listener in listeners.values():
            listener.__exit__()


def listed(name: str, reason: str) -> Callable[[Lab], Outcome]:
    """A listed URL that must be rejected for ``reason``, dead-lettered and not queued."""

    def check(lab: Lab) -> Outcome:
        seen = lab.shared("url-list", lambda: run_url_list(lab))
        url = seen.urls[name]
        letter = seen.letters.get(url)
        reached = seen.connections.get(name, 0)
        extra = f", {reached} connection(s) reached the internal listener" if name in seen.connections else ""
        if letter is None:
            return Outcome(False, f"no dead letter{extra} (enqueue: {seen.run.stdout.strip()[:90]})")
        passed = letter.fields["error_class"] == reason and url not in seen.queued and reached == 0
        if name == "hop":
            extra += f", the allowed hop was requested {len(lab.site.hits('/urls/jump.html'))} time(s)"
        return Outcome(passed, f"{letter_line(letter)}, dead-lettered, not queued{extra}")

    return check


def gzip_bombs(lab: Lab) -> Outcome:
    """Two gzip bombs, each in an ``enqueue --urls`` run of its own beside a run of a plain page:
    each stopped at the size limit (InputTooLarge), before it is decoded whole (peak memory)."""
    lab.site.routes["/bomb/plain.html"] = Route(article_html("Plain page"))
    pages = {"plain page": "/bomb/plain.html"}
    for megabytes in (60, 600):
        pages[f"{megabytes} MB bomb"] = f"/bomb/{megabytes}.html"
        lab.site.routes[pages[f"{megabytes} MB bomb"]] = Route(
            gzip_bomb(megabytes), headers={"Content-Encoding": "gzip"}
        )
    runs = {}
    for name, path in pages.items():
        prefix = lab.fresh_prefix("bomb")
        listed = lab.write(f"{prefix}.txt", lab.site.url(path) + "\n")
        runs[name] = (lab.cli(lab.env(prefix), "enqueue", "--urls", str(listed)), lab.queued(prefix))
    stopped = all(
        "InputTooLarge x1" in run.stdout and not queued
        for name, (run, queued) in runs.items()
        if "bomb" in name
    )
    early = runs["600 MB bomb"][0].peak_mb < 600
    peaks = ", ".join(f"{name} {run.peak_mb:.0f} MB" for name, (run, _) in runs.items())
    return Outcome(
        stopped and early,
        f"{'InputTooLarge, not queued' if stopped else 'NOT stopped'}; peak memory of enqueue: {peaks}",
    )


def robots_inward(lab: Lab) -> Outcome:
    """A robots.txt that redirects inside the network is not followed: it counts as none."""
    seen = lab.shared("url-list", lambda: run_url_list(lab))
    url = seen.urls["robots"]
    reached = seen.connections["robots"]
    robots_hits = len(seen.robots_site.hits("/robots.txt"))
    passed = reached == 0 and url in seen.queued and robots_hits == 1
    return Outcome(
        passed,
        f"redirect not followed ({reached} connection(s) reached the internal listener), robots.txt "
        f"counted as none, the page {'queued' if url in seen.queued else 'NOT queued'}",
    )


def probes() -> list[Probe]:
    """The producer probes, in the order they run."""
    inside = [
        Probe("ssrf", f"feed entry http://{shown}:PORT/token", inside_entry(name))
        for name, (shown, _) in NOTATIONS.items()
    ]
    lists = [
        Probe("ssrf", f"feed entry {METADATA_URL[:42]}…", inside_entry("metadata")),
        Probe("ssrf", "feed entry http://127.0.0.1:REDIS_PORT/ (Redis itself)", inside_entry("redis")),
        Probe("ssrf", "--feed http://127.0.0.1:PORT/feed.rss (a feed inside)", inside_feed_url),
        Probe("ssrf", "--urls line http://127.0.0.1:PORT/token", listed("direct", "ForbiddenAddress")),
        Probe("ssrf", "--urls page 302 -> http://0x7f000001:PORT/token2", listed("hop", "ForbiddenAddress")),
        Probe("ssrf", "--urls page whose robots.txt 301 -> 127.0.0.1:PORT", robots_inward),
        Probe("ssrf", "--urls line file:///etc/passwd", listed("file", "UnsupportedURL")),
        Probe("ssrf", "--urls page 302 -> file:///etc/passwd", listed("to-file", "UnsupportedURL")),
        Probe("regress", "--urls page in a redirect loop a -> b -> a", listed("loop", "TooManyRedirects")),
        Probe("regress", "--urls gzip bombs: 60 KB -> 60 MB, 600 KB -> 600 MB of HTML", gzip_bombs),
    ]
    return inside + lists
