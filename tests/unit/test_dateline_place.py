from __future__ import annotations

import pytest

from tasks.extract.dateline_place import resolve_dateline_place


@pytest.mark.parametrize(
    ("dateline", "place"),
    [
        ("ISLAMABAD", "Islamabad"),
        ("NEW YORK", "New York"),
        ("ST. LOUIS, Mo.", "St. Louis"),
        ("Paris, France", "Paris"),
        ("U.S.", "United States"),
        (None, None),
        ("", None),
    ],
)
def test_resolve_dateline_place(dateline: str | None, place: str | None) -> None:
    assert resolve_dateline_place(dateline) == place
