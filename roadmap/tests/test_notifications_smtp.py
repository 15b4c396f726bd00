"""Notices leave through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from roadmap.accounts.roles import Role
from roadmap.chase.notifications import chase_run
from roadmap.models import Notification
from roadmap.tests.event_factories import EventFactory, msk, plan_with
from roadmap.tests.factories import ActivityFactory, OrganizationFactory, UserFactory


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.mark.django_db
def test_it_sends_the_overdue_notice_through_smtp(smtp: Inbox) -> None:
    college = OrganizationFactory(head_email="director@college.example")
    UserFactory(role=Role.COORDINATOR, organization=college, email="coord@college.example")
    EventFactory(
        activity=ActivityFactory(section__plan=plan_with()),
        organizer=college,
        title="Профпроба «Электромонтёр»",
        start_date=dt.date(2026, 3, 10),
    )
    assert chase_run(now=msk(2026, 3, 12, 0, 0)).sent == 2
    assert sorted(r[0] for r, _ in smtp.messages) == ["coord@college.example", "director@college.example"]
    _, message = smtp.messages[0]
    # (a folded encoded-word header may decode with a leading space)
    assert str(message["Subject"]).strip() == "Просрочен отчёт о событии «Профпроба «Электромонтёр»»"
    assert "истёк 23:59 11.03.2026" in message.get_content()
    assert Notification.objects.filter(status="sent").count() == 2
    assert not Notification.objects.filter(subject__startswith=" ").exists()


@pytest.mark.django_db
def test_it_retries_when_the_smtp_server_is_down(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    college = OrganizationFactory(head_email="")
    UserFactory(role=Role.COORDINATOR, organization=college, email="coord@college.example")
    EventFactory(
        activity=ActivityFactory(section__plan=plan_with()), organizer=college, start_date=dt.date(2026, 3, 10)
    )
    result = chase_run(now=msk(2026, 3, 12, 0, 0))
    assert (result.sent, result.failed) == (0, 1)
    row = Notification.objects.get()
    assert row.status == "failed" and row.attempts == 1 and "Connection" in row.last_error
