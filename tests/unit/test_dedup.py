from __future__ import annotations

from tasks.duplicates import (
    BANDS,
    NEAR_THRESHOLD,
    decode_signature,
    fingerprint,
    normalise_words,
    shingles,
    similarity,
)

STORY = (
    "The harbour authority of Gdańsk said on Monday that the new container terminal will open in "
    "March, two months later than planned. Dredging of the approach channel took longer than "
    "expected after divers found an unexploded mine from the Second World War. The terminal will "
    "double the port's capacity and employ about 400 people, the authority's chairwoman said."
)
OTHER = (
    "A late frost destroyed most of the apricot blossom in the Wachau valley this spring, and "
    "growers expect the smallest harvest in thirty years. Some farms have started selling jam made "
    "from last year's fruit to keep their regular customers, the regional farmers' union said."
)


def test_normalise_words_ignores_case_spacing_and_punctuation() -> None:
    assert normalise_words("The  HARBOUR, said: “Gdańsk!”") == ["the", "harbour", "said", "gdańsk"]


def test_fingerprint_exact_key_is_the_same_for_reformatted_copies() -> None:
    reformatted = "  " + STORY.upper().replace(". ", ".\n\n") + "  "
    assert fingerprint(reformatted).exact == fingerprint(STORY).exact
    assert fingerprint(STORY + " Extra.").exact != fingerprint(STORY).exact


def test_similarity_is_high_for_a_small_edit_and_low_for_another_story() -> None:
    edited = STORY.replace("two months later", "ten weeks later").replace("about 400", "some 450")
    original = fingerprint(STORY).signature
    assert similarity(original, fingerprint(edited).signature) >= NEAR_THRESHOLD
    assert similarity(original, fingerprint(OTHER).signature) < 0.2
    assert similarity(original, original) == 1.0


def test_a_small_edit_shares_lsh_bands_and_another_story_does_not() -> None:
    edited = fingerprint(STORY.replace("in March", "in April")).bands()
    bands = fingerprint(STORY).bands()
    assert len(bands) == BANDS
    assert set(bands) & set(edited)
    assert not set(bands) & set(fingerprint(OTHER).bands())


def test_signatures_survive_encoding() -> None:
    signature_of = fingerprint(STORY)
    assert decode_signature(signature_of.encode_signature()) == signature_of.signature


def test_fingerprint_is_deterministic() -> None:
    assert fingerprint(STORY) == fingerprint(STORY)


def test_the_in_memory_index_marks_copies_of_the_first_original_only() -> None:
    from tasks.duplicates import DuplicateIndex

    index = DuplicateIndex()
    edited = STORY.replace("two months later", "ten weeks later").replace("about 400", "some 450")
    assert index.check_and_add("story", STORY) is None
    assert index.check_and_add("other", OTHER) is None
    exact = index.check_and_add("reformatted", STORY.upper())
    assert exact is not None and (exact.kind, exact.original_id, exact.similarity) == ("exact", "story", 1.0)
    near = index.check_and_add("edited", edited)
    assert near is not None and (near.kind, near.original_id) == ("near", "story")
    assert NEAR_THRESHOLD <= near.similarity < 1.0
    # The copy was not remembered: a copy of the copy points at the original too.
    again = index.check_and_add("edited-again", edited + " The port said so.")
    assert again is not None and again.original_id == "story"
    # The same id seen again is not its own duplicate.
    assert index.check_and_add("story", STORY) is None


def test_shingles_are_every_run_of_three_words_and_a_short_text_is_one() -> None:
    words = ["the", "cat", "sat", "on", "the", "mat", "the", "cat", "sat"]
    assert shingles(words) == {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    assert len(shingles(words)) == 6  # "the cat sat" twice
    assert shingles(["a", "b"]) == {"a b"} and shingles([]) == {""}


def test_band_keys_are_the_same_on_every_call_and_differ_by_band() -> None:
    article = fingerprint(STORY)
    assert article.bands() == fingerprint(STORY).bands() == article.bands()
    assert len(article.bands()) == BANDS and len(set(article.bands())) == BANDS
