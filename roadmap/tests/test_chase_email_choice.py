"""The chase honours each user's choice of notices by e-mail; the inbox gets every notice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from roadmap.accounts.roles import Role
from roadmap.chase.notifications import chase_claim, chase_run, notifications_retry
from roadmap.events import services
from roadmap.events.selectors import inbox
from roadmap.events.services import ReportData
from roadmap.models import Event, Notification, User
from roadmap.tests.event_factories import (
    EventFactory,
    eager_celery,  # noqa: F401 (fixture)
    msk,
    plan_with,
)
from roadmap.tests.factories import ActivityFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.usefixtures("eager_celery")

END = dt.date(2026, 3, 10)  # due 11.03.2026 23:59:59


class World:
    def __init__(self) -> None:
        self.plan = plan_with(escalation_days=3, contact_email="minobr@tularegion.example")
        self.activity = ActivityFactory(section__plan=self.plan)
        self.college = OrganizationFactory(head_email="director@college.example")
        self.coordinator = UserFactory(role=Role.COORDINATOR, organization=self.college, email="coord@college.example")

    def event(self) -> Event:
        return EventFactory(
            activity=self.activity,
            organizer=self.college,
            start_date=END,
            responsible_email="resp@college.example",
        )


@pytest.fixture
def world(db: None) -> World:
    return World()


def switch_off(user: User, *kinds: str) -> None:
    user.email_notices_off = list(kinds)
    user.save(update_fields=["email_notices_off"])


def mailed() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_it_keeps_a_switched_off_kind_in_the_inbox_only(world: World) -> None:
    switch_off(world.coordinator, "due_tomorrow")
    world.event()
    result = chase_run(now=msk(2026, 3, 10, 12, 0))
    assert mailed() == {"resp@college.example"}  # the bare address has no account: always mailed
    assert result.sent == 1
    notice = Notification.objects.get(user=world.coordinator, kind="due_tomorrow")
    assert notice.status == Notification.Status.INBOX_ONLY and notice.sent_at is None
    assert list(inbox(world.coordinator)) == [notice]


def test_other_kinds_still_come_by_e_mail(world: World) -> None:
    switch_off(world.coordinator, "due_tomorrow")
    world.event()
    chase_run(now=msk(2026, 3, 10, 12, 0))
    mail.outbox.clear()
    chase_run(now=msk(2026, 3, 11, 18, 0))  # the second reminder, hours before the deadline
    assert mailed() == {"coord@college.example", "resp@college.example"}
    assert Notification.objects.get(user=world.coordinator, kind="due_soon").status == Notification.Status.SENT


def test_an_address_matched_to_an_account_follows_that_accounts_choice(world: World) -> None:
    """The responsible person's address belongs to an account: it is that person's mailbox."""
    responsible = UserFactory(email="Resp@College.example")
    switch_off(responsible, "due_tomorrow")
    world.event()
    chase_run(now=msk(2026, 3, 10, 12, 0))
    assert mailed() == {"coord@college.example"}
    notice = Notification.objects.get(recipient="resp@college.example")
    assert notice.user == responsible and notice.status == Notification.Status.INBOX_ONLY


def test_a_switch_made_before_a_retry_stops_the_retry(world: World) -> None:
    world.event()
    now = msk(2026, 3, 10, 12, 0)
    chase_claim(now=now)
    Notification.objects.update(status=Notification.Status.FAILED, next_attempt_at=now)
    switch_off(world.coordinator, "due_tomorrow")
    result = notifications_retry(now=now + dt.timedelta(minutes=1))
    assert (result.sent, result.inbox_only) == (1, 1)
    assert mailed() == {"resp@college.example"}
    assert notifications_retry(now=now + dt.timedelta(hours=1)).inbox_only == 0  # final: not picked again


def test_the_digest_respects_the_choice(world: World) -> None:
    wants = UserFactory(role=Role.MINISTRY, email="wants@minobr.example")
    does_not = UserFactory(role=Role.MINISTRY, email="quiet@minobr.example")
    switch_off(does_not, "digest")
    chase_run(now=msk(2026, 3, 11, 8, 0))
    assert mailed() == {"wants@minobr.example"}
    assert {n.user for n in Notification.objects.filter(kind="digest")} == {wants, does_not}
    assert Notification.objects.get(user=does_not, kind="digest").status == Notification.Status.INBOX_ONLY
    assert inbox(does_not).count() == 1


def test_a_returned_report_respects_the_choice(world: World, django_capture_on_commit_callbacks) -> None:
    switch_off(world.coordinator, "returned")
    event = world.event()
    report = services.event_report_submit(
        user=world.coordinator, event=event, data=ReportData(summary="x", participants_total=3), now=msk(2026, 3, 11)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_report_return(user=None, report=report, reason="Нет фото", now=msk(2026, 3, 13, 10))
    assert mailed() == {"resp@college.example"}
    assert inbox(world.coordinator).filter(kind="returned").count() == 1


def test_switching_everything_off_still_fills_the_inbox(world: World) -> None:
    switch_off(world.coordinator, *Notification.Kind.values)
    world.event()
    for now in (msk(2026, 3, 10, 12), msk(2026, 3, 11, 18), msk(2026, 3, 12, 0, 1)):
        chase_run(now=now)
    assert "coord@college.example" not in mailed()
    assert {n.kind for n in inbox(world.coordinator)} == {"due_tomorrow", "due_soon", "overdue"}
