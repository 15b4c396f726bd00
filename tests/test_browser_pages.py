"""Every main page at desktop (1280 px) and phone (360 px) width, for every
role: it renders with data, has no script errors, does not stick out sideways,
has no serious or critical axe-core violation, asks nothing of another host,
and leaves a screenshot in screenshots/ to be looked at."""

from __future__ import annotations

from typing import Any

import pytest

from reports.models import ReportFile
from roadmap.tests.factories import UserFactory
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
        web.axe(page, "login")
        page.get_by_label("Логин").fill(world.ministry.username)
        page.get_by_label("Пароль").fill("wrong")
        page.get_by_role("button", name="Войти").click()
        assert page.get_by_text("Неверный логин или пароль").is_visible()
        web.shoot(page, "login-error")
        web.axe(page, "login-error")
        page.get_by_label("Пароль").fill("secret-pass-123")
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url("**/dashboard/")
        page.goto(web.base + "/password-reset/")
        web.axe(page, "password-reset")
    web.assert_nothing_external()


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
    web.both(coordinator, "/activities/", "activity-list-coordinator")
    web.both(coordinator, f"/indicators/?year={year}", "indicator-list-coordinator")
    web.both(coordinator, "/profile/", "profile")


def test_it_renders_the_pages_of_copp_staff_and_administrators(web: Any, world: World) -> None:
    year = world.plan.last_year
    web.both(world.copp, "/tasks/", "copp-tasks")
    web.both(world.copp, f"/dashboard/?year={year}", "copp-dashboard")
    web.both(world.copp, f"/dashboard/timeliness/?year={year}", "copp-timeliness")
    web.both(world.copp, "/events/", "copp-event-list")
    web.both(world.copp, f"/events/{world.events_b[1].pk}/", "copp-event-detail")
    web.both(world.copp, "/events/new/", "copp-event-create")
    web.both(world.copp, "/actuals/", "copp-actual-list")
    web.both(world.copp, "/reports/", "copp-reports")
    web.both(world.copp, "/imports/", "copp-imports")
    web.both(world.copp, "/inbox/", "copp-inbox")
    admin = UserFactory(role="admin")
    web.both(admin, "/imports/", "admin-imports")
    web.both(admin, "/admin/", "admin-index")
    web.both(admin, "/admin/roadmap/event/", "admin-event-list")
    web.both(admin, f"/admin/roadmap/event/{world.events_a[0].pk}/change/", "admin-event-change")
    web.both(admin, "/admin/roadmap/activity/", "admin-activity-list")
    web.both(admin, "/admin/indicators/actual/", "admin-actual-list")
    web.both(admin, "/admin/roadmap/user/add/", "admin-user-add")


def test_the_open_menus_pass_axe(web: Any, world: World) -> None:
    """Menus hidden at load are checked open too: the phone menu and the user menu."""
    for viewport in ({"width": 1280, "height": 900}, {"width": 360, "height": 740}):
        page = web.page(world.copp, viewport)
        page.goto(web.base + "/tasks/")
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
            page.locator("#nav-main.show").wait_for()
        page.locator("nav [data-bs-toggle='dropdown']").last.click()
        page.locator("nav .dropdown-menu.show").wait_for()
        web.axe(page, f"open-menus-{viewport['width']}")


def test_the_api_docs_load_nothing_from_outside(web: Any, world: World) -> None:
    """Swagger UI and Redoc come from the app's static files (a closed network)."""
    page = web.page(UserFactory(role="admin"))
    for path, ready in (("/api/docs/", ".swagger-ui .opblock"), ("/api/redoc/", "[role=menuitem]")):
        response = page.goto(web.base + path)
        assert response is not None and response.status == 200
        page.locator(ready).first.wait_for()
        page.wait_for_load_state("networkidle")
    assert not page.errors, page.errors
    web.assert_nothing_external()


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
