"""The rows of an event table (``{% event_rows %}``): every value escaped, moments in Moscow
time, each cell labelled for the phone cards, the overdue due date marked; and the pages
that show them (events, activity) escape what coordinators type."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from copp.templatetags.ui import event_rows
from roadmap.models import Event
from tests.world import World, logged_in

HOSTILE = "<script>alert(\"x\")</script> & 'q'"


def _event(**changes: Any) -> SimpleNamespace:
    plan = SimpleNamespace(first_year=2023, last_year=2025)
    values: dict[str, Any] = {
        "pk": 7,
        "title": "Профпроба «Токарь»",
        "activity": SimpleNamespace(number=17, name="Профессиональные пробы", plan=plan),
        "start_date": dt.date(2025, 6, 10),
        "end_date": dt.date(2025, 6, 10),
        "organizer": SimpleNamespace(short_name="ГПОУ ТО «ТГМК»"),
        "municipality": "город Тула",
        # 20:59:59 UTC is 23:59:59 in Moscow (UTC+3 all year).
        "due_at": dt.datetime(2025, 6, 11, 20, 59, 59, tzinfo=dt.UTC),
        "report_status": "overdue",
    }
    return SimpleNamespace(**(values | changes))


@pytest.fixture(autouse=True)
def _russian() -> Any:
    with translation.override("ru"):
        yield


def test_a_row_shows_the_event_its_dates_organiser_and_due_moment_in_moscow_time() -> None:
    row = event_rows([_event()])
    assert row.startswith("<tr>") and row.endswith("</tr>") and row.count("<tr>") == 1
    assert '<a href="/events/7/">Профпроба «Токарь»</a>' in row
    assert "17. Профессиональные пробы" in row and "2023–2025" not in row
    assert 'data-label="Даты">10.06.2025</td>' in row  # one day: no range
    assert 'ГПОУ ТО «ТГМК»<div class="text-body-secondary">город Тула</div>' in row
    assert '<td class="text-late fw-semibold" data-label="Отчёт до">11.06.2025 <span class="small">23:59</span>' in row
    assert "status-overdue" in row
    for label in ("Даты", "Организатор", "Отчёт до", "Статус"):
        assert f'data-label="{label}"' in row


def test_a_row_names_the_plan_when_several_are_shown_and_a_range_of_days() -> None:
    row = event_rows([_event(end_date=dt.date(2025, 6, 12), municipality=None, report_status="on_time")], True)
    assert "2023–2025, 17. Профессиональные пробы" in row
    assert "10.06.2025–12.06.2025" in row
    assert 'text-body-secondary">город' not in row  # no municipality: no line for it
    assert '<td class="" data-label="Отчёт до">' in row and "status-on_time" in row


def test_everything_typed_is_escaped_and_long_titles_are_cut_with_the_full_text_in_a_title() -> None:
    long_title = ("Очень длинное название мероприятия " * 5) + HOSTILE
    row = event_rows(
        [
            _event(title=HOSTILE, organizer=SimpleNamespace(short_name=HOSTILE), municipality=HOSTILE),
            _event(pk=8, title=long_title),
        ]
    )
    assert "<script>" not in row and HOSTILE not in row
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;"
    assert row.count(escaped) == 5  # the title, the organiser twice (cell and phone line), the municipality
    assert '<span title="Очень длинное название мероприятия' in row and "…</span>" in row


def test_no_events_no_rows_and_a_row_without_a_status_has_no_badge() -> None:
    assert event_rows([]) == ""
    event = _event()
    del event.report_status
    row = event_rows([event])
    assert '<td data-label="Статус"></td>' in row and '<td class="" data-label="Отчёт до">' in row


@pytest.mark.django_db
def test_the_events_and_activity_pages_escape_what_coordinators_type(world: World) -> None:
    event = world.events_a[0]
    Event.objects.filter(pk=event.pk).update(title=HOSTILE)
    page = logged_in(world.ministry)
    for url in ("/events/?q=script", f"/activities/{world.activity.pk}/"):
        html = page.get(url).content.decode()
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html, url
        assert HOSTILE not in html, url
