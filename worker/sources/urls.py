"""Lists of URLs (article pages for ``--urls``, feeds for ``--feeds``): one per line, ``#`` comments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from worker.sources.files import SourceError


@dataclass(frozen=True, slots=True)
class ListedURL:
    """A URL and where it was listed (``file:line``, or the command line)."""

    url: str
    origin: str


def read_url_list(path: str) -> list[ListedURL]:
    """The URLs of a list file, in order, without blank lines and ``#`` comments."""
    file = Path(path)
    try:
        lines = file.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError as exc:
        raise SourceError(f"{path}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read this URL list ({exc})") from exc
    listed = []
    for number, line in enumerate(lines, start=1):
        url = line.strip()
        if url and not url.startswith("#"):  # a whole-line comment; a '#' inside a URL is a fragment
            listed.append(ListedURL(url, f"{path}:{number}"))
    return listed
