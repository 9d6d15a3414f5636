"""The clean stage: an input record in, the article's main text, language and metadata out.

HTML goes through ``tasks.clean.html_extract`` (readability-lxml's paragraphs confirmed by trafilatura,
metadata from trafilatura); text that a scraper flattened keeps its article lines and loses its
page furniture (``tasks.clean.text_body``); text with no page furniture at all (wire copy, a CMS
body), or a record that says it is the body alone (``body_only``), keeps every line. Every path
then repairs Unicode (ftfy), normalises white space to paragraphs separated by blank lines, splits
off the dateline and byline, and detects the language of what is left (``tasks.clean.language``). Lone
surrogates never reach it (``ArticleRecord`` replaces them when it validates a record) and
control characters are dropped, so no input makes the stage crash: it returns an article or
raises a ``PermanentError`` that says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ftfy

from tasks.clean.boilerplate import has_page_furniture, is_boilerplate_line, strip_share_widget
from tasks.clean.dateline import byline_names, is_byline, split_byline, split_dateline
from tasks.clean.html_extract import extract_html, is_page_source
from tasks.clean.language import declared_language, detect_language
from tasks.clean.page_metadata import Wanted
from tasks.clean.text_body import page_article_lines
from tasks.clean.words import count_words
from tasks.errors import EmptyArticle, InputTooLarge, UndecodableInput
from tasks.models import ArticleRecord, CleanedArticle
from tasks.quote_marks import glued_marks

MAX_TITLE_WORDS = 25
# A line ending like this goes on or ends a sentence: not a headline (full stops, colons and commas
# of Latin, CJK, full-width, Arabic and Urdu, and Devanagari's danda).
_NOT_TITLE_ENDINGS = (".", ":", ",", "。", "．", "：", "，", "、", "،", "۔", "।")
# Below this the detector is guessing (very short or mixed text): a declared language wins.
MIN_LANGUAGE_PROBABILITY = 0.5
_HORIZONTAL_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class CleanOptions:
    """How the clean stage treats its input."""

    max_input_chars: int = 2_000_000
    min_words: int = 5


def clean_article(record: ArticleRecord, options: CleanOptions | None = None) -> CleanedArticle:
    """Clean one record: main text, title, author, dateline and byline."""
    options = options or CleanOptions()
    raw = record.html if record.html and record.html.strip() else record.text or ""
    if len(raw) > options.max_input_chars:
        raise InputTooLarge(f"input is {len(raw)} characters, over the limit of {options.max_input_chars}")
    if _looks_binary(raw):
        raise UndecodableInput("input is binary, not text")

    title, author, published, site_name, declared_language = (
        record.title,
        record.author,
        record.published,
        None,
        record.language,
    )
    html = record.html if record.html and record.html.strip() else None
    if html is None and not record.body_only and is_page_source(raw):
        html = raw  # a page's HTML source handed over as text: cleaned as the page it is
    if html is not None:
        wanted = Wanted(title=not record.title, author=not record.author, date=not record.published)
        extraction = extract_html(html, record.url, wanted)
        paragraphs = split_paragraphs(repair_text(extraction.text))
        title = title or extraction.title
        author = author or extraction.author
        published = published or extraction.published
        site_name = extraction.site_name
        declared_language = declared_language or extraction.language
        title, byline, paragraphs = split_head(title, paragraphs)
    elif record.body_only:
        title, byline, paragraphs = body_lines(raw, title)
    else:
        lines = page_lines(raw)
        # Judged on every line, the first included: a menu's first item could pass for a title.
        furnished = has_page_furniture(lines)
        title, byline, paragraphs = split_page_head(lines, title)
        if furnished:
            paragraphs = page_article_lines(paragraphs, title)
        if byline is None:
            byline, paragraphs = split_byline(paragraphs)
    if byline and not author:
        author = byline_names(byline)
    dateline = None
    if paragraphs:
        found = split_dateline(paragraphs[0])
        if found:
            dateline = found.place
            paragraphs[0] = found.body
    text = "\n\n".join(paragraphs).strip()
    words = count_words(text)
    if words < options.min_words:
        raise EmptyArticle(
            f"{words} words of article text left after cleaning (at least {options.min_words} needed)"
        )
    language = choose_language(text, declared_language)
    return CleanedArticle(
        id=record.id,
        url=record.url,
        title=title or None,
        author=author,
        source=record.source or site_name,
        site_name=site_name,
        published=published,
        language=language,
        dateline=dateline,
        byline=byline,
        text=text,
        enqueued_at=record.enqueued_at,
        origin=record.origin,
    )


def split_head(title: str | None, paragraphs: list[str]) -> tuple[str | None, str | None, list[str]]:
    """The normalised title, the byline, and the paragraphs without a repeat of the title or the byline."""
    if title:
        title = normalise_space(repair_text(title))
        if paragraphs and normalise_space(paragraphs[0]) == title:
            paragraphs = paragraphs[1:]
    byline, paragraphs = split_byline(paragraphs)
    return title, byline, paragraphs


def page_lines(raw: str) -> list[str]:
    """Flattened page text as repaired lines (share bars glued to a line cut off), boilerplate still in."""
    lines = [unglue_sentences(strip_share_widget(p)) for p in split_paragraphs(repair_text(raw))]
    return [line for line in lines if line]


def split_page_head(lines: list[str], title: str | None) -> tuple[str | None, str | None, list[str]]:
    """The title, the byline and the rest of a page's lines.

    The title is the given one, else the page's first line when it reads like a headline.
    """
    if lines and _is_title_line(lines[0], has_more=len(lines) > 1):
        title = title or lines[0]
        lines = lines[1:]
    return split_head(title, lines)


def flattened_page_lines(raw: str, title: str | None) -> tuple[str | None, str | None, list[str]]:
    """Flattened page text as repaired lines, boilerplate still in, with its title and byline."""
    return split_page_head(page_lines(raw), title)


def body_lines(raw: str, title: str | None) -> tuple[str | None, str | None, list[str]]:
    """Text that is the article body alone, as repaired lines: every line kept, the byline split off.

    Only a first line that repeats the given title goes; no line is judged as page furniture.
    """
    return split_head(title, [unglue_sentences(p) for p in split_paragraphs(repair_text(raw))])


def choose_language(text: str, declared: str | None) -> str | None:
    """The detected language of the text when the detector is sure, else the declared one when it
    names a language (its code: ``pt-BR`` -> ``pt``), else the detector's guess or None."""
    detected = detect_language(text)
    if detected and detected.probability >= MIN_LANGUAGE_PROBABILITY:
        return detected.code
    return declared_language(declared) or (detected.code if detected else None)


_FTFY = ftfy.TextFixerConfig(
    normalization="NFC", uncurl_quotes=False, fix_character_width=False, explain=False
)
# A line with none of these has nothing for ftfy to fix: printable ASCII, tabs, and the typographic
# marks English news is set in (curly quotes, en and em dashes, the ellipsis, the no-break space),
# with no "&" (no entity to unescape). No mojibake is made of these alone (every sequence ftfy
# decodes has a Latin-1 or C1 character in it), they are NFC already, and none is a control
# character, a line break to normalise, a ligature or a terminal escape.
_FTFY_WORK = re.compile("[^\t\n\x20-\x7e\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0]|&")


def repair_text(text: str) -> str:
    """Fix mojibake and odd Unicode (ftfy) and drop control characters.

    Quotes stay curly and full-width characters stay full-width (ftfy would make "，" a "," and
    "ＪＲ" a "JR"): the text comes out as its publisher wrote it. This is ``ftfy.fix_text``'s own
    loop over lines, with the lines that ftfy has nothing to do on passed through as they are (most
    lines of English news: ftfy costs milliseconds per article on them for nothing).
    """
    config = _FTFY
    out = []
    position = 0
    while position < len(text):
        end = text.find("\n", position) + 1 or len(text)
        end = min(end, position + config.max_decode_length)
        segment = text[position:end]
        if config.unescape_html == "auto" and "<" in segment:
            config = config._replace(unescape_html=False)  # as ftfy: markup seen, entities stay
        if not _FTFY_WORK.search(segment):
            out.append(segment)
        else:
            out.append(ftfy.fix_and_explain(segment, config).text)
        position = end
    return _CONTROL.sub("", "".join(out))


# "…the community.Dr Venter said": a sentence end glued to the next sentence, as in flattened text.
_GLUED_SENTENCE = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|(?<=[a-z]{2}[.!?][\"'”’])(?=[A-Z][a-z])")
# A straight quote mark glued between a sentence's stop and the next sentence ('…plate."School').
_GLUED_MARK = re.compile(r"[.?!…][\"'][A-Z0-9]")


def unglue_sentences(line: str) -> str:
    """Put the missing space between sentences glued together ("community.Dr Venter").

    A straight quote mark between them ('…the plate."School meals…') closes the sentence before
    or opens the one after (a quotation's next paragraph, or a new quotation); the space goes on
    the side that keeps what it does, as the pairing of the line's marks reads it, so the
    quotations read from the spaced text are those the glued text held."""
    cuts = {match.start() for match in _GLUED_SENTENCE.finditer(line)}
    if _GLUED_MARK.search(line):
        for mark, opens in glued_marks(line).items():
            cuts.discard(mark + 1)
            cuts.add(mark if opens else mark + 1)
    if not cuts:
        return line
    pieces, at = [], 0
    for cut in sorted(cuts):
        pieces.append(line[at:cut])
        at = cut
    pieces.append(line[at:])
    return " ".join(pieces)


def normalise_space(line: str) -> str:
    """Collapse runs of horizontal white space to one space and trim the ends."""
    return _HORIZONTAL_SPACE.sub(" ", line).strip()


def split_paragraphs(text: str) -> list[str]:
    """Split text into non-empty paragraphs, one per line, with white space normalised."""
    lines = (normalise_space(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return [line for line in lines if line]


def _is_title_line(line: str, has_more: bool) -> bool:
    return (
        has_more
        and 0 < count_words(line) <= MAX_TITLE_WORDS
        and not line.rstrip().endswith(_NOT_TITLE_ENDINGS)
        and not is_boilerplate_line(line)
        and not is_byline(line)
    )


_BINARY_CHARACTER = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f]")


def _looks_binary(raw: str) -> bool:
    sample = raw[:4096]
    if "\x00" in sample:
        return True
    return len(_BINARY_CHARACTER.findall(sample)) > max(8, len(sample) // 20)
