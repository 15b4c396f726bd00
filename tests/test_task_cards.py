"""The cards of «Мои задачи» (``{% task_cards %}``): the HTML the template loop rendered before
them, byte for byte; every typed text escaped; the overdue / left wording at a given moment;
moments in Moscow time; and the page that shows them."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.template import engines
from django.utils import translation

from copp.templatetags.ui import task_cards
from roadmap.models import Event, EventReport
from roadmap.tests.factories import OrganizationFactory, UserFactory
from tests.world import World, logged_in

HOSTILE = "<script>alert(\"x\")</script> & 'q'"
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;"
# 09:30 UTC is 12:30 in Moscow (UTC+3 all year).
NOW = dt.datetime(2025, 6, 14, 9, 30, tzinfo=dt.UTC)

# The loop of templates/roadmap/tasks.html the tag replaced, kept as the reference the tag must match.
OLD_LOOP = (
    "{% load i18n ui %}"
    "{% for e in to_report %}\n"
    '  <div class="card card-task {{ e.report_status }} mb-2"><div class="card-body py-2">\n'
    '    <div class="d-flex justify-content-between gap-2 flex-wrap">\n'
    '      <a class="fw-semibold" href="{% url \'event_detail\' e.pk %}">{{ e.title }}</a>{% status_badge e.report_status %}\n'
    "    </div>\n"
    '    <div class="small text-body-secondary">{{ e.start_date|ddmmyyyy }}{% if e.end_date != e.start_date %}–{{ e.end_date|ddmmyyyy }}{% endif %} · {% if several_plans %}{{ e.activity.plan.first_year }}–{{ e.activity.plan.last_year }}, {% endif %}{{ e.activity.number }}. {{ e.activity.name|shorten:70 }}</div>\n'
    '    {% if e.report_status == "returned" %}\n'
    '      <div class="small text-warn">{% translate "Sent back:" %} {{ e.report.return_reason|shorten:140 }}{% if e.report.resubmission_due_at %} · {% translate "correct by" %} {{ e.report.resubmission_due_at|ddmmyyyy }} {{ e.report.resubmission_due_at|hhmm }}{% endif %}</div>\n'
    '      <a class="btn btn-sm btn-warning mt-2" href="{% url \'event_report\' e.pk %}">{% translate "Correct the report" %}</a>\n'
    "    {% else %}\n"
    "      <div class=\"small {% if e.report_status == 'overdue' %}text-late fw-semibold{% endif %}\">\n"
    '        {% translate "Due:" %} {{ e.due_at|ddmmyyyy }} {{ e.due_at|hhmm }} —\n'
    '        {% if e.report_status == "overdue" %}{% blocktranslate with ago=e.due_at|timesince:now %}overdue by {{ ago }}{% endblocktranslate %}{% else %}{% blocktranslate with left=e.due_at|timeuntil:now %}{{ left }} left{% endblocktranslate %}{% endif %}\n'
    "      </div>\n"
    '      <a class="btn btn-sm btn-primary mt-2" href="{% url \'event_report\' e.pk %}">{% translate "File the report" %}</a>\n'
    "    {% endif %}\n"
    "  </div></div>\n"
    "  "
    "{% endfor %}"
)


def _event(pk: int = 7, **changes: Any) -> SimpleNamespace:
    plan = SimpleNamespace(first_year=2023, last_year=2025)
    values: dict[str, Any] = {
        "pk": pk,
        "title": "Профпроба «Токарь»",
        "activity": SimpleNamespace(number=17, name="Профессиональные пробы", plan=plan),
        "start_date": dt.date(2025, 6, 10),
        "end_date": dt.date(2025, 6, 10),
        # 20:59:59 UTC is 23:59:59 in Moscow.
        "due_at": dt.datetime(2025, 6, 11, 20, 59, 59, tzinfo=dt.UTC),
        "report_status": "overdue",
    }
    return SimpleNamespace(**(values | changes))


def _returned(pk: int, reason: str, resubmission_due_at: dt.datetime | None) -> SimpleNamespace:
    report = SimpleNamespace(return_reason=reason, resubmission_due_at=resubmission_due_at)
    return _event(pk, report_status="returned", report=report)


def _realistic() -> list[SimpleNamespace]:
    """Every kind of card, with typed text that must be escaped or cut."""
    long_name = "Организация и проведение профессиональных проб для обучающихся общеобразовательных организаций"
    return [
        _event(1),  # overdue by 2 days and more
        _event(2, report_status="due_today", due_at=dt.datetime(2025, 6, 14, 20, 59, 59, tzinfo=dt.UTC)),
        _event(
            3,
            report_status="awaiting",
            start_date=dt.date(2025, 6, 12),
            end_date=dt.date(2025, 6, 13),
            due_at=dt.datetime(2025, 6, 20, 20, 59, 59, tzinfo=dt.UTC),
        ),
        # due on the last day of a month: over a month ago at NOW
        _event(4, due_at=dt.datetime(2025, 4, 30, 20, 59, 59, tzinfo=dt.UTC)),
        _returned(5, HOSTILE, dt.datetime(2025, 6, 16, 20, 59, 59, tzinfo=dt.UTC)),
        _returned(6, "Исправьте число участников. " * 8 + HOSTILE, None),
        _event(
            8,
            title=HOSTILE,
            activity=SimpleNamespace(
                number=3, name=f"{long_name} {HOSTILE}", plan=SimpleNamespace(first_year=2026, last_year=2030)
            ),
        ),
    ]


def _old_loop(events: list[Any], several_plans: bool, now: dt.datetime | None) -> str:
    return (
        engines["django"]
        .from_string(OLD_LOOP)
        .render({"to_report": events, "several_plans": several_plans, "now": now})
    )


@pytest.fixture(autouse=True)
def _russian() -> Any:
    with translation.override("ru"):
        yield


@pytest.mark.parametrize("several_plans", [False, True])
@pytest.mark.parametrize(
    "now",
    [NOW, dt.datetime(2025, 6, 11, 20, 59, 59, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC)],
)
def test_it_renders_what_the_template_loop_rendered(several_plans: bool, now: dt.datetime) -> None:
    events = _realistic()
    assert task_cards(events, several_plans, now) == _old_loop(events, several_plans, now)


def test_it_renders_what_the_loop_rendered_in_english_too() -> None:
    events = _realistic()
    with translation.override("en"):
        assert task_cards(events, False, NOW) == _old_loop(events, False, NOW)


def test_everything_typed_is_escaped_and_long_text_is_cut_with_the_full_text_in_a_title() -> None:
    cards = task_cards(_realistic(), True, NOW)
    assert "<script>" not in cards and HOSTILE not in cards
    # The title and a reason in full; a long reason and activity name cut before it, in full in their ``title``.
    assert cards.count(ESCAPED) == 4
    assert f'<a class="fw-semibold" href="/events/8/">{ESCAPED}</a>' in cards
    assert '<div class="small text-warn">Возвращён: <span title="Исправьте число участников.' in cards
    assert '<span title="Организация и проведение профессиональных проб' in cards and "…</span>" in cards


def test_an_overdue_card_says_by_how_long_and_a_due_card_how_long_is_left() -> None:
    overdue, due_today, awaiting, month_ago = (task_cards([e], False, NOW) for e in _realistic()[:4])
    assert '<div class="small text-late fw-semibold">' in overdue
    assert "Срок: 11.06.2025 23:59 —" in overdue  # in Moscow time
    assert "просрочен на 2\xa0дня, 12\xa0часов" in overdue
    assert "Срок: 14.06.2025 23:59 —" in due_today and '<div class="small ">' in due_today
    assert "осталось 11\xa0часов, 29\xa0минут" in due_today
    assert "осталось 6\xa0дней, 11\xa0часов" in awaiting
    assert "просрочен на 1\xa0месяц, 2\xa0недели" in month_ago
    for card in (overdue, due_today, awaiting):
        assert '<a class="btn btn-sm btn-primary mt-2" href="/events/' in card and '/report/">Подать отчёт</a>' in card
    # At the deadline's last second nothing is overdue yet, and nothing is left.
    last_second = task_cards([_realistic()[1]], False, dt.datetime(2025, 6, 14, 20, 59, 59, tzinfo=dt.UTC))
    assert "осталось 0\xa0минут" in last_second


def test_a_returned_card_gives_the_reason_and_the_moment_to_correct_by_in_moscow_time() -> None:
    with_moment, without = (task_cards([e], False, NOW) for e in _realistic()[4:6])
    assert f'<div class="small text-warn">Возвращён: {ESCAPED} · исправить до 16.06.2025 23:59</div>' in with_moment
    assert '<a class="btn btn-sm btn-warning mt-2" href="/events/5/report/">Исправить отчёт</a>' in with_moment
    assert "status-returned" in with_moment and "Срок:" not in with_moment
    assert "исправить до" not in without and "Исправить отчёт" in without


def test_the_plan_years_are_shown_only_when_there_are_several_plans() -> None:
    event = _realistic()[:1]
    assert "· 2023–2025, 17. Профессиональные пробы</div>" in task_cards(event, True, NOW)
    assert "2023–2025" not in task_cards(event, False, NOW)
    assert "· 17. Профессиональные пробы</div>" in task_cards(event, False, NOW)


def test_a_card_links_to_its_event_and_its_report_and_shows_its_dates() -> None:
    card = task_cards(_realistic()[2:3], False, NOW)
    assert card.startswith('\n  <div class="card card-task awaiting mb-2">') and card.endswith("</div></div>\n  ")
    assert '<a class="fw-semibold" href="/events/3/">Профпроба «Токарь»</a><span class="badge' in card
    assert 'href="/events/3/report/"' in card
    assert '<div class="small text-body-secondary">12.06.2025–13.06.2025 · 17.' in card


def test_no_events_no_cards() -> None:
    assert task_cards([], True, NOW) == ""


@pytest.mark.django_db
def test_the_tasks_page_shows_a_coordinators_cards_as_the_loop_did(world: World) -> None:
    overdue = world.events_a[0]
    Event.objects.filter(pk=overdue.pk).update(title=HOSTILE)
    returned = EventReport.objects.get(event=world.events_a[3])
    response = logged_in(world.coord_a).get("/tasks/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<a class="fw-semibold" href="/events/{overdue.pk}/">{ESCAPED}</a>' in page and HOSTILE not in page
    assert world.events_a[3].title in page and returned.return_reason in page
    assert "card-task overdue" in page and "card-task returned" in page
    context = response.context
    assert isinstance(context["to_report"], list)  # evaluated once, by the view
    assert _old_loop(context["to_report"], context["several_plans"], context["now"]) in page


@pytest.mark.django_db
def test_the_tasks_page_says_so_when_there_is_nothing_to_file(order_plan: Any) -> None:
    coordinator = UserFactory(role="coordinator", organization=OrganizationFactory())
    page = logged_in(coordinator).get("/tasks/").content.decode()
    assert "card-task" not in page
    assert '\n  <div class="empty-state">Все отчёты поданы.' in page
