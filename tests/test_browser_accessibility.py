"""The event form and the report form filled and sent with the keyboard alone:
every stop shows a focus ring, mistakes are announced and take the focus, and
the error states pass axe-core too (ГОСТ Р 52872-2019 follows WCAG 2.1)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.utils import timezone

from roadmap.models import Event, EventReport
from roadmap.tests.factories import ActivityFactory, PlanFactory
from tests.world import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A keyboard focus the eye can find: :focus-visible matches and draws an outline.
VISIBLE_FOCUS = """el => {
  const style = getComputedStyle(el);
  return el.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
}"""


@pytest.fixture
def world(order_plan: Any, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(order_plan)


def _skip_to_content(page: Any) -> None:
    page.keyboard.press("Tab")
    assert page.locator(":focus").inner_text() == "Перейти к содержанию"
    assert page.locator(":focus").evaluate(VISIBLE_FOCUS)
    page.keyboard.press("Enter")


def _tab_to(page: Any, selector: str, limit: int = 60) -> Any:
    """Press Tab until ``selector`` has the focus; each element on the way shows it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        html = focused.evaluate("el => el.outerHTML.slice(0, 160)")
        assert focused.evaluate(VISIBLE_FOCUS), f"no visible focus on {html}"
        if focused.evaluate(f"el => el.matches({json.dumps(selector)})"):
            return focused
    raise AssertionError(f"{selector} never took the focus in {limit} Tabs")


def _assert_error_announced(page: Any, field_id: str, label: str) -> None:
    """The summary is an alert and has the focus; the field is invalid and described by its error."""
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    page.wait_for_load_state()
    # The script focuses the summary just after the load event (a zero timeout): wait for it, a
    # loaded CI machine may not have run it yet when the load state is reached.
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.hasAttribute('data-error-summary')",
            timeout=5000,
        )
    except PlaywrightTimeout:
        pass  # the assertion below says where the focus is instead
    focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
    assert "data-error-summary" in focused, f"the focus is on {focused}, not on the error summary"
    assert summary.get_attribute("role") == "alert"
    assert summary.get_by_role("link", name=label).is_visible()
    field = page.locator(f"#{field_id}")
    assert field.get_attribute("aria-invalid") == "true"
    described = (field.get_attribute("aria-describedby") or "").split()
    errors = [page.locator(f"#{i}") for i in described if i.endswith("_error")]
    assert errors and errors[0].inner_text().strip(), f"#{field_id} is not described by its error"


def _follow_summary_link(page: Any, label: str, field_id: str) -> None:
    """From the focused summary, Tab to the mistake's link; Enter puts the focus in the field."""
    _tab_to(page, f"[data-error-summary] a[href='#{field_id}']")
    assert page.locator(":focus").inner_text() == label
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.activeElement && document.activeElement.id === {json.dumps(field_id)}")


def test_an_event_is_registered_with_the_keyboard_alone(web: Any, world: World) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # One plan in force with one activity: the first option below the blank one.
    type(world.plan).objects.filter(pk=world.plan.pk).update(is_current=False)
    plan = PlanFactory(first_year=yesterday.year, last_year=yesterday.year + 2, is_current=True)
    activity = ActivityFactory(section__plan=plan, name=world.activity.name)
    page = web.page(world.coord_a)
    page.goto(web.base + "/events/new/")
    _skip_to_content(page)

    # The activity is searched as you type (copp.forms.SearchSelect): its number, ArrowDown, Enter.
    _tab_to(page, "#id_activity")
    page.keyboard.type(str(activity.number))
    page.locator("#id_activity_listbox [role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("input[type=hidden][name=activity]").input_value() == str(activity.pk)
    _tab_to(page, "#id_start_date")
    page.keyboard.type(yesterday.strftime("%d.%m.%Y"))
    _tab_to(page, "#id_place")
    page.keyboard.type("Мастерская колледжа")
    _tab_to(page, "button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the title is still missing
    _assert_error_announced(page, "id_title", "Название события")
    web.axe(page, "event-form-errors")
    web.shoot(page, "keyboard-event-form-errors")
    _follow_summary_link(page, "Название события", "id_title")
    page.keyboard.type("Профориентационный квест")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    # The skip link's "#main" rides along the post and the redirect: harmless.
    page.wait_for_url(re.compile(r"/events/\d+/(#main)?$"))
    assert page.get_by_role("alert").filter(has_text="Событие зарегистрировано").is_visible()
    event = Event.objects.get(title="Профориентационный квест")
    assert (event.activity, event.start_date, event.place) == (activity, yesterday, "Мастерская колледжа")


def test_a_report_is_filed_with_the_keyboard_alone(web: Any, world: World) -> None:
    event = world.events_a[0]  # overdue, no report yet
    page = web.page(world.coord_a)
    page.goto(web.base + f"/events/{event.pk}/report/")
    _skip_to_content(page)

    _tab_to(page, "#id_summary")
    page.keyboard.type("Провели пробу для 8-х классов.")
    _tab_to(page, "#id_participants_total")
    page.keyboard.type("-3")
    _tab_to(page, "#id_kind")
    page.keyboard.press("ArrowDown")
    kind = page.locator("#id_kind").input_value()
    _tab_to(page, "#report-form button[type=submit]")
    page.keyboard.press("Enter")  # sent by htmx: the form is swapped in place

    _assert_error_announced(page, "id_participants_total", "Участников всего")
    assert page.locator("#id_summary").input_value() == "Провели пробу для 8-х классов."
    web.axe(page, "report-form-errors")
    web.shoot(page, "keyboard-report-form-errors")
    _follow_summary_link(page, "Участников всего", "id_participants_total")
    page.keyboard.press("Control+A")
    page.keyboard.type("24")
    page.keyboard.press("Tab")
    page.keyboard.type("20")  # of them, pupils
    assert page.locator("#id_participants_pupils_6_11").input_value() == "20"
    _tab_to(page, "#report-form button[type=submit]")
    page.keyboard.press("Space")

    page.wait_for_url(re.compile(rf"/events/{event.pk}/(#main)?$"))
    assert page.get_by_role("alert").filter(has_text="Отчёт отправлен").is_visible()
    report = EventReport.objects.get(event=event)
    assert (report.participants_total, report.participants_pupils_6_11) == (24, 20)
    assert kind  # the document type took the arrow key; no file was chosen, so none is stored
    assert report.evidence.count() == 0
