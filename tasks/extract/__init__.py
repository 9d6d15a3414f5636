"""The extract stage: named entities, canonical entities, keyphrases, sentences, dateline place.

``stage.extract_articles`` is the entry point (one ``nlp.pipe`` per batch); the modules beside it
are the helpers only this stage uses: ``mentions`` (spans cleaned of titles and stray marks),
``acronyms`` and ``titles``, ``canonical`` (mentions merged into entities), ``names``,
``keyphrases``, ``sentences``, ``dateline_place``, and ``quotes`` (quotations and their speakers,
with ``quote_marks``, ``speaker_phrases`` and ``speakers``).
"""

from tasks.extract.stage import ExtractOptions, extract_articles

__all__ = ["ExtractOptions", "extract_articles"]
