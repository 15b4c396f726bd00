"""The chase: which notice goes out when, to whom, and never twice."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from typing import ClassVar

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from roadmap.accounts.roles import Role
from roadmap.chase.notifications import (
    backoff,
    chase_claim,
    chase_run,
    notifications_deliver,
    notifications_mark_read,
)
from roadmap.chase.tasks import chase_reports, deliver_notifications
from roadmap.events import services
from roadmap.events.selectors import inbox, unread_count
from roadmap.events.services import ReportData
from roadmap.models import Event, Notification
from roadmap.tests.event_factories import (
    EventFactory,
    EventReportFactory,
    eager_celery,  # noqa: F401 (fixture)
    msk,
    plan_with,
)
from roadmap.tests.factories import ActivityFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.usefixtures("eager_celery")

END = dt.date(2026, 3, 10)  # due 11.03.2026 23:59:59


class World:
    def __init__(self) -> None:
        self.plan = plan_with(escalation_days=3, contact_email="Minobr@tularegion.example")
        self.activity = ActivityFactory(section__plan=self.plan)
        self.college = OrganizationFactory(head_email="director@college.example")
        self.copp = OrganizationFactory(kind="copp", head_email="copp-director@copp.example")
        self.coordinator = UserFactory(role=Role.COORDINATOR, organization=self.college, email="coord@college.example")

    def event(self, **kw: object) -> Event:
        defaults: dict[str, object] = {
            "activity": self.activity,
            "organizer": self.college,
            "start_date": END,
            "responsible_email": "resp@college.example",
        }
        return EventFactory(**(defaults | kw))


@pytest.fixture
def world(db) -> World:
    return World()


def run(now: dt.datetime) -> int:
    return chase_run(now=now).sent


def sent_to(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind, status="sent").values_list("recipient", flat=True))


# --- what goes out when -------------------------------------------------------


def test_it_reminds_on_the_last_day_from_noon(world: World) -> None:
    world.event()
    assert run(msk(2026, 3, 10, 11, 59)) == 0
    assert run(msk(2026, 3, 10, 12, 0)) == 2
    assert sent_to("due_tomorrow") == {"coord@college.example", "resp@college.example"}
    assert {m.to[0] for m in mail.outbox} == {"coord@college.example", "resp@college.example"}
    assert "23:59 11.03.2026" in mail.outbox[0].subject
    assert run(msk(2026, 3, 10, 12, 0)) == 0
    assert run(msk(2026, 3, 10, 18, 0)) == 0


def test_it_sends_the_second_reminder_hours_before_the_deadline(world: World) -> None:
    world.event()
    assert run(msk(2026, 3, 11, 17, 59, 58)) == 0
    assert run(msk(2026, 3, 11, 17, 59, 59)) == 2
    assert sent_to("due_soon") == {"coord@college.example", "resp@college.example"}


def test_it_sends_the_overdue_notice_at_midnight_to_the_head_too(world: World) -> None:
    world.event()
    assert run(msk(2026, 3, 11, 23, 59, 59)) == 2  # only the second reminder
    assert run(msk(2026, 3, 12, 0, 0, 0)) == 3
    assert sent_to("overdue") == {"coord@college.example", "resp@college.example", "director@college.example"}


def test_it_escalates_after_the_plans_days(world: World) -> None:
    world.event()
    run(msk(2026, 3, 12, 0, 0))
    assert run(msk(2026, 3, 14, 23, 59, 59)) == 0
    assert run(msk(2026, 3, 15, 0, 0, 0)) == 2
    assert sent_to("escalation") == {"copp-director@copp.example", "minobr@tularegion.example"}


def test_it_stays_silent_for_reported_and_cancelled_events(world: World) -> None:
    EventReportFactory(event=world.event())
    world.event(cancelled_at=msk(2026, 3, 1), cancel_reason="Отменено")
    for now in (msk(2026, 3, 10, 13), msk(2026, 3, 11, 20), msk(2026, 3, 12, 1), msk(2026, 3, 16)):
        assert run(now) == 0


def test_it_does_not_mail_about_long_forgotten_events(world: World) -> None:
    world.event(start_date=dt.date(2026, 1, 10))
    assert run(msk(2026, 3, 12, 1)) == 0


def test_it_sends_a_daily_digest_to_ministry_staff_once(world: World) -> None:
    UserFactory(role=Role.MINISTRY, email="staff@minobr.example")
    world.event(title="Ярмарка профессий")
    EventReportFactory(
        event=world.event(start_date=dt.date(2026, 3, 9)), submitted_at=msk(2026, 3, 10, 9), on_time=True
    )
    assert run(msk(2026, 3, 11, 7, 59)) == 0
    run(msk(2026, 3, 11, 8, 0))
    digest = Notification.objects.get(kind="digest")
    assert digest.recipient == "staff@minobr.example" and digest.digest_date == dt.date(2026, 3, 10)
    assert "Ярмарка профессий" in digest.body and "Поступило отчётов: 1" in digest.body
    run(msk(2026, 3, 11, 9, 0))
    assert Notification.objects.filter(kind="digest").count() == 1


def test_it_tells_about_a_return_and_chases_the_correction(world: World, django_capture_on_commit_callbacks) -> None:
    event = world.event()
    report = services.event_report_submit(
        user=world.coordinator, event=event, data=ReportData(summary="x", participants_total=3), now=msk(2026, 3, 11)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.event_report_return(user=None, report=report, reason="Нет фото", now=msk(2026, 3, 13, 10))
    assert sent_to("returned") == {"coord@college.example", "resp@college.example"}
    assert "Нет фото" in mail.outbox[-1].body
    assert run(msk(2026, 3, 14, 23, 59, 59)) == 0
    assert run(msk(2026, 3, 15, 0, 0)) == 3
    assert sent_to("resubmit_overdue") == {"coord@college.example", "resp@college.example", "director@college.example"}


# --- never twice ----------------------------------------------------------------


def test_the_command_prints_sent_n_then_sent_0(world: World) -> None:
    world.event()
    out = StringIO()
    call_command("chase_reports", "--now", "2026-03-12T00:00:00+03:00", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "sent 3"
    out = StringIO()
    call_command("chase_reports", "--now", "2026-03-12T00:00:00+03:00", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "sent 0"
    assert len(mail.outbox) == 3


def test_a_redelivered_task_sends_nothing_twice(world: World) -> None:
    world.event()
    claim = chase_claim(now=msk(2026, 3, 12, 1))
    assert claim.total == 3
    assert deliver_notifications(token=claim.token) == {"sent": 3, "failed": 0}
    assert deliver_notifications(token=claim.token) == {"sent": 0, "failed": 0}
    ids = list(Notification.objects.values_list("id", flat=True))
    assert notifications_deliver(now=msk(2026, 3, 12, 2), ids=ids).sent == 0
    assert len(mail.outbox) == 3


def test_the_beat_task_claims_and_delivers_once(world: World) -> None:
    world.event()
    assert chase_reports(now="2026-03-12T00:30:00+03:00")["claimed"] == {"overdue": 3}
    assert chase_reports(now="2026-03-12T00:30:00+03:00")["claimed"] == {}
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_passes_send_each_notice_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    world = World()
    for _ in range(40):
        world.event()
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def one_pass() -> None:
        try:
            barrier.wait()
            results.append(run(msk(2026, 3, 12, 0, 5)))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one_pass) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(results) == 40 * 3
    assert Notification.objects.count() == 40 * 3
    assert len(mail.outbox) == 40 * 3
    assert len({(m.to[0], m.subject, m.body) for m in mail.outbox}) == 40 * 3


def test_a_pass_runs_a_constant_number_of_queries(world: World) -> None:
    """However many events exist, a pass costs the same; only the bulk inserts of
    the notices themselves are batched (SQLite binds at most 999 parameters)."""
    counts = []
    for background in (5, 150):
        Event.objects.all().delete()
        for _ in range(5):
            world.event(start_date=dt.date(2026, 3, 10))  # overdue now: 3 notices each
        for _ in range(background):
            world.event(start_date=dt.date(2026, 3, 11))  # awaiting: nothing to send
            world.event(start_date=dt.date(2026, 3, 20))  # planned
            EventReportFactory(event=world.event(start_date=dt.date(2026, 3, 9)))  # reported
        with CaptureQueriesContext(connection) as ctx:
            assert run(msk(2026, 3, 12, 0, 10)) == 15
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


# --- failures ---------------------------------------------------------------------


class FlakyBackend(BaseEmailBackend):
    """Fails for addresses in ``failing``; records the rest."""

    failing: ClassVar[set[str]] = set()
    delivered: ClassVar[list[str]] = []

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        for message in messages:
            if message.to[0] in self.failing:
                raise ConnectionRefusedError("SMTP server down")
            self.delivered.append(message.to[0])
        return len(messages)


def test_a_failed_send_is_retried_with_backoff_and_shown(world: World, settings) -> None:
    settings.EMAIL_BACKEND = "roadmap.tests.test_chase.FlakyBackend"
    FlakyBackend.failing = {"director@college.example"}
    FlakyBackend.delivered = []
    world.event()
    now = msk(2026, 3, 12, 0, 0)
    result = chase_run(now=now)
    assert (result.sent, result.failed) == (2, 1)
    failed = Notification.objects.get(status="failed")
    assert failed.recipient == "director@college.example" and "SMTP server down" in failed.last_error
    assert failed.next_attempt_at == now + dt.timedelta(minutes=5)
    assert run(now + dt.timedelta(minutes=4)) == 0  # still backing off
    result = chase_run(now=now + dt.timedelta(minutes=5))
    assert (result.sent, result.failed) == (0, 1)
    assert Notification.objects.get(pk=failed.pk).next_attempt_at == now + dt.timedelta(minutes=15)
    FlakyBackend.failing = set()
    assert run(now + dt.timedelta(minutes=15)) == 1
    assert FlakyBackend.delivered.count("director@college.example") == 1
    assert FlakyBackend.delivered.count("coord@college.example") == 1


def test_it_gives_up_after_the_last_attempt(world: World, settings) -> None:
    settings.EMAIL_BACKEND = "roadmap.tests.test_chase.FlakyBackend"
    settings.ROADMAP_CHASE = {"max_attempts": 2}
    FlakyBackend.failing = {"director@college.example"}
    world.event()
    now = msk(2026, 3, 12, 0, 0)
    chase_run(now=now)
    chase_run(now=now + dt.timedelta(hours=1))
    row = Notification.objects.get(recipient="director@college.example")
    assert row.status == "gave_up" and row.attempts == 2
    assert run(now + dt.timedelta(days=1)) == 0


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert backoff(30) == dt.timedelta(hours=6)


# --- inbox ---------------------------------------------------------------------------


def test_it_fills_the_inbox_with_unread_counts(world: World) -> None:
    world.event()
    run(msk(2026, 3, 10, 12))
    run(msk(2026, 3, 12, 0))
    assert unread_count(world.coordinator) == 2
    assert [n.kind for n in inbox(world.coordinator)] == ["overdue", "due_tomorrow"]
    notifications_mark_read(user=world.coordinator, now=msk(2026, 3, 12, 9), ids=[inbox(world.coordinator)[0].pk])
    assert unread_count(world.coordinator) == 1
    stranger = UserFactory(role=Role.COORDINATOR, organization=OrganizationFactory())
    assert notifications_mark_read(user=stranger, now=msk(2026, 3, 12, 9)) == 0
    assert unread_count(world.coordinator) == 1


def test_an_account_without_e_mail_still_gets_the_inbox(world: World) -> None:
    silent = UserFactory(role=Role.COORDINATOR, organization=world.college, email="")
    world.event()
    run(msk(2026, 3, 12, 0))
    row = Notification.objects.get(user=silent)
    assert row.status == "sent" and row.recipient == f"user:{silent.pk}"
    assert len(mail.outbox) == 3
