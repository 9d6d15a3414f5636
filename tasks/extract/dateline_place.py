"""The place of a dateline ("ISLAMABAD", "ST. LOUIS, Mo.") as a place name ("Islamabad", "St. Louis")."""

from __future__ import annotations

from tasks.extract.names import ALIASES


def resolve_dateline_place(dateline: str | None) -> str | None:
    """The dateline's place in the case a name is written in, or None without a dateline."""
    if not dateline:
        return None
    place = dateline.split(",")[0].strip(" .–—-")
    if not place:
        return None
    alias = ALIASES.get(place.casefold())
    if alias:
        return alias
    return place.title() if place.isupper() else place
