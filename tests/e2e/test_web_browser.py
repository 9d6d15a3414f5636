"""``newsflow web`` in a real browser (headless Chromium through Selenium), beside a private
Redis and a real worker: articles appear in an open page as they are published, highlights sit
on the output's offsets, filters narrow the list, hostile article content stays text, and replay
is refused without the token and works with it.

Screenshots of the list and of an article go to the test's temporary folder (the path is
printed); with ``NEWSFLOW_WRITE_DOCS_IMAGES=1`` they are also written to docs/images/ for the
README (the list then holds only the project's own sample articles).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.conftest import REPO, SAMPLES, RunningWorker, WebServer, dedicated_worker, run_cli, web_server
from worker.cli.local_redis import LocalRedis
from worker.settings import Settings
from worker.stores.stream import dead_letter

pytestmark = pytest.mark.e2e

TOKEN = "browser-test-token-0123456789"
DEADLINE = 90  # seconds: the worker's first articles wait for its model and its first trafilatura call
HOSTILE_TITLE = "<img src=x onerror=\"document.body.dataset.pwned='title'\"><script>alert('title')</script>"
HOSTILE_TEXT = (
    "The council met on Monday to discuss the harbour. <script>document.body.dataset.pwned='text'</script> "
    "Its members agreed <img src=x onerror=alert('text')> that the bridge needs repairs before winter, "
    "and a vote is planned for the spring."
)
DOCS_IMAGES = REPO / "docs" / "images"
# Read at import: the tests' own environment is cleaned of NEWSFLOW_* variables.
WRITE_DOCS_IMAGES = os.environ.get("NEWSFLOW_WRITE_DOCS_IMAGES") == "1"


@pytest.fixture(scope="module")
def browser_worker(
    redis_server: LocalRedis, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningWorker]:
    """A one-process worker with its own key prefix: the page shows this module's articles only."""
    with dedicated_worker(redis_server.url, tmp_path_factory.mktemp("web-worker"), concurrency=1) as running:
        yield running


@pytest.fixture(scope="module")
def web(browser_worker: RunningWorker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    with web_server(browser_worker.env, tmp_path_factory.mktemp("web"), web_token=TOKEN) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                     "--disable-dev-shm-usage", "--no-proxy-server"):  # fmt: skip
        options.add_argument(argument)
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("needs Debian's chromium and chromium-driver: run scripts/system-deps.sh as root")
    options.binary_location = chromium
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-screenshots")
    print(f"\nweb screenshots: {path}")
    return path


def results(worker: RunningWorker) -> dict[str, dict[str, Any]]:
    """The published articles of this worker's prefix, by title (or id when untitled)."""
    settings = Settings(
        redis_url=worker.env["NEWSFLOW_REDIS_URL"], key_prefix=worker.env["NEWSFLOW_KEY_PREFIX"]
    )
    rows = worker.client.xrange(settings.results_stream)
    articles = [json.loads(fields["data"]) for _, fields in rows]  # type: ignore[union-attr]
    return {a.get("title") or a["id"]: a for a in articles}


def wait(driver: WebDriver, condition: Any, what: str) -> Any:
    """Poll the page until ``condition(driver)`` is true, failing with ``what`` after the deadline."""
    return WebDriverWait(driver, DEADLINE, poll_frequency=0.1).until(condition, f"waiting for {what}")


def cards(driver: WebDriver, visible_only: bool = True) -> list[str]:
    """The article ids of the cards in the list, top first."""
    script = (
        "return [...document.querySelectorAll('#articles li.card')]"
        + (".filter(c => !c.hidden)" if visible_only else "")
        + ".map(c => c.dataset.articleId)"
    )
    return list(driver.execute_script(script))


def no_alert(driver: WebDriver) -> bool:
    try:
        driver.switch_to.alert  # noqa: B018  (raises when there is none)
    except NoAlertPresentException:
        return True
    return False


@pytest.fixture(scope="module")
def samples(web: WebServer, browser: WebDriver, browser_worker: RunningWorker) -> dict[str, dict[str, Any]]:
    """The sample articles, enqueued while the list page is open, once they are in the page."""
    browser.get(web.url)
    wait(
        browser, lambda d: d.execute_script("return document.body.dataset.ready === '1'"), "the event stream"
    )
    browser.execute_script("window.newsflowMarker = 'not reloaded'")
    assert cards(browser, visible_only=False) == []
    queued = run_cli(browser_worker.env, "enqueue", str(SAMPLES))
    assert queued.returncode == 0, queued.stderr
    published: dict[str, dict[str, Any]] = {}

    def all_in_page(driver: WebDriver) -> bool:
        published.update(results(browser_worker))
        return len(published) == 6 and set(cards(driver)) == {a["id"] for a in published.values()}

    wait(browser, all_in_page, "the six sample articles in the open page")
    return published


def test_articles_appear_live_newest_first_without_reload(
    samples: dict[str, dict[str, Any]], browser: WebDriver, artifacts: Path
) -> None:
    assert browser.execute_script("return window.newsflowMarker") == "not reloaded"
    newest_first = [a["id"] for a in sorted(samples.values(), key=lambda a: a["published_at"], reverse=True)]
    assert cards(browser)[0] in newest_first[:2]  # published in one batch: the same instant, either order
    harbour = samples["Harbour bridge to close for six weeks of repairs"]
    card = browser.find_element(By.CSS_SELECTOR, f'li.card[data-article-id="{harbour["id"]}"]')
    assert card.find_element(By.CSS_SELECTOR, '[data-field="dateline"]').text == harbour["dateline"]
    assert card.find_element(By.CSS_SELECTOR, '[data-field="summary"]').text == harbour["summary"][:600]
    chips = [c.text for c in card.find_elements(By.CSS_SELECTOR, "button.chip")]
    assert chips == [e["name"] for e in harbour["canonical_entities"][: len(chips)]] and chips
    wait(browser, lambda d: d.find_element(By.ID, "strip-published").text == "6", "the strip's count")
    browser.save_screenshot(str(artifacts / "web-list.png"))
    if WRITE_DOCS_IMAGES:
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(DOCS_IMAGES / "web-list.png"))


def test_article_view_highlights_sit_on_the_output_offsets(
    samples: dict[str, dict[str, Any]], web: WebServer, browser: WebDriver, artifacts: Path
) -> None:
    article = samples["Harbour bridge to close for six weeks of repairs"]
    browser.get(f"{web.url}/article/{article['id']}")
    text = article["text"]
    assert browser.execute_script("return document.getElementById('text').textContent") == text
    for kind, spans in (("entity", article["entities"]), ("summary", article["summary_sentences"])):
        marked = browser.execute_script(
            "const runs = {};"
            f"for (const el of document.querySelectorAll('#text [data-{kind}]'))"
            f"  runs[el.dataset.{kind}] = (runs[el.dataset.{kind}] || '') + el.textContent;"
            "return runs;"
        )
        assert spans and marked == {str(i): text[s["start"] : s["end"]] for i, s in enumerate(spans)}
    labels = browser.execute_script(
        "return [...document.querySelectorAll('#text .ent')].map(e => [e.dataset.entity, e.className])"
    )
    assert all(f"ent-{article['entities'][int(i)]['label']}" in classes.split() for i, classes in labels)
    browser.save_screenshot(str(artifacts / "web-article.png"))
    if WRITE_DOCS_IMAGES:
        browser.save_screenshot(str(DOCS_IMAGES / "web-article.png"))


def test_filters_and_search_narrow_the_list(
    samples: dict[str, dict[str, Any]], web: WebServer, browser: WebDriver, browser_worker: RunningWorker,
    tmp_path: Path,
) -> None:  # fmt: skip
    ids = {title: a["id"] for title, a in samples.items()}
    danube = ids["Volunteers pull two tonnes of plastic from the Danube"]
    copy = dict(
        json.loads((SAMPLES / "more-articles.jsonl").read_text().splitlines()[0]), id="solar-copy", url=None
    )
    (tmp_path / "copy.jsonl").write_text(json.dumps(copy) + "\n")
    assert run_cli(browser_worker.env, "enqueue", str(tmp_path / "copy.jsonl")).returncode == 0
    browser.get(web.url)
    wait(browser, lambda d: "solar-copy" in cards(d), "the duplicate in the list")
    badge = browser.find_element(By.CSS_SELECTOR, 'li.card[data-article-id="solar-copy"] a.dup')
    original = ids["Council approves largest solar farm in the region"]
    assert badge.is_displayed() and badge.get_attribute("href").endswith(f"/article/{original}")
    everything = set(cards(browser))
    assert len(everything) == 7

    browser.find_element(By.ID, "f-duplicates").click()
    assert set(cards(browser)) == everything - {"solar-copy"}
    browser.find_element(By.ID, "f-duplicates").click()

    browser.find_element(By.ID, "f-search").send_keys("danube")
    assert cards(browser) == [danube]
    browser.find_element(By.ID, "f-clear").click()
    wait(browser, lambda d: set(cards(d)) == everything, "the whole list after clear")

    Select(browser.find_element(By.ID, "f-source")).select_by_visible_text("Example Sports Daily")
    assert cards(browser) == [ids["Teenager wins chess title in Valletta"]]
    browser.find_element(By.ID, "f-clear").click()
    wait(browser, lambda d: set(cards(d)) == everything, "the whole list after clear")

    browser.find_element(By.CSS_SELECTOR, f'li.card[data-article-id="{danube}"] button.chip').click()
    chosen = browser.find_element(By.ID, "f-entity").get_attribute("value")
    named = {a["id"] for a in samples.values() if chosen in {e["name"] for e in a["canonical_entities"]}}
    assert set(cards(browser)) == named and danube in named and len(named) < len(everything)
    assert "entity=" in browser.current_url  # a filtered view is a link that can be shared
    Select(browser.find_element(By.ID, "f-label")).select_by_visible_text("ORG")
    orgs = {a["id"] for a in samples.values()
            if any(e["name"] == chosen and e["label"] == "ORG" for e in a["canonical_entities"])}  # fmt: skip
    assert set(cards(browser)) == orgs


def test_hostile_article_shows_its_payload_as_text_and_runs_nothing(
    web: WebServer, browser: WebDriver, browser_worker: RunningWorker, tmp_path: Path,
    samples: dict[str, dict[str, Any]],
) -> None:  # fmt: skip
    record = {"id": "hostile-1", "title": HOSTILE_TITLE, "url": "javascript:alert('url')",
              "text": HOSTILE_TEXT, "source": "<b onmouseover=alert('source')>Evil</b>"}  # fmt: skip
    (tmp_path / "hostile.jsonl").write_text(json.dumps(record) + "\n")
    browser.get(web.url)
    wait(
        browser, lambda d: d.execute_script("return document.body.dataset.ready === '1'"), "the event stream"
    )
    assert run_cli(browser_worker.env, "enqueue", str(tmp_path / "hostile.jsonl")).returncode == 0
    wait(browser, lambda d: "hostile-1" in cards(d), "the hostile article in the list")
    card = browser.find_element(By.CSS_SELECTOR, 'li.card[data-article-id="hostile-1"]')
    assert card.find_element(By.CSS_SELECTOR, "a.title").get_attribute("textContent") == HOSTILE_TITLE
    assert card.find_element(By.CSS_SELECTOR, '[data-field="source"]').text == record["source"]
    assert card.find_element(By.CSS_SELECTOR, '[data-field="url"]').get_attribute("href") is None
    injected = "return document.querySelectorAll('#articles img, #articles script, #articles b').length"
    assert browser.execute_script(injected) == 0
    assert no_alert(browser) and browser.execute_script("return document.body.dataset.pwned") is None

    card.find_element(By.CSS_SELECTOR, "a.title").click()
    wait(browser, lambda d: d.find_elements(By.ID, "article-title"), "the article view")
    assert browser.find_element(By.ID, "article-title").get_attribute("textContent") == HOSTILE_TITLE
    shown = browser.execute_script("return document.getElementById('text').textContent")
    assert "<script>document.body.dataset.pwned='text'</script>" in shown
    assert (
        browser.execute_script("return document.querySelectorAll('main img, main script, main b').length")
        == 0
    )
    assert browser.execute_script("return document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
    assert no_alert(browser) and browser.execute_script("return document.body.dataset.pwned") is None


def test_replay_is_refused_without_the_token_and_works_with_it(
    web: WebServer, browser: WebDriver, browser_worker: RunningWorker, samples: dict[str, dict[str, Any]]
) -> None:
    env = browser_worker.env
    settings = Settings(redis_url=env["NEWSFLOW_REDIS_URL"], key_prefix=env["NEWSFLOW_KEY_PREFIX"])
    record = {"id": "came-back", "title": "An article that failed once",
              "text": "The ferry company said on Friday that its new timetable starts in May, with more "
                      "sailings between the islands and the mainland during the summer months."}  # fmt: skip
    browser.get(f"{web.url}/dead")
    wait(browser, lambda d: d.find_element(By.ID, "strip-conn").text == "live", "the event stream")
    entry = dead_letter(browser_worker.client, settings, article_id="came-back", stage="clean",
                        error="TransientError: the test stands in for a failure", payload=record,
                        attempts=6)  # fmt: skip
    row = wait(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, f'tr[data-entry="{entry}"]'), "the letter"
    )[0]

    row.find_element(By.CSS_SELECTOR, "button.replay").click()  # no token typed
    outcome = row.find_element(By.CSS_SELECTOR, ".outcome")
    wait(browser, lambda d: outcome.text.startswith("refused (403)"), "the refusal")
    assert httpx.post(f"{web.url}/dead/{entry}/replay").status_code == 403
    assert browser_worker.client.xlen(settings.dead_letter_stream) >= 1

    browser.find_element(By.ID, "token").send_keys(TOKEN)
    row.find_element(By.CSS_SELECTOR, "button.replay").click()
    wait(browser, lambda d: outcome.text == "replayed", "the replay")
    browser.get(web.url)
    wait(browser, lambda d: "came-back" in cards(d), "the replayed article published and listed")
