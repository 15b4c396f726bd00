"""Fixtures of the browser tests: Debian's Chromium driven by Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium.
Without chromium or the playwright package the tests skip with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=ru-RU",  # date pickers as a Russian user sees them (дд.мм.гггг)
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
# axe-core impacts that fail a page (ГОСТ Р 52872-2019 follows WCAG 2.1 AA).
AXE_FAILING_IMPACTS = {"serious", "critical"}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
# Redoc's bundle asks its CDN for a credit logo whatever its options; the CSP
# refuses it, so nothing comes in. Tolerated only when the browser blocked it.
OUTSIDE_WHEN_BLOCKED = {"https://cdn.redoc.ly/redoc/logo-mini.svg"}


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements.txt)"
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # refuses to run "in an async context" unless told it is safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


def axe_report(violations: list[dict[str, Any]]) -> str:
    """One line per violation and one per offending element: what to fix and where."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(" >> ".join(t) if isinstance(t, list) else t for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary[:300]}")
    return "\n".join(lines)


class Browser:
    """A signed-in browser page per viewport, with screenshot, axe and
    outside-request checks."""

    def __init__(self, chromium: Any, live_server: Any, shots: Path) -> None:
        from urllib.parse import urlsplit

        self.chromium = chromium
        self.base = live_server.url
        self.host = urlsplit(self.base).netloc
        self.shots = shots
        self.contexts: list[Any] = []
        self._pages: dict[tuple[Any, int], Any] = {}
        # Every URL any page asked for: the app must work in a closed network.
        self.requests: list[str] = []
        self.blocked_by_csp: set[str] = set()

    def page(self, user: Any | None = None, viewport: dict[str, int] = DESKTOP) -> Any:
        context = self.chromium.new_context(viewport=viewport, locale="ru-RU", timezone_id="Europe/Moscow")
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("requestfailed", self._note_blocked)
        if user is not None:
            context.add_cookies([self._session_cookie(user)])
        page = context.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        return page

    def _session_cookie(self, user: Any) -> dict[str, Any]:
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        return {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": self.base,
        }

    def shoot(self, page: Any, name: str) -> Path:
        width = page.viewport_size["width"]
        path = self.shots / f"{name}-{'phone' if width < 600 else 'desktop'}.png"
        page.screenshot(path=str(path), full_page=True)
        if width < 600:
            # The first screens of a long phone page, legible when looked at.
            top = self.shots / f"{name}-phone-top.png"
            height = min(1400, page.evaluate("document.documentElement.scrollHeight"))
            page.screenshot(path=str(top), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
        return path

    def _note_blocked(self, request: Any) -> None:
        if request.failure == "csp":
            self.blocked_by_csp.add(request.url)

    def outside_requests(self) -> list[str]:
        """URLs asked of any host but the live server (data: and blob: URLs stay inside)."""
        from urllib.parse import urlsplit

        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob", "about")
            and urlsplit(url).netloc != self.host
            and not (url in OUTSIDE_WHEN_BLOCKED and url in self.blocked_by_csp)
        ]

    def assert_nothing_external(self) -> None:
        outside = self.outside_requests()
        assert not outside, f"requests outside the app: {outside}"

    def axe(self, page: Any, name: str = "") -> None:
        """Run axe-core on the page as it stands; fail on serious or critical violations."""
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(page, options=AXE_OPTIONS)
        failing = [v for v in results.response["violations"] if v["impact"] in AXE_FAILING_IMPACTS]
        width = page.viewport_size["width"]
        assert not failing, f"axe on {name or page.url} at {width}px ({page.url}):\n{axe_report(failing)}"

    def both(self, user: Any, path: str, name: str) -> None:
        """Open a page at desktop and phone width, check it, and save both screenshots."""
        for viewport in (DESKTOP, PHONE):
            key = (user.pk, viewport["width"])
            if key not in self._pages:
                self._pages[key] = self.page(user, viewport)
            page = self._pages[key]
            page.errors.clear()
            response = page.goto(self.base + path)
            assert response is not None and response.status == 200, f"{path}: {response and response.status}"
            assert not page.errors, page.errors
            # Nothing may stick out sideways at 360 px but scrollable tables.
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{path} at {viewport['width']}px is {overflow}px too wide"
            self.shoot(page, name)
            self.axe(page, name)
            self.assert_nothing_external()

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def web(chromium: Any, live_server: Any, screenshot_dir: Path) -> Iterator[Browser]:
    browser = Browser(chromium, live_server, screenshot_dir)
    yield browser
    browser.close()
    # Whatever a browser test did, no page asked anything of another host.
    browser.assert_nothing_external()


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    marker = pytest.mark.skip(reason=reason)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(marker)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Cached dashboard figures of one test must not leak into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(order_plan: Any) -> Any:
    """Two organisations' events, reports, evidence, values and notices (tests/world.py)."""
    from tests.world import build_world

    return build_world(order_plan)


@pytest.fixture(autouse=True)
def _dashboard_inline(settings: Any) -> None:
    """A stale dashboard is recomputed in the request, not in a thread or a queue:
    page tests stay deterministic. tests/test_dashboard_snapshot.py covers the
    background modes."""
    settings.DASHBOARD_REFRESH = "inline"


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Build reports in this process even when REDIS_URL points at a broker with
    no worker: these tests are about the pages, not the queue."""
    from copp.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
