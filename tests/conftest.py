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


class Browser:
    """A signed-in browser page per viewport, with a screenshot helper."""

    def __init__(self, chromium: Any, live_server: Any, shots: Path) -> None:
        self.chromium = chromium
        self.base = live_server.url
        self.shots = shots
        self.contexts: list[Any] = []
        self._pages: dict[tuple[Any, int], Any] = {}

    def page(self, user: Any | None = None, viewport: dict[str, int] = DESKTOP) -> Any:
        context = self.chromium.new_context(viewport=viewport, locale="ru-RU", timezone_id="Europe/Moscow")
        context.set_default_timeout(15_000)
        self.contexts.append(context)
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

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def web(chromium: Any, live_server: Any, screenshot_dir: Path) -> Iterator[Browser]:
    browser = Browser(chromium, live_server, screenshot_dir)
    yield browser
    browser.close()


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
