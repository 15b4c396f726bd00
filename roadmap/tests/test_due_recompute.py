"""A change of a plan's reporting rule moves the stored due moment of its open
events (``services.events_recompute_due_at``), from the admin and from a plan
reload, with history; reported and cancelled events keep theirs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from roadmap.accounts.roles import Role
from roadmap.events import services
from roadmap.models import Event, EventReport, Plan
from roadmap.plans.loader import plan_load
from roadmap.tests.event_factories import eager_celery, msk, plan_with  # noqa: F401 (fixture)
from roadmap.tests.factories import ActivityFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

NOW = msk(2026, 3, 11, 9)
OLD_DUE = msk(2026, 3, 11, 23, 59, 59)  # one calendar day after 10.03.2026
NEW_DUE = msk(2026, 3, 13, 23, 59, 59)  # three
RETURNED = msk(2026, 3, 12, 15)  # a report returned on Thursday 12.03 is due again
OLD_RESUBMIT, NEW_RESUBMIT = msk(2026, 3, 13, 23, 59, 59), msk(2026, 3, 15, 23, 59, 59)  # one or three days later


@pytest.fixture
def events() -> dict[str, Event]:
    plan = plan_with(report_due_days=1)
    activity = ActivityFactory(section__plan=plan)
    college = OrganizationFactory()

    def event(title: str, plan_activity: Any = activity) -> Event:
        return services.event_create(
            user=None, activity=plan_activity, organizer=college, title=title, start_date=dt.date(2026, 3, 10)
        )

    made = {name: event(name) for name in ("open", "reported", "returned", "cancelled")}
    made["other plan"] = event("other plan", ActivityFactory(section__plan=plan_with(report_due_days=1)))
    services.event_report_submit(
        user=None, event=made["reported"], data=services.ReportData(summary="Прошло", participants_total=5), now=NOW
    )
    report = services.event_report_submit(
        user=None, event=made["returned"], data=services.ReportData(summary="Прошло", participants_total=5), now=NOW
    )
    services.event_report_return(user=None, report=report, reason="Добавьте фото", now=RETURNED)
    services.event_cancel(user=None, event=made["cancelled"], reason="Карантин", now=NOW)
    return made


def _due(events: dict[str, Event]) -> dict[str, dt.datetime]:
    return {name: Event.objects.get(pk=e.pk).due_at for name, e in events.items()}


def _resubmit_due(events: dict[str, Event]) -> dt.datetime | None:
    return EventReport.objects.get(event=events["returned"]).resubmission_due_at


MOVED = {"open": NEW_DUE, "reported": OLD_DUE, "returned": OLD_DUE, "cancelled": OLD_DUE, "other plan": OLD_DUE}


def test_it_moves_only_the_open_unreported_events_of_the_plan(events: dict[str, Event]) -> None:
    plan = events["open"].activity.plan
    Plan.objects.filter(pk=plan.pk).update(report_due_days=3)
    plan.refresh_from_db()
    version = Event.objects.get(pk=events["open"].pk).version
    assert _resubmit_due(events) == OLD_RESUBMIT
    assert services.events_recompute_due_at(plan=plan, now=NOW) == services.DueMomentsMoved(
        events=1, returned_reports=1
    )
    assert _due(events) == MOVED
    assert _resubmit_due(events) == NEW_RESUBMIT
    moved = Event.objects.get(pk=events["open"].pk)
    assert moved.version == version + 1
    last = moved.history.order_by("-history_id").first()
    assert (last.due_at, last.history_date, last.history_change_reason) == (
        NEW_DUE,
        NOW,
        "Изменено правило срока отчёта",
    )
    report = EventReport.objects.get(event=events["returned"]).history.order_by("-history_id").first()
    assert (report.resubmission_due_at, report.history_change_reason) == (NEW_RESUBMIT, "Изменено правило срока отчёта")
    again = services.events_recompute_due_at(plan=plan, now=NOW)  # run twice: nothing more moves
    assert again == services.DueMomentsMoved(events=0, returned_reports=0)


def test_it_follows_a_working_day_rule(events: dict[str, Event]) -> None:
    plan = events["open"].activity.plan
    Plan.objects.filter(pk=plan.pk).update(report_due_days=3, report_due_calendar="working")
    plan.refresh_from_db()
    services.events_recompute_due_at(plan=plan, now=NOW)
    # 10.03.2026 is a Tuesday: three working days later is Friday 13.03.
    assert Event.objects.get(pk=events["open"].pk).due_at == NEW_DUE


def _admin_form(plan: Plan, **changes: Any) -> dict[str, Any]:
    section = plan.sections.get()
    data = {
        "key": plan.key,
        "number": plan.number,
        "date": plan.date.strftime("%d.%m.%Y"),
        "issuer": plan.issuer,
        "title": plan.title,
        "roadmap_title": plan.roadmap_title,
        "first_year": plan.first_year,
        "last_year": plan.last_year,
        "report_due_days": plan.report_due_days,
        "report_due_calendar": plan.report_due_calendar,
        "escalation_days": plan.escalation_days,
        "signed_by": "",
        "contact": "",
        "contact_email": "",
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "1",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
        "sections-0-id": section.pk,
        "sections-0-plan": plan.pk,
        "sections-0-order": section.order,
        "sections-0-title": section.title,
    }
    return data | changes


def test_it_moves_the_open_events_when_the_admin_changes_the_rule(events: dict[str, Event], client: Any) -> None:
    plan = events["open"].activity.plan
    admin = UserFactory(role=Role.ADMIN)
    client.force_login(admin)
    url = f"/admin/roadmap/plan/{plan.pk}/change/"
    response = client.post(url, _admin_form(plan, title="Новое название"))  # not the rule: nothing moves
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _due(events)["open"] == OLD_DUE
    response = client.post(url, _admin_form(plan, report_due_days=3), follow=True)
    assert "пересчитаны" in response.content.decode()
    assert _due(events) == MOVED and _resubmit_due(events) == NEW_RESUBMIT
    last = Event.objects.get(pk=events["open"].pk).history.order_by("-history_id").first()
    assert last.history_user == admin and last.due_at == NEW_DUE


def test_it_brings_open_events_in_line_with_the_rule_on_a_plan_reload(order_plan: Plan) -> None:
    activity = order_plan.activities.order_by("number").first()
    event = services.event_create(
        user=None,
        activity=activity,
        organizer=OrganizationFactory(),
        title="Профпроба",
        start_date=dt.date(2025, 3, 10),
    )
    # The rule was changed by a path that did not move the events (as the admin did before).
    Plan.objects.filter(pk=order_plan.pk).update(report_due_days=3)
    result = plan_load(now=NOW)
    assert result.counts["event due moment:recomputed"] == 1
    assert Event.objects.get(pk=event.pk).due_at == msk(2025, 3, 13, 23, 59, 59)
    assert Plan.objects.get(pk=order_plan.pk).report_due_days == 3  # a reload keeps the administrator's rule
    assert not plan_load(now=NOW).counts["event due moment:recomputed"]


def test_a_returned_reports_new_due_moment_alone_moves_the_plans_stamp(events: dict[str, Event]) -> None:
    """Only a returned report's resubmission moment moves (no event's): what is kept of
    the plan's events is recomputed all the same (``EventWrite``); the other plan's is not."""
    from roadmap.events.memo import events_stamp

    plan = events["open"].activity.plan
    other = events["other plan"].activity.plan
    services.event_report_submit(  # no event of the plan is open any more: only the returned report moves
        user=None, event=events["open"], data=services.ReportData(summary="Прошло", participants_total=5), now=NOW
    )
    Plan.objects.filter(pk=plan.pk).update(report_due_days=3)
    plan.refresh_from_db()
    before, theirs = events_stamp(plan_id=plan.pk), events_stamp(plan_id=other.pk)
    moved = services.events_recompute_due_at(plan=plan, now=NOW)
    assert moved == services.DueMomentsMoved(events=0, returned_reports=1)
    assert events_stamp(plan_id=plan.pk) != before
    assert events_stamp(plan_id=other.pk) == theirs
