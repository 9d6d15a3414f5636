"""The extract stage: named entities, canonical entities, keyphrases, sentences, dateline place.

``stage.extract_articles`` is the entry point (one ``nlp.pipe`` per batch); the modules beside it
are the helpers only this stage uses: ``mentions`` (spans cleaned of titles and stray marks),
``acronyms`` and ``titles``, ``canonical`` (mentions merged into entities), ``names``,
``keyphrases``, ``sentences``, ``dateline_place``, and ``quotes`` (quotations and their speakers,
with ``speaker_phrases``, ``speakers``, ``genders`` and ``unspoken``; the quote marks are paired
by ``tasks.quote_marks``, which the clean stage shares).
"""

from tasks.extract.stage import ExtractOptions, extract_articles

__all__ = ["ExtractOptions", "extract_articles"]
