"""The pipeline's Celery tasks: one thin body per stage, naming the stage function it calls.

Each task is like a web view: it decodes its payload (one article or a batch), calls the stage
function from ``worker.stages`` (the pure functions of ``tasks`` bound to settings), and encodes
the result for the next task (each article as its JSON text). Only the clean task validates its
input whole (the door); the later ones rebuild what an earlier stage made
(``tasks.models.rebuild``), validating the fields they read. Retries, poison batches and dead
letters are the base class's work (``worker.delivery.stage_task``); the chain's wire format is
``worker.delivery.chain``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from tasks.models import CleanedArticle, ExtractedArticle, SummarisedArticle, rebuild
from tasks.summarise.stage import READS as SUMMARY_READS
from worker import stages
from worker.app import app
from worker.delivery.chain import Payload, articles_of
from worker.delivery.stage_task import StageTask
from worker.settings import get_settings
from worker.stores.publishing import publish_articles
from worker.stores.redis_client import shared_client


@app.task(name="newsflow.clean", base=StageTask, bind=True, stage="clean")
def clean(self: StageTask, payload: Payload) -> list[str]:
    """Clean input records (``stages.run_clean``)."""
    return self.go_on(self.each(articles_of(payload), partial(stages.run_clean, get_settings())))


@app.task(name="newsflow.extract", base=StageTask, bind=True, stage="extract")
def extract(self: StageTask, payload: Payload) -> list[str]:
    """Extract entities, keyphrases and sentences, one ``nlp.pipe`` per batch (``stages.run_extract``)."""
    run = partial(stages.run_extract, get_settings())
    return self.go_on(self.each_batch(articles_of(payload), run, parse=partial(rebuild, CleanedArticle)))


@app.task(name="newsflow.summarise", base=StageTask, bind=True, stage="summarise")
def summarise(self: StageTask, payload: Payload) -> list[str]:
    """Summarise extracted articles (``stages.run_summarise``)."""
    run = partial(stages.run_summarise, get_settings())
    return self.go_on(
        self.each(
            articles_of(payload), run, parse=partial(rebuild, ExtractedArticle, validated=SUMMARY_READS)
        )
    )


@app.task(name="newsflow.publish", base=StageTask, bind=True, stage="publish")
def publish(self: StageTask, payload: Payload) -> list[dict[str, Any]]:
    """Publish summarised articles to the results stream, once per article id (``publish_articles``)."""
    articles = self.each(articles_of(payload), stages.finalise, parse=partial(rebuild, SummarisedArticle))
    return publish_articles(shared_client(), get_settings(), articles)
