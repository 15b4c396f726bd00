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


NAV_ONE_LINE = 64  # px: the bar is 56 px high with one line of links, 80 when they wrap


def test_the_menu_fits_in_one_line_for_every_role_from_1024_px(web: Any, world: World) -> None:
    """Secondary items go under «Ещё»; the user's name is shown in full; a phone gets the compact menu."""
    from roadmap.tests.factories import UserFactory

    users = {"ministry": world.ministry, "copp": world.copp, "coordinator": world.coord_a}
    users["admin"] = UserFactory(role="admin", first_name="Александра", last_name="Константинопольская")
    for role, user in users.items():
        for width in (1024, 1280):
            page = web.page(user, {"width": width, "height": 800})
            page.goto(web.base + "/events/")
            nav = page.locator("nav.app-navbar")
            height = nav.bounding_box()["height"]
            assert height <= NAV_ONE_LINE, f"{role} at {width}px: the menu is {height}px high"
            assert nav.evaluate("n => n.scrollWidth <= n.clientWidth"), f"{role} at {width}px: the menu sticks out"
            name = page.locator("#user-menu")
            box = name.bounding_box()
            assert box["x"] + box["width"] <= width, f"{role} at {width}px: the name is off the screen"
            assert name.evaluate("b => b.scrollWidth <= b.clientWidth"), f"{role} at {width}px: the name is cut"
            more = page.get_by_role("button", name="Ещё")
            more.click()
            assert more.get_attribute("aria-expanded") == "true"
            assert page.locator('[aria-labelledby="nav-more"] li:not(.d-none) a').first.is_visible()
            web.shoot(page, f"menu-{role}-{width}")
        phone = web.page(user, {"width": 390, "height": 800})
        phone.goto(web.base + "/events/")
        assert not phone.get_by_role("button", name="Ещё").is_visible()
        phone.get_by_role("button", name="Открыть меню").click()
        phone.get_by_role("link", name="События").wait_for()
        assert phone.get_by_role("link", name="Показатели").is_visible(), "the phone menu lists every item"
        web.shoot(phone, f"menu-{role}")


def test_list_tables_are_cards_on_a_phone_with_nothing_cut(web: Any, world: World) -> None:
    """At 390 px no page is wider than the screen and no list table scrolls sideways: each row
    is a card whose fields carry their column's name."""
    year = world.plan.last_year
    pages = {
        world.ministry: [
            f"/dashboard/?year={year}",
            "/dashboard/timeliness/",
            "/events/",
            "/activities/",
            f"/indicators/?year={year}",
            "/actuals/",
            "/reports/",
        ],
        world.coord_a: ["/tasks/", "/events/", "/actuals/", "/inbox/", "/imports/"],
    }
    ReportFile.objects.create(kind="roadmap", plan=world.plan, year=year, status="done")
    for user, urls in pages.items():
        page = web.page(user, {"width": 390, "height": 800})
        for url in urls:
            page.goto(web.base + url)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{url} at 390px is {overflow}px too wide"
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            wide = page.evaluate(
                """() => Array.from(document.querySelectorAll('table.table-cards'))
                    .filter(t => t.offsetParent && t.scrollWidth > t.parentElement.clientWidth + 1)
                    .map(t => t.scrollWidth)"""
            )
            assert not wide, f"{url}: a list table is wider than the phone: {wide}"
        status = page.locator("table.table-cards td[data-label='Статус']").first
        if status.count():
            assert status.evaluate("td => getComputedStyle(td, '::before').content").strip('"') == "Статус"
    web.shoot(page, "cards-actuals")


def test_the_dashboard_opens_short_and_draws_charts_when_asked(web: Any, world: World) -> None:
    world.grow(3)  # more than a screenful of overdue reports, organisations and municipalities
    page = web.page(world.ministry, {"width": 1280, "height": 900})
    page.goto(web.base + f"/dashboard/?year={world.plan.last_year}")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2700, f"the dashboard is {height}px high at 1280px"
    assert page.get_by_role("heading", name="Просроченные отчёты сейчас").is_visible()
    assert page.locator("section[aria-labelledby=h-late] tbody tr").count() == 10, "the late reports come first"
    assert page.evaluate("Array.from(document.querySelectorAll('canvas')).every(c => !Chart.getChart(c))")
    web.shoot(page, "dashboard-closed")
    trend = page.locator("#sec-trend")
    trend.locator("summary").click()
    page.wait_for_function("Array.from(document.querySelectorAll('#sec-trend canvas')).every(c => Chart.getChart(c))")
    assert page.locator("#sec-trend .yes-no").count() > 0, "yes/no indicators show badges, not bars"
    assert not page.errors, page.errors
    web.shoot(page, "dashboard-trend")


def test_the_indicator_chart_writes_numbers_the_russian_way(web: Any, world: World) -> None:
    page = web.page(world.ministry, {"width": 1400, "height": 900})
    page.goto(web.base + f"/indicators/{world.indicator.pk}/?year={world.plan.first_year}")
    page.wait_for_function("Array.from(document.querySelectorAll('canvas')).every(c => Chart.getChart(c))")
    chart = "Chart.getChart(document.querySelector('canvas'))"
    assert page.evaluate(f"{chart}.options.locale") == "ru"
    # The axis labels as drawn: a thousand is «1 000», never «1,000».
    labels = page.evaluate(f"{chart}.scales.y.ticks.map(t => t.label)")
    assert labels and not any("," in str(label) for label in labels), labels
    assert not page.errors, page.errors
