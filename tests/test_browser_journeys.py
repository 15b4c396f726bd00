"""The main journeys in a real browser (Debian's Chromium, headless)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import openpyxl
import pytest
from django.utils import timezone

from roadmap.models import Activity, Event, Plan
from roadmap.tests.factories import ActivityFactory, PlanFactory
from tests.world import PNG, World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def world(order_plan: Any, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(order_plan)


def _sign_in(web: Any, user: Any, viewport: dict[str, int] | None = None) -> Any:
    page = web.page(viewport=viewport or {"width": 1280, "height": 900})
    page.goto(web.base + "/login/")
    page.get_by_label("Логин").fill(user.username)
    page.get_by_label("Пароль").fill("secret-pass-123")
    page.get_by_role("button", name="Войти").click()
    return page


def _activity_of_a_plan_in_force(world: World, day: dt.date) -> Activity:
    """An activity of a plan whose period holds ``day``, made the current plan.

    The order's plan ended with 2025 and an event belongs to the plan whose
    period holds its dates, so yesterday's event needs the plan in force now.
    """
    Plan.objects.filter(pk=world.plan.pk).update(is_current=False)
    plan = PlanFactory(first_year=day.year, last_year=day.year + 2, is_current=True)
    return ActivityFactory(section__plan=plan, name=world.activity.name)


def test_a_coordinator_registers_an_event_files_its_report_and_sees_it_counted(
    web: Any, world: World, tmp_path: Any
) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    activity = _activity_of_a_plan_in_force(world, yesterday)
    page = _sign_in(web, world.coord_a, PHONE)
    page.wait_for_url("**/tasks/")
    page.get_by_role("link", name="Зарегистрировать событие").first.click()
    # The activity is searched as you type: its number, then a click on the match.
    page.get_by_label("Мероприятие дорожной карты").fill(str(activity.number))
    page.locator(f"#id_activity_listbox [data-id='{activity.pk}']").click()
    assert page.locator("input[type=hidden][name=activity]").input_value() == str(activity.pk)
    page.get_by_label("Название события").fill("Профессиональная проба «Сварщик»")
    page.get_by_label("Первый день").fill(yesterday.strftime("%d.%m.%Y"))
    page.get_by_label("Место проведения").fill("Мастерская колледжа")
    web.shoot(page, "journey-event-form")
    page.get_by_role("button", name="Зарегистрировать").click()
    page.wait_for_url("**/events/*/")
    assert page.get_by_role("alert").filter(has_text="Событие зарегистрировано").is_visible()
    event = Event.objects.get(title="Профессиональная проба «Сварщик»")
    assert event.organizer == world.org_a

    page.get_by_role("link", name="Подать отчёт").first.click()
    page.wait_for_url(f"**/events/{event.pk}/report/")
    page.get_by_label("Как прошло событие").fill("Провели пробу для 8-х классов, все получили сертификаты.")
    page.get_by_label("Участников всего").fill("-3")
    photo = tmp_path / "фото.png"
    photo.write_bytes(PNG)
    page.get_by_label("Файлы", exact=True).set_input_files(str(photo))
    page.get_by_role("button", name="Отправить отчёт").click()
    # A mistake is named next to its field and nothing is lost.
    page.locator(".invalid-feedback").first.wait_for()
    web.shoot(page, "journey-report-error")
    assert page.get_by_label("Как прошло событие").input_value().startswith("Провели пробу")
    page.get_by_label("Участников всего").fill("24")
    page.get_by_label("из них школьников 6–11 классов").fill("24")
    page.get_by_label("Файлы", exact=True).set_input_files(str(photo))
    page.get_by_role("button", name="Отправить отчёт").click()
    page.wait_for_url(f"**/events/{event.pk}/")
    assert page.get_by_role("alert").filter(has_text="Отчёт отправлен").is_visible()
    assert page.locator(".status-badge", has_text="сдан вовремя").first.is_visible()
    assert page.get_by_role("link", name="фото.png", exact=True).is_visible()
    web.shoot(page, "journey-report-filed")

    # Counted: no longer a task, and among the reports on time.
    page.goto(web.base + "/tasks/")
    assert page.get_by_text("Профессиональная проба «Сварщик»").count() == 0
    page.goto(web.base + f"/events/?timeliness=on_time&year={yesterday.year}")
    assert page.get_by_role("link", name="Профессиональная проба «Сварщик»").is_visible()
    assert event.report.on_time and event.report.evidence.count() == 1


def test_a_ministry_user_follows_a_late_report_to_its_event_and_downloads_a_report(
    web: Any, world: World, eager_celery: None, tmp_path: Any
) -> None:
    page = _sign_in(web, world.ministry)
    page.wait_for_url("**/dashboard/")
    page.goto(web.base + f"/dashboard/?year={world.plan.last_year}")
    late = world.events_a[0]
    section = page.locator("section", has=page.get_by_role("heading", name="Просроченные отчёты сейчас"))
    section.get_by_role("link", name=late.title).click()
    page.wait_for_url(f"**/events/{late.pk}/")
    assert page.get_by_text("Отчёт просрочен.").is_visible()

    # The number of missing reports on the dashboard opens exactly those events.
    page.goto(web.base + f"/dashboard/?year={world.plan.last_year}")
    page.locator("#sec-orgs summary").click()  # the section opens on demand
    row = page.locator("tr", has=page.get_by_role("rowheader", name=world.org_a.short_name)).first
    row.locator("td").nth(4).get_by_role("link").click()
    # The click returns once the navigation commits; the list is read after it has loaded.
    page.wait_for_url(lambda url: "timeliness=missing" in url)
    page.get_by_role("link", name=late.title).wait_for(timeout=10_000)
    assert page.get_by_role("link", name=late.title).is_visible()

    page.get_by_role("button", name="Ещё").click()  # a secondary item of the menu
    page.get_by_role("link", name="Отчёты", exact=True).click()
    page.get_by_role("combobox", name="Отчёт").select_option("roadmap")
    page.get_by_role("combobox", name="Год").select_option(str(world.plan.last_year))
    page.get_by_role("button", name="Сформировать").click()
    page.wait_for_url("**/reports/*/")
    download_link = page.get_by_role("link", name="Скачать")
    download_link.wait_for(timeout=30_000)
    web.shoot(page, "journey-report-ready")
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = openpyxl.load_workbook(saved)
    assert workbook.active.max_row > 29


def test_the_dashboard_shows_a_write_after_its_background_refresh(web: Any, world: World, settings: Any) -> None:
    """Right after a write the old figures are shown at once with a notice; the page
    swaps in the recomputed ones by itself, charts included."""
    from roadmap.events.services import ReportData, event_report_submit

    settings.DASHBOARD_REFRESH = "thread"
    page = _sign_in(web, world.ministry)
    page.wait_for_url("**/dashboard/")
    url = web.base + f"/dashboard/?year={world.plan.last_year}"
    page.goto(url)
    overdue = page.locator("a[href$='report_status=overdue'] .display-6")
    assert overdue.inner_text() == "3"
    event_report_submit(
        user=None, event=world.events_a[0], data=ReportData(summary="Прошло", participants_total=3), now=timezone.now()
    )

    page.goto(url)
    page.locator("#sec-trend summary").click()  # the charts are drawn when their section is opened
    notice = page.get_by_role("status").filter(has_text="пересчитывается")
    assert notice.is_visible()
    assert overdue.inner_text() == "3"
    web.shoot(page, "dashboard-refreshing")
    notice.wait_for(state="detached", timeout=20_000)  # htmx polls every 3 s
    assert overdue.inner_text() == "2"
    assert page.locator("#sec-trend").evaluate("d => d.open"), "an opened section stays open after the swap"
    assert page.evaluate("Array.from(document.querySelectorAll('canvas')).every(c => Chart.getChart(c))")
