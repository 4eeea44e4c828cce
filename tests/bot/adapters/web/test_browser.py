"""The page in a real headless Chromium: type, attach a photo, see the reply, box and bars.

Uses Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them when missing);
Selenium is pointed at both so it never tries to download a browser or a driver. The browser
may only resolve 127.0.0.1: the page must work offline. Set ``ATTUNE_WEB_SCREENSHOT=PATH``
to also save the screenshot there (that is how docs/web_demo.png is made).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.adapters.web.conftest import Demo, grace_hopper_path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting'"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WAIT_S = 90

if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
    pytest.skip(
        "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; "
        ".ci/run does it)",
        allow_module_level=True,
    )
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (the web extra) missing")

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    os.environ.setdefault("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1250",
        # A synthetic camera (a moving test pattern) that the page may use without asking.
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        # Offline: any name but localhost fails to resolve, so a stray fetch cannot leave.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def _text(driver: WebDriver, css: str) -> str:
    return " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, css))


def test_type_attach_a_photo_and_see_reply_box_and_bars(
    demo: Demo, browser: WebDriver, tmp_path: Path
) -> None:
    assert demo.reads_photos, demo.no_photo_reason  # the committed model must load
    wait = WebDriverWait(browser, WAIT_S)
    browser.get(demo.url)
    wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#intro")))
    assert "runs on this computer" in _text(browser, "#intro")

    browser.find_element(By.CSS_SELECTOR, "#name input, #name textarea").send_keys("Grace")
    browser.find_element(By.CSS_SELECTOR, "#message textarea").send_keys(
        "First day at the new lab, a bit nervous but excited!"
    )
    browser.find_element(By.CSS_SELECTOR, "#photo input[type=file]").send_keys(
        str(grace_hopper_path())
    )
    wait.until(lambda d: "grace_hopper" in _text(d, "#photo"))  # the upload finished
    browser.find_element(By.CSS_SELECTOR, "#send").click()

    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#photo-boxes figure img")))
    figure = browser.find_element(By.CSS_SELECTOR, "#photo-boxes figure")
    assert figure.get_attribute("data-faces") == "1"
    wait.until(lambda d: "%" in _text(d, "#face"))
    conversation = _text(browser, "#conversation")
    assert "First day at the new lab" in conversation
    assert len(conversation) > len("First day at the new lab, a bit nervous but excited!") + 20
    for chart in ("#fused", "#words", "#face"):
        shown = _text(browser, chart)
        assert "%" in shown and any(label in shown for label in ("happy", "neutral")), shown
    assert "1 face found" in _text(browser, "#verdict")

    shot = tmp_path / "web_demo.png"
    # The whole page in one picture: grow the window to the page's height first.
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, min(2400, int(height) + 120))
    browser.execute_script("window.scrollTo(0, 0)")
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    target = os.environ.get("ATTUNE_WEB_SCREENSHOT")
    if target:
        shutil.copyfile(shot, target)
    entry = demo.entries("Grace")[0]
    assert entry.face_count == 1 and entry.text.startswith("First day")


def test_choice_buttons_and_the_mood_tab(demo: Demo, browser: WebDriver) -> None:
    wait = WebDriverWait(browser, WAIT_S)
    browser.get(demo.url)
    wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#name")))
    browser.find_element(By.CSS_SELECTOR, "#name input, #name textarea").send_keys("Hedy")
    message = browser.find_element(By.CSS_SELECTOR, "#message textarea")
    message.send_keys("Calm and content this evening")
    browser.find_element(By.CSS_SELECTOR, "#send").click()
    wait.until(lambda d: "%" in _text(d, "#fused"))

    message.send_keys("/forget")
    browser.find_element(By.CSS_SELECTOR, "#send").click()
    cancel = wait.until(ec.element_to_be_clickable((By.XPATH, "//button[text()='Cancel']")))
    cancel.click()
    wait.until(lambda d: "nothing was deleted" in _text(d, "#conversation"))
    assert demo.entries("Hedy"), "cancel must keep the data"

    browser.find_element(By.XPATH, "//button[@role='tab'][contains(., 'Your mood')]").click()
    wait.until(ec.element_to_be_clickable((By.XPATH, "//button[text()='Show my mood']"))).click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#mood-chart img")))
    assert "Calm and content" in _text(browser, "#history")


def test_a_webcam_snapshot_is_sent_with_the_message(demo: Demo, browser: WebDriver) -> None:
    wait = WebDriverWait(browser, WAIT_S)
    browser.get(demo.url)
    webcam = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#webcam")))
    browser.find_element(By.CSS_SELECTOR, "#name input, #name textarea").send_keys("Ivy")
    webcam.find_element(By.XPATH, ".//*[contains(text(), 'Webcam')]").click()
    capture = "#webcam button[aria-label='capture photo']"
    wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, capture))).click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#webcam img")))
    browser.find_element(By.CSS_SELECTOR, "#message textarea").send_keys("hello from my camera")
    browser.find_element(By.CSS_SELECTOR, "#send").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#photo-boxes figure")))
    assert "(photo attached)" in _text(browser, "#conversation")
    entry = demo.entries("Ivy")[0]
    assert entry.text == "hello from my camera"
    # The synthetic camera shows no face; either way the snapshot was read and not kept.
    folder = Path(demo.adapter.upload_dir or "")
    assert [p for p in folder.rglob("*") if p.is_file() and p.stat().st_size > 0] == []
