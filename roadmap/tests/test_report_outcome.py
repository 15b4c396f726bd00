"""``Event.report_outcome``: the event's mirror of its report, which the report-status filters read.

Kept by ``rollups_kept`` in every write of a report, never written by a save of
the event, set-wise by the bulk rebuild and the migration, and checked (and
fixed) by ``rollups_check``. The property test of ``test_rollups`` checks it
after every random write as well.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from roadmap.events import services
from roadmap.events.rollups import rollups_check, rollups_rebuild
from roadmap.events.selectors import events_list
from roadmap.events.status import ReportStatus, report_outcome
from roadmap.models import Event, EventReport
from roadmap.tests.event_factories import EventFactory, EventReportFactory, msk, plan_with
from roadmap.tests.factories import ActivityFactory, OrganizationFactory

DAY = dt.date(2026, 3, 10)


def _outcome(event: Event) -> str:
    return Event.objects.values_list("report_outcome", flat=True).get(pk=event.pk)


def _on_time(event: Event) -> bool | None:
    return Event.objects.values_list("report_on_time", flat=True).get(pk=event.pk)


def _timely(value: str, now: dt.datetime) -> set[int]:
    """The events the list's ``?timeliness=`` filter shows."""
    from roadmap.events.filters import EventFilter

    events = events_list(user=None, now=now, everything=True)
    listed = EventFilter({"timeliness": value}, queryset=events, now=now, organizers=None).qs
    return set(listed.values_list("pk", flat=True))


def _listed(status: str, now: dt.datetime) -> set[int]:
    return set(events_list(user=None, now=now, report_status=status, everything=True).values_list("pk", flat=True))


def _event(**extra: Any) -> Event:
    plan = plan_with()
    return services.event_create(
        user=None,
        activity=ActivityFactory(section__plan=plan),
        organizer=OrganizationFactory(),
        title="Профпроба",
        start_date=DAY,
        **extra,
    )


def _data(n: int = 12) -> services.ReportData:
    return services.ReportData(summary="Прошло", participants_total=n)


def test_the_outcome_is_the_reported_part_of_the_status() -> None:
    assert report_outcome(None, None) == ""
    assert report_outcome("submitted", True) == ReportStatus.ON_TIME
    assert report_outcome("submitted", False) == ReportStatus.LATE
    assert report_outcome("accepted", False) == ReportStatus.ACCEPTED
    assert report_outcome("returned", True) == ReportStatus.RETURNED


@pytest.mark.django_db
def test_the_services_keep_the_outcome_through_a_reports_life() -> None:
    event = _event()
    overdue_at = msk(2026, 3, 12, 0, 0)  # the due day (11.03) is over
    assert _outcome(event) == "" and _listed("overdue", overdue_at) == {event.pk}

    report = services.event_report_submit(user=None, event=event, data=_data(), now=msk(2026, 3, 11, 23, 59, 59))
    assert _outcome(event) == "on_time"
    assert _listed("overdue", overdue_at) == set() and _listed("on_time", overdue_at) == {event.pk}

    services.event_report_return(user=None, report=report, reason="Исправьте", now=overdue_at)
    assert _outcome(event) == "returned" and _listed("returned", overdue_at) == {event.pk}
    report.refresh_from_db()
    services.event_report_resubmit(user=None, report=report, data=_data(14), now=overdue_at)
    assert _outcome(event) == "on_time"  # the first submission's timeliness, frozen
    report.refresh_from_db()
    services.event_report_accept(user=None, report=report, now=overdue_at)
    assert _outcome(event) == "accepted" and _listed("accepted", overdue_at) == {event.pk}
    assert rollups_check().ok


@pytest.mark.django_db
def test_a_late_report_and_an_imported_one_get_their_outcomes() -> None:
    late, imported = _event(), _event()
    services.event_report_submit(user=None, event=late, data=_data(), now=msk(2026, 3, 12, 0, 0))
    outcome = services.event_reports_import(
        user=None,
        rows=[services.ReportRow(row=2, event_id=imported.pk, figures={"participants_total": 5}, summary="Прошло")],
        now=msk(2026, 3, 11, 9),
        commit=True,
    )
    assert not outcome.problems
    assert (_outcome(late), _outcome(imported)) == ("late", "on_time")


@pytest.mark.django_db
def test_a_full_save_of_an_instance_read_before_the_report_keeps_the_outcome() -> None:
    event = _event()
    stale = Event.objects.get(pk=event.pk)
    services.event_report_submit(user=None, event=event, data=_data(), now=msk(2026, 3, 11, 9))
    stale.title = "Профпроба (уточнено)"
    stale.save()
    assert _outcome(event) == "on_time"
    assert Event.objects.get(pk=event.pk).title == "Профпроба (уточнено)"
    assert "report_outcome" not in {f.name for f in Event.history.model._meta.get_fields()}


@pytest.mark.django_db
def test_a_save_of_a_partly_loaded_event_writes_only_what_was_loaded() -> None:
    event = _event()
    partial = Event.objects.only("pk", "title").get(pk=event.pk)
    Event.objects.filter(pk=event.pk).update(place="Тула, ул. Ленина, 1")
    partial.title = "Новое название"
    partial.save()
    saved = Event.objects.get(pk=event.pk)
    assert (saved.title, saved.place) == ("Новое название", "Тула, ул. Ленина, 1")


@pytest.mark.django_db
def test_rollups_check_finds_and_fixes_an_outcome_a_side_door_changed(capsys: Any) -> None:
    report = EventReportFactory(on_time=True)
    event = report.event
    assert _outcome(event) == "on_time"
    Event.objects.filter(pk=event.pk).update(report_outcome="late")  # past the services
    check = rollups_check()
    assert not check.ok and not check.differences
    assert [d.describe() for d in check.outcomes] == [
        f"event {event.pk}: report outcome stored 'late', recomputed 'on_time'"
    ]
    with pytest.raises(CommandError, match="1 events' report outcomes differ"):
        call_command("rollups_check")
    assert f"event {event.pk}: report outcome stored 'late'" in capsys.readouterr().out
    call_command("rollups_check", "--fix")
    assert "fixed 1 events' report outcomes" in capsys.readouterr().out
    assert _outcome(event) == "on_time" and rollups_check().ok


@pytest.mark.django_db
def test_a_report_deleted_past_the_services_is_found_by_the_check() -> None:
    report = EventReportFactory(status="accepted", accepted_at=msk(2026, 3, 11))
    EventReport.objects.filter(pk=report.pk).delete()
    check = rollups_check(fix=True)
    assert [(d.stored, d.recomputed) for d in check.outcomes] == [("accepted", "")]
    assert _outcome(report.event) == ""


@pytest.mark.django_db
def test_rebuild_sets_the_outcomes_after_a_bulk_load() -> None:
    events = [EventFactory(start_date=DAY) for _ in range(3)]
    for event, (status, on_time) in zip(events, [("submitted", False), ("returned", True)], strict=False):
        EventReport.objects.bulk_create(  # past the services, as the demo generator loads
            [
                EventReport(
                    event=event,
                    summary="-",
                    participants_total=1,
                    status=status,
                    submitted_at=event.due_at,
                    due_at_submission=event.due_at,
                    on_time=on_time,
                )
            ]
        )
    assert len(rollups_check().outcomes) == 2
    rollups_rebuild()
    assert [_outcome(e) for e in events] == ["late", "returned", ""]
    assert rollups_check().ok


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_the_outcomes_of_reports_already_filed() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("roadmap", "0017_event_region_statistics")])
    executor.loader.build_graph()
    old = executor.loader.project_state([("roadmap", "0017_event_region_statistics")]).apps
    Event_ = old.get_model("roadmap", "Event")
    Report_ = old.get_model("roadmap", "EventReport")
    org = old.get_model("roadmap", "Organization").objects.create(kind="college", short_name="К", name="К")
    plan = old.get_model("roadmap", "Plan").objects.create(
        key="p", number="1", date=dt.date(2022, 12, 16), issuer="М", title="Т", first_year=2026, last_year=2026
    )
    section = old.get_model("roadmap", "Section").objects.create(plan=plan, order=1, title="Раздел")
    activity = old.get_model("roadmap", "Activity").objects.create(
        section=section, plan=plan, number=1, name="Мероприятие", deadline_text="Постоянно"
    )
    due = msk(2026, 3, 11, 23, 59, 59)
    made = []
    for status, on_time in [("accepted", False), ("submitted", False), (None, None)]:
        event = Event_.objects.create(
            activity=activity, organizer=org, title="П", start_date=DAY, end_date=DAY, due_at=due
        )
        if status:
            Report_.objects.create(
                event=event,
                summary="-",
                participants_total=1,
                status=status,
                submitted_at=due,
                due_at_submission=due,
                on_time=on_time,
            )
        made.append(event.pk)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert [_outcome(Event(pk=pk)) for pk in made] == ["accepted", "late", ""]
    assert [_on_time(Event(pk=pk)) for pk in made] == [False, False, None]  # 0019: the timeliness too


@pytest.mark.django_db
def test_the_report_s_timeliness_is_mirrored_and_kept_whatever_becomes_of_it() -> None:
    """«С опозданием» and «в срок» read ``Event.report_on_time``: set at the first
    submission, kept through a return, a resubmission and the acceptance."""
    late, timely, unreported = _event(), _event(), _event()
    now = msk(2026, 3, 20, 12)
    assert (_on_time(late), _on_time(timely)) == (None, None)
    first = services.event_report_submit(user=None, event=late, data=_data(), now=msk(2026, 3, 12, 0, 0))
    services.event_report_submit(user=None, event=timely, data=_data(), now=msk(2026, 3, 11, 23, 59, 59))
    assert (_on_time(late), _on_time(timely), _on_time(unreported)) == (False, True, None)
    assert _timely("late", now) == {late.pk} and _timely("on_time", now) == {timely.pk}

    services.event_report_return(user=None, report=first, reason="Исправьте", now=now)
    first.refresh_from_db()
    services.event_report_resubmit(user=None, report=first, data=_data(14), now=now)
    first.refresh_from_db()
    services.event_report_accept(user=None, report=first, now=now)
    assert _outcome(late) == "accepted" and _on_time(late) is False
    assert _timely("late", now) == {late.pk}, "a late report later accepted is still late"

    stale = Event.objects.get(pk=unreported.pk)
    services.event_report_submit(user=None, event=unreported, data=_data(), now=msk(2026, 3, 11, 9))
    stale.title = "Профпроба (уточнено)"
    stale.save()  # an instance read before its report cannot write the mirror back
    assert _on_time(unreported) is True
    assert "report_on_time" not in {f.name for f in Event.history.model._meta.get_fields()}
    assert _timely("on_time", now) == {timely.pk, unreported.pk}
    assert rollups_check().ok


@pytest.mark.django_db
def test_rollups_check_finds_and_fixes_a_timeliness_a_side_door_changed(capsys: Any) -> None:
    report = EventReportFactory(on_time=False)
    event = report.event
    assert _on_time(event) is False
    unreported = EventFactory(start_date=DAY)
    Event.objects.filter(pk=event.pk).update(report_on_time=True)  # past the services
    Event.objects.filter(pk=unreported.pk).update(report_on_time=False)
    check = rollups_check()
    assert not check.ok and not check.differences
    assert [d.describe() for d in check.outcomes] == [
        f"event {event.pk}: report on time stored True, recomputed False",
        f"event {unreported.pk}: report on time stored False, recomputed None",
    ]
    with pytest.raises(CommandError, match="2 events' report outcomes differ"):
        call_command("rollups_check")
    call_command("rollups_check", "--fix")
    assert "fixed 2 events' report outcomes" in capsys.readouterr().out
    assert (_on_time(event), _on_time(unreported)) == (False, None) and rollups_check().ok
    EventReport.objects.filter(pk=report.pk).update(on_time=True)  # and the rebuild after a bulk load
    rollups_rebuild()
    assert _on_time(event) is True and rollups_check().ok
