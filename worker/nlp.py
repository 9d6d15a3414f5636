"""The spaCy pipelines, loaded once per process with only the components extraction needs."""

from __future__ import annotations

import gc
import logging
import threading
from typing import Any

from tasks.errors import PermanentError
from worker.settings import Settings

log = logging.getLogger(__name__)

# Entities and sentence boundaries are all the extract stage needs: in the small English model
# `ner` has its own token-to-vector layer, so the shared tok2vec, tagger, parser and lemmatizer
# can go, which doubles speed with the same entities (see STACK.md).
UNUSED_COMPONENTS = (
    "tok2vec",
    "tagger",
    "parser",
    "attribute_ruler",
    "lemmatizer",
    "morphologizer",
)

_pipelines: dict[str, Any] = {}
_lock = threading.Lock()


class ModelNotInstalled(PermanentError):
    """The configured spaCy model is not installed in this environment."""


def load_pipeline(model_name: str) -> Any:
    """Load a spaCy model with only `ner` and sentence boundaries enabled (cached per process)."""
    with _lock:
        if model_name in _pipelines:
            return _pipelines[model_name]
        import spacy  # imported here: producers and the CLI should not pay for it

        try:
            nlp = spacy.load(model_name, exclude=list(UNUSED_COMPONENTS))
        except OSError as exc:
            raise ModelNotInstalled(
                f"spaCy model {model_name!r} is not installed; "
                "install its package or set NEWSFLOW_SPACY_MODEL"
            ) from exc
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        elif not nlp.has_pipe("senter") and not nlp.has_pipe("parser"):
            nlp.add_pipe("sentencizer", first=True)
        log.info(
            "model=%s version=%s pipes=%s loaded",
            model_name,
            nlp.meta.get("version"),
            ",".join(nlp.pipe_names),
        )
        _pipelines[model_name] = nlp
        # The model's objects live as long as the process: keep them out of every garbage
        # collection from now on (collections then scan only what articles allocate).
        gc.freeze()
        return nlp


def pipeline_for(settings: Settings, language: str | None) -> Any | None:
    """The pipeline for a language, or None when no model is configured for it."""
    model_name = settings.language_models().get((language or "en").split("-")[0].lower())
    return load_pipeline(model_name) if model_name else None


def model_info(settings: Settings) -> dict[str, str]:
    """Name and version of the English model, for the worker-info metric and status."""
    nlp = load_pipeline(settings.spacy_model)
    return {"model": settings.spacy_model, "model_version": str(nlp.meta.get("version", ""))}
