"""The clean stage: a raw record (HTML or scraped text) to the article's main text.

``stage.clean_article`` is the entry point; the modules beside it are the helpers only this stage
uses: HTML extraction (``html_extract``, ``readability_text``, ``combine``), text pages
(``text_body``, ``line_features``, ``line_model``, ``boilerplate``), datelines and bylines
(``dateline``), language (``language``) and script-aware word counting (``words``).
"""

from tasks.clean.stage import CleanOptions, clean_article

__all__ = ["CleanOptions", "clean_article"]
