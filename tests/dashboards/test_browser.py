"""The dashboard in a real browser: `assure dashboard` in a subprocess, headless Chromium via selenium.

On the demo store plus hostile data (a vendor whose tool name and outputs carry script, image and
javascript-link injections; a council named with an image injection) this checks that every page
renders without a console error or a server error, that filters and clicks work, that a user can
go from the scorecard to a case and on to ROI without typing a URL, and that hostile text is shown
as text everywhere (no dialog, no injected element, plotly labels literal, the procurement pack
escaped). Screenshots of each page go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from browser_support import (HOSTILE_COUNCIL, HOSTILE_IMG, HOSTILE_SCRIPT, HOSTILE_STRINGS, HOSTILE_TOOL,
                             HOSTILE_VERSION, REPO, SCREENSHOTS, WAIT, Server, Store, running, server_errors, shared_store)

pytestmark = pytest.mark.integration

PAGES = ("scorecard", "compare", "case", "bias", "roi", "value", "trend")
# What must be on each page, once its callbacks have settled, for it to count as rendered with the
# demo data (a comma is "any of": the demo has no bias run, so the bias page may say so instead).
READY = {
    "scorecard": ["#scorecard-chart g.point", "#scorecard-table", "#scorecard-cases"],
    "compare": ["#compare-chart .main-svg, #compare-empty"],
    "case": ["#case-source", "#case-output", "#case-findings"],
    "bias": ["#bias-table, #bias-empty"],
    "roi": ["#roi-table", "#roi-standardised .main-svg"],
    "value": ["#value-chart .main-svg", "#value-table"],
    "trend": ["#trend-chart .main-svg", "#trend-table"],
}

# Counts the dashboard's requests in flight, so a wait can end when its callbacks have settled.
FETCH_TRACKER = """
(() => {
  if (window.__assure) return;
  const state = window.__assure = {inflight: 0, last: performance.now(), failed: []};
  const original = window.fetch.bind(window);
  window.fetch = (...args) => {
    state.inflight++; state.last = performance.now();
    return original(...args).then(r => { if (r.status >= 500) state.failed.push(r.status + ' ' + r.url); return r; })
      .finally(() => { state.inflight--; state.last = performance.now(); });
  };
})();
"""
SETTLED = """
const s = window.__assure;
return !!s && s.inflight === 0 && performance.now() - s.last > 300 && document.title !== 'Updating...';
"""
# Elements that hostile text would have become had it been rendered as HTML or Markdown.
INJECTED = """
const bad = [];
for (const s of document.querySelectorAll('script')) if (s.textContent.includes('alert(1)')) bad.push(s.outerHTML);
for (const e of document.querySelectorAll('*')) {
  for (const name of e.getAttributeNames()) {
    const value = (e.getAttribute(name) || '').trim().toLowerCase();
    if (name.toLowerCase().startsWith('on') || value.startsWith('javascript:')) bad.push(e.outerHTML.slice(0, 300));
  }
}
for (const i of document.querySelectorAll('img[src="x"]')) bad.push(i.outerHTML);
return bad;
"""


# --- fixtures ---------------------------------------------------------------------------------------

# Session scope, not module: under `pytest -n 2` a worker may run other modules' tests between these,
# and a module fixture would then start the server and browser again each time.
@pytest.fixture(scope="session")
def browser_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return shared_store(tmp_path_factory)


@pytest.fixture(scope="session")
def browser_session(browser_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Any]]:
    with running(browser_store, tmp_path_factory.mktemp("browser")) as (server, driver):
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FETCH_TRACKER})
        yield server, driver


@pytest.fixture()
def server(browser_session: tuple[Server, Any]) -> Server:
    return browser_session[0]


@pytest.fixture()
def driver(browser_session: tuple[Server, Any]) -> Iterator[Any]:
    """The browser, with the console and server log checked after each test: no SEVERE entry, no 500."""
    server, driver = browser_session
    dismiss_alert(driver)
    driver.get_log("browser")  # drop what earlier tests left
    server.new_log()
    yield driver
    dismiss_alert(driver)
    severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    errors = server_errors(server.new_log())
    assert not severe, f"browser console errors: {severe}"
    assert not errors, "server errors:\n" + "\n".join(errors)


# --- helpers --------------------------------------------------------------------------------------

def dismiss_alert(driver: Any) -> str | None:
    try:
        alert = driver.switch_to.alert
    except NoAlertPresentException:
        return None
    text = alert.text
    alert.dismiss()
    return text


def assert_no_alert(driver: Any) -> None:
    """No dialog is open (a hostile string that ran as script would have opened one)."""
    with pytest.raises(NoAlertPresentException):
        alert = driver.switch_to.alert
        text = alert.text
        alert.dismiss()
        pytest.fail(f"an alert dialog opened: {text!r}")


def wait_for(driver: Any, condition: Any, message: str, timeout: float = WAIT) -> Any:
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(StaleElementReferenceException,)).until(condition, message)


def wait_rendered(driver: Any, page: str, ready: list[str] | None = None) -> None:
    """Wait until the page's root and its main chart or table are there and its callbacks have settled."""
    needed = [f"#{page}-page", *(READY[page] if ready is None else ready)]

    def done(d: Any) -> bool:
        if d.find_elements(By.ID, "page-error-page"):
            raise AssertionError(f"{page} page could not be shown: {d.find_element(By.ID, 'page-error-page').text}")
        return all(d.find_elements(By.CSS_SELECTOR, s) for s in needed) and d.execute_script(SETTLED)

    wait_for(driver, done, f"{page} page did not render {needed} on {driver.current_url}")
    failed = driver.execute_script("return window.__assure.failed")
    assert not failed, f"requests failed on the {page} page: {failed}"


def open_page(driver: Any, server: Server, path: str, page: str, ready: list[str] | None = None) -> None:
    driver.get(server.url + path)
    wait_rendered(driver, page, ready)


def screenshot(driver: Any, name: str) -> Path:
    """The whole page (not only the window) as test-artifacts/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width, height = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 8000), "scale": 1}})
    path = SCREENSHOTS / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def path_and_query(driver: Any) -> tuple[str, dict[str, list[str]]]:
    url = urlparse(driver.current_url)
    return url.path, parse_qs(url.query)


def svg_texts(driver: Any, selector: str) -> list[str]:
    """The text plotly drew inside `selector` (ticks, legends, titles, annotations), as the user sees it."""
    return driver.execute_script("return Array.from(document.querySelectorAll(arguments[0]))"
                                 ".filter(e => e instanceof SVGElement).map(e => e.textContent)", selector + " text")


def chart_bars(driver: Any, selector: str) -> tuple[tuple[str, ...], int]:
    """A bar chart's x tick labels and number of bars."""
    ticks = tuple(svg_texts(driver, selector + " .xtick"))
    return ticks, len(driver.find_elements(By.CSS_SELECTOR, selector + " g.point"))


def click_first_row(driver: Any, table: str, column: str | None = None) -> None:
    """Click a cell of a DataTable's first data row (a row click is how pages open a case)."""
    cell = f'#{table} td.dash-cell[data-dash-row="0"]' + (f'[data-dash-column="{column}"]' if column else "")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, cell), f"no rows in {table}")
    element = driver.find_element(By.CSS_SELECTOR, cell)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def choose(driver: Any, dropdown: str, option_text: str) -> None:
    """Pick an option of a Dash 4 dropdown by its label, as a user would, and close the menu."""
    option = (f'//*[@role="option"][.//*[normalize-space(text())={xpath_literal(option_text)}] '
              f'or normalize-space(.)={xpath_literal(option_text)}]')

    def selected(d: Any) -> bool:
        found = d.find_elements(By.XPATH, option)
        return bool(found) and found[0].get_attribute("aria-selected") == "true"

    for _ in range(3):  # a click that lands while the menu is still opening (a loaded machine) is tried again
        if not any(e.is_displayed() for e in driver.find_elements(By.XPATH, option)):
            driver.find_element(By.ID, dropdown).click()
        wait_for(driver, lambda d: any(e.is_displayed() for e in d.find_elements(By.XPATH, option)),
                 f"{dropdown} has no option {option_text!r}")
        driver.find_element(By.XPATH, option).click()
        try:
            wait_for(driver, selected, "", timeout=5)
            break
        except TimeoutException:
            continue
    else:
        raise AssertionError(f"could not choose {option_text!r} in {dropdown}")
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_for(driver, lambda d: not any(e.is_displayed() for e in d.find_elements(By.CSS_SELECTOR, '[role="listbox"]')),
             f"the {dropdown} menu did not close")


def xpath_literal(text: str) -> str:
    """`text` as an XPath string literal (it may hold quotes)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in text.split("'")) + ")"


def assert_safe(driver: Any) -> None:
    """Hostile text stayed text: no dialog, and nothing it could have turned into is in the DOM."""
    assert_no_alert(driver)
    injected = driver.execute_script(INJECTED)
    assert not injected, f"hostile text became markup: {injected}"
    assert_no_alert(driver)


def page_text(driver: Any, page: str) -> str:
    return driver.find_element(By.ID, f"{page}-page").get_attribute("innerText")


def url(path: str, **query: str) -> str:
    """A page's path with its query string (golden-set keys hold a '#')."""
    return f"{path}?{urlencode(query)}" if query else path


def case_url(store: Store, run: str, case: str = "sample-001") -> str:
    return url("/case", run=store.runs[run], case=case)


def compare_url(store: Store) -> str:
    """Baseline, vendor A and the hostile vendor on the sample set (three pairs, so the chart has a legend)."""
    runs = ",".join(store.runs[r] for r in ("baseline-sample", "vendor-a", "hostile"))
    return url("/compare", golden=store.goldens["sample"], runs=runs)


# --- every page -------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_the_demo_data(page: str, driver: Any, server: Server, browser_store: Store) -> None:
    path = case_url(browser_store, "vendor-a") if page == "case" else f"/{page}"
    open_page(driver, server, path, page)
    assert driver.find_element(By.ID, f"{page}-page").text.strip()
    screenshot(driver, page)


def test_home_is_the_scorecard(driver: Any, server: Server) -> None:
    open_page(driver, server, "/", "scorecard")


def test_nav_links_reach_every_page_without_reloading(driver: Any, server: Server) -> None:
    open_page(driver, server, "/scorecard", "scorecard")
    driver.execute_script("window.__sameDocument = true")
    for page in (*PAGES[1:], "scorecard"):
        driver.find_element(By.ID, f"nav-{page}").click()
        wait_for(driver, lambda d: d.find_elements(By.ID, f"{page}-page"), f"nav-{page} did not open the {page} page")
        wait_for(driver, lambda d: d.execute_script(SETTLED), f"the {page} page did not settle")
        assert path_and_query(driver)[0] == f"/{page}"
    assert driver.execute_script("return window.__sameDocument === true"), "a nav link reloaded the page"


# --- filters and clicks -------------------------------------------------------------------------

def test_choosing_a_tool_changes_the_scorecard_chart(driver: Any, server: Server, browser_store: Store) -> None:
    open_page(driver, server, url("/scorecard", golden=browser_store.goldens["sample"]), "scorecard")
    ticks, bars = chart_bars(driver, "#scorecard-chart")
    assert "vendor-a-minutes v2.3" in ticks and len(ticks) >= 3, ticks
    choose(driver, "scorecard-tools", "vendor-a-minutes")

    def narrowed(d: Any) -> bool:
        shown = chart_bars(d, "#scorecard-chart")[0]
        return bool(shown) and shown != ticks and all(t.startswith("vendor-a-minutes v") for t in shown)

    wait_for(driver, narrowed, "choosing vendor-a-minutes did not narrow the chart to its versions")
    wait_rendered(driver, "scorecard")
    assert 0 < chart_bars(driver, "#scorecard-chart")[1] < bars
    tools = {cell.text for cell in driver.find_elements(By.CSS_SELECTOR, '#scorecard-table td[data-dash-column="tool"]')}
    assert tools == {"vendor-a-minutes"}


def test_clicking_a_failed_case_opens_it_with_highlights(driver: Any, server: Server, browser_store: Store) -> None:
    open_page(driver, server, url("/scorecard", golden=browser_store.goldens["safeguarding_minutes"]), "scorecard")
    run = driver.find_element(By.CSS_SELECTOR, '#scorecard-cases td[data-dash-row="0"][data-dash-column="run_id"]').text
    case = driver.find_element(By.CSS_SELECTOR, '#scorecard-cases td[data-dash-row="0"][data-dash-column="case_id"]').text
    click_first_row(driver, "scorecard-cases", "case_id")
    wait_for(driver, lambda d: path_and_query(d)[0] == "/case", "clicking a case did not open the Case page")
    assert path_and_query(driver)[1] == {"run": [run], "case": [case]}
    wait_rendered(driver, "case", [*READY["case"], "#case-output mark"])
    marks = driver.find_elements(By.CSS_SELECTOR, "#case-output mark")
    classes = {c for m in marks for c in (m.get_attribute("class") or "").split()}
    assert classes & {"finding-critical", "finding-major", "finding-minor"}, classes
    assert all(m.text.strip() for m in marks)
    screenshot(driver, "case-from-scorecard")


def test_journey_scorecard_compare_case_roi_without_typing_a_url(driver: Any, server: Server) -> None:
    open_page(driver, server, "/scorecard", "scorecard")
    driver.find_element(By.ID, "scorecard-compare").click()
    wait_for(driver, lambda d: path_and_query(d)[0] == "/compare", "the compare link did not open Compare")
    wait_rendered(driver, "compare", ["#compare-chart .main-svg", '#compare-worse td.dash-cell[data-dash-row="0"]'])
    click_first_row(driver, "compare-worse")
    wait_for(driver, lambda d: path_and_query(d)[0] == "/case", "clicking a worse case did not open it")
    path, query = path_and_query(driver)
    assert query.get("run") and query.get("case"), driver.current_url
    wait_rendered(driver, "case")
    driver.find_element(By.ID, "case-roi").click()  # the ROI of the councils using this case's tool
    wait_for(driver, lambda d: path_and_query(d)[0] == "/roi" and path_and_query(d)[1].get("tool"),
             "the case page's ROI link did not open ROI for its tool")
    driver.find_element(By.ID, "nav-roi").click()  # and the whole region's ROI
    wait_for(driver, lambda d: path_and_query(d) == ("/roi", {}), "nav-roi did not open ROI")
    wait_rendered(driver, "roi")
    assert "Council" in driver.find_element(By.ID, "roi-table").text


# --- hostile text ---------------------------------------------------------------------------------

def test_hostile_tool_and_outputs_are_text_on_the_scorecard(driver: Any, server: Server, browser_store: Store) -> None:
    open_page(driver, server, url("/scorecard", golden=browser_store.goldens["sample"]), "scorecard")
    assert_safe(driver)
    assert HOSTILE_TOOL in driver.find_element(By.ID, "scorecard-table").text
    assert f"{HOSTILE_TOOL} v{HOSTILE_VERSION}" in svg_texts(driver, "#scorecard-chart .xtick")
    choose(driver, "scorecard-tools", HOSTILE_TOOL)  # the option label is text too
    wait_for(driver, lambda d: chart_bars(d, "#scorecard-chart")[0] == (f"{HOSTILE_TOOL} v{HOSTILE_VERSION}",),
             "choosing the hostile tool did not narrow the chart to it")
    wait_rendered(driver, "scorecard")
    assert_safe(driver)
    screenshot(driver, "hostile-scorecard")


def test_hostile_outputs_are_text_on_the_case_page(driver: Any, server: Server, browser_store: Store) -> None:
    open_page(driver, server, case_url(browser_store, "hostile"), "case")
    assert_safe(driver)
    output = driver.find_element(By.ID, "case-output").get_attribute("innerText")
    for text in HOSTILE_STRINGS:
        assert text in output
    assert HOSTILE_TOOL in page_text(driver, "case")
    screenshot(driver, "hostile-case")


def test_hostile_tool_is_text_on_the_compare_page(driver: Any, server: Server, browser_store: Store) -> None:
    open_page(driver, server, compare_url(browser_store), "compare",
              ["#compare-chart .main-svg", "#compare-worse"])
    assert_safe(driver)
    assert HOSTILE_TOOL in page_text(driver, "compare")
    assert any(HOSTILE_TOOL in t for t in svg_texts(driver, "#compare-chart")), svg_texts(driver, "#compare-chart")
    screenshot(driver, "hostile-compare")


def test_hostile_council_is_text_on_the_roi_page(driver: Any, server: Server) -> None:
    open_page(driver, server, "/roi", "roi")
    assert_safe(driver)
    assert HOSTILE_COUNCIL in driver.find_element(By.ID, "roi-table").text
    assert any(HOSTILE_COUNCIL in t for t in svg_texts(driver, "#roi-page")), "the council is not in any chart label"
    screenshot(driver, "hostile-roi")


@pytest.mark.parametrize("page", ["bias", "value", "trend"])
def test_hostile_data_stays_text_on_the_other_pages(page: str, driver: Any, server: Server, browser_store: Store) -> None:
    path = url("/bias", run=browser_store.runs["hostile"]) if page == "bias" else f"/{page}"
    open_page(driver, server, path, page)
    assert_safe(driver)


def _assert_pack_escaped(html: str) -> None:
    for raw in (HOSTILE_SCRIPT, HOSTILE_IMG, 'href="javascript:', "href='javascript:"):
        assert raw not in html, f"procurement pack contains raw {raw!r}"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;vendor" in html


def _open_pack(driver: Any, pack: Path) -> None:
    """The pack opened in the browser shows the hostile text and runs none of it."""
    driver.get(pack.resolve().as_uri())
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete", "the pack did not load")
    assert_safe(driver)
    assert HOSTILE_TOOL in driver.find_element(By.TAG_NAME, "body").get_attribute("innerText")


def test_procurement_pack_from_the_cli_escapes_hostile_text(driver: Any, browser_store: Store, tmp_path: Path) -> None:
    pack = tmp_path / "pack.html"
    exe = Path(sys.executable).parent / "assure"
    result = subprocess.run([str(exe), "compare", browser_store.runs["vendor-a"], browser_store.runs["hostile"],
                             "--html", str(pack), "--tracking-uri", browser_store.uri], cwd=REPO, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "ASSURE_HOME": str(browser_store.home)})
    assert result.returncode == 0, result.stderr
    _assert_pack_escaped(pack.read_text(encoding="utf-8"))
    _open_pack(driver, pack)


def test_procurement_pack_from_the_compare_button_escapes_hostile_text(driver: Any, server: Server,
                                                                       browser_store: Store) -> None:
    folder = server.log_path.parent / "downloads"  # where `running` points the browser's downloads
    before = set(folder.glob("*.html"))
    open_page(driver, server, compare_url(browser_store), "compare",
              ["#compare-chart .main-svg", "#compare-pack"])
    driver.find_element(By.ID, "compare-pack").click()

    def downloaded(_: Any) -> Path | None:
        new = [p for p in set(folder.glob("*.html")) - before if not p.with_name(p.name + ".crdownload").exists()]
        return new[0] if new and new[0].stat().st_size > 0 else None

    pack = wait_for(driver, downloaded, "the compare page's pack button downloaded no HTML file")
    _assert_pack_escaped(pack.read_text(encoding="utf-8"))
    _open_pack(driver, pack)
