"""Every main page at desktop (1280 px) and phone (360 px) width: it renders
with data, has no script errors, does not stick out sideways, and leaves a
screenshot in screenshots/ to be looked at."""

from __future__ import annotations

from typing import Any

import pytest

from reports.models import ReportFile
from tests.world import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(order_plan: Any, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(order_plan)


def test_it_signs_in_and_lands_on_the_role_home(web: Any, world: World) -> None:
    for viewport in ({"width": 1280, "height": 900}, {"width": 360, "height": 740}):
        page = web.page(viewport=viewport)
        page.goto(web.base + "/")
        assert "/login/" in page.url
        web.shoot(page, "login")
        page.get_by_label("Логин").fill(world.ministry.username)
        page.get_by_label("Пароль").fill("wrong")
        page.get_by_role("button", name="Войти").click()
        assert page.get_by_text("Неверный логин или пароль").is_visible()
        web.shoot(page, "login-error")
        page.get_by_label("Пароль").fill("secret-pass-123")
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url("**/dashboard/")


def test_it_renders_every_main_page(web: Any, world: World) -> None:
    year = world.plan.last_year
    report = ReportFile.objects.create(
        kind="roadmap", plan=world.plan, year=year, status="running", rows_done=12, rows_total=40
    )
    ministry, coordinator = world.ministry, world.coord_a
    web.both(ministry, f"/dashboard/?year={year}", "dashboard")
    web.both(ministry, "/events/", "event-list")
    web.both(ministry, f"/events/{world.events_a[2].pk}/", "event-detail-review")
    web.both(ministry, "/activities/", "activity-list")
    web.both(ministry, f"/activities/{world.activity.pk}/", "activity-detail")
    web.both(ministry, f"/indicators/?year={year}", "indicator-list")
    web.both(ministry, f"/indicators/{world.indicator.pk}/?year={year}", "indicator-detail")
    web.both(ministry, "/actuals/", "actual-list")
    web.both(ministry, "/reports/", "reports")
    web.both(ministry, f"/reports/{report.pk}/", "report-progress")
    web.both(coordinator, "/tasks/", "tasks")
    web.both(coordinator, "/events/new/", "event-create")
    web.both(coordinator, f"/events/{world.events_a[0].pk}/", "event-detail-overdue")
    web.both(coordinator, f"/events/{world.events_a[3].pk}/report/", "event-report-fix")
    web.both(coordinator, f"/actuals/{world.actual_a.pk}/", "actual-detail")
    web.both(coordinator, "/actuals/new/", "actual-create")
    web.both(coordinator, "/inbox/", "inbox")
    web.both(coordinator, "/imports/", "imports")


def test_it_can_be_used_with_the_keyboard_alone(web: Any, world: World) -> None:
    page = web.page(world.coord_a)
    page.goto(web.base + "/tasks/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Перейти к содержанию"
    page.keyboard.press("Enter")
    # Tabbing on reaches the first task's link, and Enter follows it.
    for _ in range(30):
        page.keyboard.press("Tab")
        if (page.locator(":focus").get_attribute("href") or "").startswith("/events/") and "new" not in (
            page.locator(":focus").get_attribute("href") or ""
        ):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/events/*/")
