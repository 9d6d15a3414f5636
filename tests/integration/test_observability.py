"""Observability against real services: Prometheus scraping a real worker, health checks, and the
deployment files checked with their own tools (promtool, docker compose, kubernetes-validate)."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, SAMPLES, dedicated_worker, wait_until
from worker.app import create_app
from worker.cli.local_redis import LocalRedis, free_port
from worker.delivery.chain import pipeline_chain
from worker.producers.producer import enqueue_items
from worker.settings import Settings
from worker.sources.files import SourceItem, iter_source
from worker.stages import now_iso

pytestmark = pytest.mark.integration
DEPLOY = REPO / "deploy"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "newsflow.json"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed (`.ci/run` and `make test` install it with apt-get)")
    return path


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def http_status(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def dashboard_queries() -> list[tuple[str, str]]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [(panel["title"], target["expr"]) for panel in dashboard["panels"] for target in panel["targets"]]


def test_promtool_checks_the_config_and_the_alert_rules_and_their_tests() -> None:
    promtool = tool("promtool")
    for args in (
        ["check", "config", "prometheus.yml"],
        ["check", "rules", "alerts.yml"],
        ["test", "rules", "alerts_test.yml"],
    ):
        run = subprocess.run(
            [promtool, *args], cwd=DEPLOY / "prometheus", capture_output=True, text=True, check=False
        )
        assert run.returncode == 0, run.stdout + run.stderr


def test_the_compose_file_validates() -> None:
    compose = shutil.which("docker-compose")
    command = [compose] if compose else [tool("docker"), "compose"]
    run = subprocess.run([*command, "config", "-q"], cwd=REPO, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    config = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = config["services"]
    assert {"redis", "worker", "web", "prometheus", "grafana", "flower", "producer"} <= set(services)
    assert "--appendonly yes" in " ".join(services["redis"]["command"])
    assert "container_name" not in services["worker"] and "ports" not in services["worker"]  # scalable
    assert services["flower"]["profiles"] == ["flower"] and services["producer"]["profiles"] == ["producer"]
    # The results page is published on the host's loopback only.
    assert services["web"]["ports"] == ["127.0.0.1:8088:8088"] and services["web"]["command"][0] == "web"


def test_the_kubernetes_manifests_validate() -> None:
    import kubernetes_validate

    documents = [
        (path, doc)
        for path in sorted((DEPLOY / "kubernetes").glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc and doc.get("kind") != "Kustomization"
    ]
    custom = {"ScaledObject", "TriggerAuthentication", "ServiceMonitor"}
    for _path, doc in documents:
        if doc["kind"] not in custom:
            kubernetes_validate.validate(doc, "1.30.0", strict=True)
    by_kind = {doc["kind"]: doc for _, doc in documents}
    deployments = {d["metadata"]["name"]: d for _, d in documents if d["kind"] == "Deployment"}
    worker = deployments["newsflow-worker"]
    container = worker["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["resources"]["requests"] and container["resources"]["limits"]
    scaled = by_kind["ScaledObject"]
    assert scaled["spec"]["scaleTargetRef"]["name"] == worker["metadata"]["name"]
    trigger = scaled["spec"]["triggers"][0]
    assert trigger["type"] == "redis" and trigger["metadata"]["listName"] == Settings().queue("clean")
    web = deployments["newsflow-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["args"][0] == "web" and web["readinessProbe"]["httpGet"]["path"] == "/healthz"
    services = {d["metadata"]["name"]: d for _, d in documents if d["kind"] == "Service"}
    assert services["newsflow-web"]["spec"]["type"] == "ClusterIP"
    kustomized = yaml.safe_load((DEPLOY / "kubernetes" / "kustomization.yaml").read_text())["resources"]
    assert {path.name for path, _ in documents} - {"secret.example.yaml"} <= set(kustomized)
    monitor = by_kind["ServiceMonitor"]
    assert monitor["spec"]["endpoints"][0]["port"] == "metrics"


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real Prometheus on a free port; the test writes its scrape target into the returned file."""
    binary = tool("prometheus")
    port = free_port()
    targets = tmp_path / "targets.json"
    targets.write_text("[]")
    shutil.copy(DEPLOY / "prometheus" / "alerts.yml", tmp_path / "alerts.yml")
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": ["alerts.yml"],
        "scrape_configs": [
            {
                "job_name": "newsflow-worker",
                "file_sd_configs": [{"files": [str(targets)], "refresh_interval": "1s"}],
            }
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    argv = [
        binary, f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]  # fmt: skip
    with (tmp_path / "prometheus.log").open("wb") as log:
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"{base}/-/ready", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        wait_until(ready, 60, "Prometheus to be ready", interval=0.2)
        yield base, targets
    finally:
        process.terminate()
        process.wait(30)


def query(base: str, expr: str) -> list[dict[str, Any]]:
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    body = get_json(url)
    assert body["status"] == "success", body
    return list(body["data"]["result"])


def test_every_dashboard_query_returns_data_and_counts_add_up_across_recycled_children(
    redis_server: LocalRedis, tmp_path: Path, prometheus: tuple[str, Path]
) -> None:
    base, targets = prometheus
    port = free_port()
    with dedicated_worker(redis_server.url, tmp_path, concurrency=2, metrics_port=str(port)) as worker:
        targets.write_text(json.dumps([{"targets": [f"127.0.0.1:{port}"]}]))
        wait_until(
            lambda: query(base, 'up{job="newsflow-worker"} == 1'), 60, "the first scrape", interval=0.5
        )
        settings = Settings(redis_url=redis_server.url, key_prefix=worker.env["NEWSFLOW_KEY_PREFIX"])  # type: ignore[arg-type]
        app = create_app(settings)
        run = secrets.token_hex(3)
        records = [
            {**item.record, "id": f"obs-{run}-{i}"} for i, item in enumerate(iter_source(str(SAMPLES), 10**6))
        ]
        report = enqueue_items(
            [SourceItem(str(i), r) for i, r in enumerate(records)], settings, worker.client, app
        )
        again = {**records[0], "enqueued_at": now_iso()}
        pipeline_chain(again, app).apply_async()  # the same id again: counted as a duplicate
        pipeline_chain({"id": f"obs-{run}-bad", "title": "no body"}, app).apply_async()  # dead-lettered
        published = report.queued

        def all_done() -> bool:
            return (
                worker.client.xlen(settings.results_stream) == published
                and worker.client.xlen(settings.dead_letter_stream) >= 1
                and all(
                    worker.client.llen(settings.queue(s)) == 0
                    for s in ("clean", "extract", "summarise", "publish")
                )
            )

        wait_until(all_done, 120, "every article published")
        wait_until(
            lambda: _value(base, "sum(newsflow_articles_published_total)") == published,
            60,
            "the totals scraped",
            interval=0.5,
        )
        # Rates need two samples after the last change: wait for three more scrapes.
        scrapes = 'count_over_time(up{job="newsflow-worker"}[10m])'
        seen = _value(base, scrapes) or 0.0
        wait_until(lambda: (_value(base, scrapes) or 0.0) >= seen + 3, 30, "three more scrapes", interval=0.5)

        empty = [
            (title, expr)
            for title, expr in dashboard_queries()
            if not query(base, expr.replace("$__rate_interval", "1m"))
        ]
        assert empty == [], f"dashboard panels with no data: {empty}"
        assert _value(base, 'sum(newsflow_stage_articles_total{stage="publish", outcome="ok"})') == published
        assert (
            _value(base, 'sum(newsflow_stage_articles_total{stage="clean", outcome="ok"})') == published + 1
        )
        assert _value(base, 'sum(newsflow_duplicates_total{kind="id"})') == 1
        assert _value(base, "sum(newsflow_dead_letters_total)") == 1
        assert _value(base, "sum(newsflow_end_to_end_latency_seconds_count)") == published


def _value(base: str, expr: str) -> float | None:
    result = query(base, expr)
    return float(result[0]["value"][1]) if result else None


def test_counters_add_up_exactly_after_pool_processes_are_recycled(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    port = free_port()
    recycle = ("--max-tasks-per-child", "2")  # each pool process is replaced after two tasks
    with dedicated_worker(redis_server.url, tmp_path, 2, recycle, metrics_port=str(port)) as worker:
        settings = Settings(redis_url=redis_server.url, key_prefix=worker.env["NEWSFLOW_KEY_PREFIX"])  # type: ignore[arg-type]
        text = (
            "PARIS – The city council of Paris voted on Monday to extend the tram line to the airport, "
            "the mayor said. Work starts next spring."
        )
        records = [{"id": f"rc-{i}-{secrets.token_hex(3)}", "text": f"{text} Story {i}."} for i in range(12)]
        enqueue_items(
            [SourceItem(str(i), r) for i, r in enumerate(records)],
            settings,
            worker.client,
            create_app(settings),
        )
        wait_until(
            lambda: worker.client.xlen(settings.results_stream) == len(records),
            180,
            "every article published",
        )

        def scraped(name: str) -> float:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
                found = re.search(rf"^{re.escape(name)} (\S+)$", response.read().decode(), re.MULTILINE)
            return float(found.group(1)) if found else -1.0

        wait_until(
            lambda: scraped("newsflow_articles_published_total") == len(records), 30, "the published total"
        )
        for stage in ("clean", "extract", "summarise", "publish"):
            assert scraped(f'newsflow_stage_articles_total{{outcome="ok",stage="{stage}"}}') == len(
                records
            ), stage
        # A process replaced after its second task may still be starting (its model loading): the
        # pool is back to two once it has.
        wait_until(
            lambda: scraped("newsflow_worker_pool_processes") == 2, 60, "the pool back to two processes"
        )


def test_healthz_checks_redis_and_livez_does_not(tmp_path: Path) -> None:
    server = LocalRedis().start()
    port = free_port()
    try:
        with dedicated_worker(server.url, tmp_path, concurrency=1, metrics_port=str(port)):
            status, body = http_status(f"http://127.0.0.1:{port}/healthz")
            assert status == 200 and body["redis"] == "ok" and body["pool_processes"] == 1
            server.stop()
            wait_until(
                lambda: http_status(f"http://127.0.0.1:{port}/healthz")[0] == 503, 30, "/healthz to fail"
            )
            assert http_status(f"http://127.0.0.1:{port}/livez")[0] == 200
            server.start()
            wait_until(
                lambda: http_status(f"http://127.0.0.1:{port}/healthz")[0] == 200, 90, "/healthz to recover"
            )
    finally:
        server.cleanup()
