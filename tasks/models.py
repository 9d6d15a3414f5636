"""The plain records that travel between the stages, and the input record's validation.

Every stage takes one of these and returns the next; all of them are JSON-able with
``model_dump(mode="json")``, so nothing but plain data crosses the queue. Records are validated
once, at the door (``parse_record``); between our own stages a record is rebuilt from its JSON
with ``rebuild``, which checks its shape and validates only the fields the next stage reads.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator
from pydantic_core import from_json

from tasks.errors import InvalidRecord
from tasks.ids import derive_article_id

MAX_ID_LENGTH = 200
# Control characters (C0, DEL, C1) and lone surrogates: never part of a URL we could fetch or hash.
_NOT_IN_URL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """The text with each lone surrogate (undecodable bytes smuggled into a str) replaced by U+FFFD."""
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


class ArticleRecord(BaseModel):
    """An article as a producer hands it in: at least one of ``text`` or ``html``."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    id: str = ""
    url: str | None = None
    title: str | None = None
    text: str | None = None
    html: str | None = None
    published: str | None = None
    source: str | None = None
    language: str | None = None
    author: str | None = None
    enqueued_at: str | None = None
    # Where the record was read: a file's path relative to the folder given, with the line of a
    # JSONL file ("2024/05/a.html", "feed.jsonl:7"). Set by the file reader, carried to the output.
    origin: str | None = None
    # The producer vouches that ``text`` is the article body alone (no menus, share bars or
    # footers): the clean stage keeps every line instead of looking for the article in it.
    body_only: bool = False

    @field_validator("id")
    @classmethod
    def _id_is_short_and_printable(cls, value: str) -> str:
        value = value.strip()
        if len(value) > MAX_ID_LENGTH or any(ch.isspace() or not ch.isprintable() for ch in value):
            raise ValueError(
                f"id must be at most {MAX_ID_LENGTH} printable characters, no spaces, "
                "no control characters or lone surrogates"
            )
        return value

    @field_validator("url")
    @classmethod
    def _url_has_no_control_characters(cls, value: str | None) -> str | None:
        if value is not None and _NOT_IN_URL.search(value):
            raise ValueError("url must not hold control characters or lone surrogates")
        return value

    @field_validator("title", "text", "html", "published", "source", "language", "author", "enqueued_at")
    @classmethod
    def _no_lone_surrogates(cls, value: str | None) -> str | None:
        # Repaired here, as the clean stage would: every later step (ids, JSON, Redis) encodes UTF-8.
        return replace_surrogates(value) if value is not None else None


class Span(BaseModel):
    """A stretch of the cleaned text, by character offsets (``text[start:end]``)."""

    start: int
    end: int


class Sentence(Span):
    """One sentence of the cleaned text."""

    text: str


class EntityMention(Span):
    """One mention of a named entity in the cleaned text."""

    text: str
    label: str


class CanonicalEntity(BaseModel):
    """All mentions of one entity, under its best name."""

    name: str
    label: str
    count: int
    aliases: list[str] = Field(default_factory=list)
    mentions: list[Span] = Field(default_factory=list)
    in_dateline: bool = False  # the dateline names it too (counted in ``count``, not in ``mentions``)


class Keyphrase(BaseModel):
    """A phrase that says what the article is about, with its rank score."""

    text: str
    score: float


class Quote(Span):
    """One quotation: the quoted words (``text[start:end]``, without the marks) and who said them."""

    text: str
    speaker: str | None = None  # as the article names them at the attribution ("she", "police")
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker_entity: str | None = None  # the canonical entity's name, when the speaker is one
    cue: str | None = None  # "said", "told", "according to", "added", "wrote" ...
    kind: Literal["direct", "scare"] = "direct"  # scare: a short quoted term nobody is said to say


class CleanedArticle(BaseModel):
    """The output of the clean stage: main text and metadata, no markup."""

    id: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    source: str | None = None
    site_name: str | None = None
    published: str | None = None
    language: str | None = None
    dateline: str | None = None
    byline: str | None = None
    text: str
    enqueued_at: str | None = None
    origin: str | None = None
    timings: dict[str, float] = Field(default_factory=dict)


class ExtractedArticle(CleanedArticle):
    """The clean stage's article plus entities, keyphrases and sentence boundaries."""

    entities: list[EntityMention] = Field(default_factory=list)
    canonical_entities: list[CanonicalEntity] = Field(default_factory=list)
    keyphrases: list[Keyphrase] = Field(default_factory=list)
    sentences: list[Span] = Field(default_factory=list)
    dateline_place: str | None = None
    entities_skipped: str | None = None
    quotes: list[Quote] = Field(default_factory=list)


class SummarisedArticle(ExtractedArticle):
    """The extract stage's article plus an extractive summary."""

    summary: str = ""
    summary_sentences: list[Sentence] = Field(default_factory=list)


class PublishedArticle(SummarisedArticle):
    """What goes out on the results stream and what ``newsflow process`` writes."""

    published_at: str
    pipeline_version: str
    duplicate_of: str | None = None
    duplicate_kind: str | None = None
    duplicate_similarity: float | None = None


Grown = TypeVar("Grown", bound=BaseModel)


def grow(record_type: type[Grown], article: BaseModel, **fields: Any) -> Grown:
    """The next stage's record: the earlier one's fields plus ``fields``, without validating again
    what was validated already (a dump and re-validation would cost more than the stage's own work)."""
    return record_type.model_construct(**{**dict(article), **fields})


def parse_record(raw: Any) -> ArticleRecord:
    """Validate a decoded JSON value as an input record and give it its id."""
    if not isinstance(raw, dict):
        raise InvalidRecord(f"a record must be a JSON object, not {type(raw).__name__}")
    try:
        record = ArticleRecord.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        raise InvalidRecord(f"{where}: {first['msg']}") from exc
    if not (record.text and record.text.strip()) and not (record.html and record.html.strip()):
        raise InvalidRecord("a record needs a non-empty 'text' or 'html'")
    if not record.id:
        record.id = derive_article_id(record.url, record.text or record.html or "")
    return record


def rebuild(record_type: type[Grown], data: Any, validated: Collection[str] = ()) -> Grown:
    """A record that one of our stages made, back from the queue as JSON (its text, or the object
    decoded), without validating it all again (on the text path that cost more than the summarise
    stage's own work).

    Checked: the data is a JSON object holding every required field of ``record_type``; the fields
    named in ``validated`` (those the next stage reads) are validated and converted. Every other
    field stays the plain JSON value it came as, and is dumped again as it came. Raises
    ``InvalidRecord`` when the data is not such a record.
    """
    if isinstance(data, str | bytes):
        try:
            data = from_json(data)
        except ValueError as exc:
            raise InvalidRecord(f"a {record_type.__name__} must be JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidRecord(f"a {record_type.__name__} must be a JSON object, not {type(data).__name__}")
    missing = [name for name in _required_fields(record_type) if name not in data]
    if missing:
        raise InvalidRecord(f"a {record_type.__name__} needs {', '.join(missing)}")
    fields = dict(data)
    for name in {*validated, *_required_fields(record_type)}:
        if name in fields:
            try:
                fields[name] = _field_adapter(record_type, name).validate_python(fields[name])
            except ValidationError as exc:
                raise InvalidRecord(f"{name}: {exc.errors()[0]['msg']}") from exc
    return record_type.model_construct(**fields)


@cache
def _required_fields(record_type: type[BaseModel]) -> tuple[str, ...]:
    return tuple(name for name, field in record_type.model_fields.items() if field.is_required())


@cache
def _field_adapter(record_type: type[BaseModel], name: str) -> TypeAdapter[Any]:
    annotation: Any = record_type.model_fields[name].annotation
    return TypeAdapter(annotation)
