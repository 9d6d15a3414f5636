"""The summarise stage: an extractive summary chosen from the article's own sentences.

``stage.summarise_article`` is the entry point; ``sentence_filters`` (which sentences may stand
in a summary) and ``caption_seams`` (sentence ends the splitter missed) are its helpers.
"""

from tasks.summarise.stage import SummaryOptions, summarise_article

__all__ = ["SummaryOptions", "summarise_article"]
