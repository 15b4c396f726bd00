"""The chase: who is reminded of which report, claimed once, then delivered.

One pass (``chase_claim``) finds, with one indexed query per kind of notice,
the events that need a notice now and have not had one of that kind yet,
works out the recipients in bulk and inserts one ``Notification`` row per
(event, kind, cycle, recipient) with ``bulk_create(ignore_conflicts=True)``.
The unique constraints make that insert the claim: a row that already
exists -- from an earlier pass, a concurrent beat tick, a retried task -- is
silently skipped, and only rows carrying this pass's ``claim_token`` are ours
to send. Delivery (``notifications_deliver``) claims again with a
conditional UPDATE (pending -> sending), so a re-delivered task finds nothing
left to send. A send that fails is marked ``failed`` with a backoff and is
retried by ``notifications_retry``; after ``max_attempts`` it is ``gave_up``.
Each notice is claimed and marked sent on its own, so a worker killed
mid-batch leaves at most one row in ``sending``; the rest stay pending and
are sent by the next pass. A row in ``sending`` past a time limit is "in
doubt" (the message may have left): it is not resent automatically, the
admin lists it and its "send again" action queues it.

The number of queries of a pass does not depend on the number of events; it
grows only with the number of notices claimed (bulk inserts in batches).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from roadmap.accounts.roles import GROUP_NAMES, Role
from roadmap.events.status import DEADLINE_SECOND, late_from, moscow_date
from roadmap.models import Event, EventReport, Notification, Organization, Plan, User
from roadmap.plans.deadlines import MOSCOW

logger = logging.getLogger(__name__)

Kind = Notification.Kind
Status = Notification.Status


@dataclass(frozen=True)
class ChaseSettings:
    """When notices go out; override with ``settings.ROADMAP_CHASE = {...}``."""

    # The "report due by ..." reminder goes out on the event's last day from this hour (Moscow).
    first_reminder_hour: int = 12
    # The second reminder: this many hours before the deadline, if nothing is in.
    second_reminder_hours: int = 6
    # Reports missing for longer than this are shown in figures, but no longer mailed:
    # importing last year's events must not flood anyone's mailbox.
    lookback_days: int = 14
    # The daily digest to ministry staff goes out from this hour (Moscow).
    digest_hour: int = 8
    max_attempts: int = 8
    backoff_first_minutes: int = 5
    backoff_max_minutes: int = 6 * 60
    # A delivery task that never ran (lost by the broker) is picked up after this.
    pending_stale_minutes: int = 10
    # A notice still "sending" after this long was claimed by a worker that died
    # mid-send: it is "in doubt" (listed in the admin, resent only by hand).
    sending_in_doubt_minutes: int = 15


def chase_settings() -> ChaseSettings:
    return ChaseSettings(**getattr(settings, "ROADMAP_CHASE", {}))


def backoff(attempts: int, conf: ChaseSettings | None = None) -> timedelta:
    """Delay before retry number ``attempts`` + 1: 5, 10, 20, ... minutes, capped."""
    conf = conf or chase_settings()
    minutes = conf.backoff_first_minutes * 2 ** max(attempts - 1, 0)
    return timedelta(minutes=min(minutes, conf.backoff_max_minutes))


# ---------------------------------------------------------------------------
# Recipients
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    key: str
    email: str
    user_id: int | None


class _Directory:
    """Coordinators per organisation and accounts per e-mail, loaded in bulk."""

    def __init__(self, organization_ids: Iterable[int], emails: Iterable[str]) -> None:
        self.coordinators: dict[int, list[User]] = {}
        org_ids = set(organization_ids)
        if org_ids:
            for user in User.objects.filter(
                organization_id__in=org_ids,
                is_active=True,
                groups__name=GROUP_NAMES[Role.COORDINATOR],
            ).distinct():
                assert user.organization_id is not None  # filtered on organization_id__in
                self.coordinators.setdefault(user.organization_id, []).append(user)
        wanted = {e.strip().lower() for e in emails if e and e.strip()}
        self.by_email: dict[str, int] = {}
        if wanted:
            for user_id, email in (
                User.objects.filter(is_active=True)
                .annotate(email_lower=Lower("email"))
                .filter(email_lower__in=wanted)
                .order_by("id")
                .values_list("id", "email_lower")
            ):
                self.by_email.setdefault(email, user_id)

    def user(self, user: User | None) -> list[Recipient]:
        if user is None or not user.is_active:
            return []
        email = (user.email or "").strip().lower()
        return [Recipient(key=email or f"user:{user.pk}", email=email, user_id=user.pk)]

    def address(self, email: str | None) -> list[Recipient]:
        email = (email or "").strip().lower()
        if not email:
            return []
        return [Recipient(key=email, email=email, user_id=self.by_email.get(email))]

    def organization(self, organization_id: int) -> list[Recipient]:
        return [r for u in self.coordinators.get(organization_id, []) for r in self.user(u)]


def _unique(recipients: Iterable[Recipient]) -> list[Recipient]:
    """One recipient per key; an entry with an account wins over a bare address."""
    chosen: dict[str, Recipient] = {}
    for r in recipients:
        if r.key not in chosen or (chosen[r.key].user_id is None and r.user_id is not None):
            chosen[r.key] = r
    return list(chosen.values())


def _event_people(event: Event, directory: _Directory, report: EventReport | None = None) -> list[Recipient]:
    """Who answers for an event's report: its coordinators and the responsible person."""
    people = [
        *directory.organization(event.organizer_id),
        *directory.user(event.coordinator),
        *directory.address(event.responsible_email),
    ]
    if report is not None and report.submitted_by is not None:
        people += directory.user(report.submitted_by)
    return people


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


def site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


_EVENT_URL_NAMES = ("event_detail", "roadmap:event_detail", "events:detail")


@lru_cache(maxsize=1)
def _event_url_name() -> str | None:
    """The URL name of the event page, if the web UI has one (looked up once)."""
    for name in _EVENT_URL_NAMES:
        try:
            reverse(name, args=[1])
        except NoReverseMatch:
            continue
        return name
    return None


def event_url(event_id: int) -> str:
    name = _event_url_name()
    return site_url() + (reverse(name, args=[event_id]) if name else "/")


def _render(kind: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render ``templates/email/<kind>.txt``: the first line is the subject."""
    text = render_to_string(f"email/{kind}.txt", {"site_url": site_url(), **context})
    subject, _, body = text.strip().partition("\n")
    return subject.strip()[:255], body.strip() + "\n"


def _event_context(event: Event, **extra: Any) -> dict[str, Any]:
    return {
        "event": event,
        "due_at": event.due_at.astimezone(MOSCOW),
        "url": event_url(event.pk),
        **extra,
    }


# ---------------------------------------------------------------------------
# Claiming
# ---------------------------------------------------------------------------


@dataclass
class ClaimResult:
    token: str
    claimed: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.claimed.values())


def _open_events() -> QuerySet[Event]:
    return Event.objects.filter(cancelled_at__isnull=True).select_related("activity__plan", "organizer", "coordinator")


def _not_yet(kind: str, cycle: Any = 0) -> Exists:
    return Exists(Notification.objects.filter(event=OuterRef("pk"), kind=kind, cycle=cycle))


def _event_candidates(now: datetime, conf: ChaseSettings, plans: list[Plan]) -> list[tuple[str, Event]]:
    """(kind, event) pairs that need a notice now; one query per kind (per plan for escalation)."""
    today = moscow_date(now)
    local = now.astimezone(MOSCOW)
    overdue_cut = now - DEADLINE_SECOND  # due_at <= this: late
    lookback = now - timedelta(days=conf.lookback_days)
    soon = timedelta(hours=conf.second_reminder_hours)
    pending = _open_events().filter(report__isnull=True)
    found: list[tuple[str, Event]] = []

    if local.hour >= conf.first_reminder_hour:
        # On the last day: "the report is due by ...", unless the second reminder window has begun.
        qs = pending.filter(end_date=today, due_at__gt=now + soon).filter(~_not_yet(Kind.DUE_WITHIN_RULE))
        found += [(Kind.DUE_WITHIN_RULE, e) for e in qs]
    qs = pending.filter(end_date__lte=today, due_at__gt=overdue_cut, due_at__lte=now + soon).filter(
        ~_not_yet(Kind.DUE_SOON)
    )
    found += [(Kind.DUE_SOON, e) for e in qs]
    qs = pending.filter(due_at__lte=overdue_cut, due_at__gt=lookback).filter(~_not_yet(Kind.OVERDUE))
    found += [(Kind.OVERDUE, e) for e in qs]
    for plan in plans:
        cut = overdue_cut - timedelta(days=plan.escalation_days)
        qs = pending.filter(activity__plan=plan, due_at__lte=cut, due_at__gt=cut - (now - lookback)).filter(
            ~_not_yet(Kind.ESCALATION)
        )
        found += [(Kind.ESCALATION, e) for e in qs]
    return found


def _resubmit_candidates(now: datetime, conf: ChaseSettings) -> list[EventReport]:
    return list(
        EventReport.objects.filter(
            status=EventReport.Status.RETURNED,
            event__cancelled_at__isnull=True,
            resubmission_due_at__lte=now - DEADLINE_SECOND,
            resubmission_due_at__gt=now - timedelta(days=conf.lookback_days),
        )
        .filter(
            ~Exists(
                Notification.objects.filter(
                    event=OuterRef("event_id"), kind=Kind.RESUBMIT_OVERDUE, cycle=OuterRef("return_count")
                )
            )
        )
        .select_related("event__activity__plan", "event__organizer", "event__coordinator", "submitted_by")
    )


def _rows_for(
    *,
    kind: str,
    recipients: Iterable[Recipient],
    subject: str,
    body: str,
    now: datetime,
    token: str,
    event_id: int | None = None,
    cycle: int = 0,
    digest_date: date | None = None,
) -> list[Notification]:
    return [
        Notification(
            event_id=event_id,
            kind=kind,
            cycle=cycle,
            digest_date=digest_date,
            recipient=r.key,
            email=r.email,
            user_id=r.user_id,
            subject=subject,
            body=body,
            status=Status.PENDING,
            claim_token=token,
            created_at=now,
        )
        for r in _unique(recipients)
    ]


def _insert(rows: list[Notification], token: str) -> Counter[str]:
    """Insert-or-skip; the rows that carry ``token`` afterwards are the ones we claimed."""
    if not rows:
        return Counter()
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return Counter(
        dict(
            Notification.objects.filter(claim_token=token)
            .values_list("kind")
            .annotate(n=Count("id"))
            .values_list("kind", "n")
        )
    )


def chase_claim(*, now: datetime) -> ClaimResult:
    """Claim every notice due at ``now``; send nothing (see ``notifications_deliver``)."""
    conf = chase_settings()
    token = uuid.uuid4().hex
    plans = list(Plan.objects.all())
    candidates = _event_candidates(now, conf, plans)
    resubmits = _resubmit_candidates(now, conf)

    copp_heads: list[str] = []
    if any(kind == Kind.ESCALATION for kind, _ in candidates):
        copp_heads = list(
            Organization.objects.filter(kind=Organization.Kind.COPP, is_active=True)
            .exclude(head_email="")
            .values_list("head_email", flat=True)
        )
    org_ids = {e.organizer_id for _, e in candidates} | {r.event.organizer_id for r in resubmits}
    emails = [
        *copp_heads,
        *(p.contact_email for p in plans),
        *(e.responsible_email for _, e in candidates),
        *(e.organizer.head_email for _, e in candidates),
        *(r.event.responsible_email for r in resubmits),
        *(r.event.organizer.head_email for r in resubmits),
    ]
    directory = _Directory(org_ids, emails)

    rows: list[Notification] = []
    for kind, event in candidates:
        recipients: list[Recipient]
        if kind == Kind.ESCALATION:
            recipients = [
                *(r for email in copp_heads for r in directory.address(email)),
                *directory.address(event.activity.plan.contact_email),
            ]
        else:
            recipients = _event_people(event, directory)
            if kind == Kind.OVERDUE:
                recipients += directory.address(event.organizer.head_email)
        if not recipients:
            continue
        context = _event_context(event, plan=event.activity.plan, now=now.astimezone(MOSCOW))
        subject, body = _render(kind, context)
        rows += _rows_for(
            kind=kind, recipients=recipients, subject=subject, body=body, now=now, token=token, event_id=event.pk
        )
    for report in resubmits:
        assert report.resubmission_due_at is not None  # _resubmit_candidates filters on it
        event = report.event
        recipients = [*_event_people(event, directory, report), *directory.address(event.organizer.head_email)]
        context = _event_context(
            event, report=report, resubmission_due_at=report.resubmission_due_at.astimezone(MOSCOW)
        )
        subject, body = _render(Kind.RESUBMIT_OVERDUE, context)
        rows += _rows_for(
            kind=Kind.RESUBMIT_OVERDUE,
            recipients=recipients,
            subject=subject,
            body=body,
            now=now,
            token=token,
            event_id=event.pk,
            cycle=report.return_count,
        )
    rows += _digest_rows(now=now, conf=conf, token=token)
    return ClaimResult(token=token, claimed=_insert(rows, token))


def _digest_rows(*, now: datetime, conf: ChaseSettings, token: str) -> list[Notification]:
    """The daily digest to ministry staff about yesterday (Moscow), once per day and person."""
    local = now.astimezone(MOSCOW)
    if local.hour < conf.digest_hour:
        return []
    day = local.date() - timedelta(days=1)
    already = set(
        Notification.objects.filter(kind=Kind.DIGEST, digest_date=day, event__isnull=True).values_list(
            "recipient", flat=True
        )
    )
    directory = _Directory((), ())
    recipients = [
        r
        for u in User.objects.filter(is_active=True, groups__name=GROUP_NAMES[Role.MINISTRY]).distinct()
        for r in directory.user(u)
        if r.key not in already
    ]
    if not recipients:
        return []
    from roadmap.events.selectors import daily_digest

    subject, body = _render(Kind.DIGEST, {"digest": daily_digest(day=day, now=now), "day": day})
    return _rows_for(
        kind=Kind.DIGEST, recipients=recipients, subject=subject, body=body, now=now, token=token, digest_date=day
    )


def notify_report_returned(*, report: EventReport, now: datetime) -> ClaimResult:
    """Tell the report's people it was returned; delivered after the transaction commits."""
    token = uuid.uuid4().hex
    event = report.event
    directory = _Directory([event.organizer_id], [event.responsible_email])
    assert report.resubmission_due_at is not None  # event_report_return set it with the return
    context = _event_context(event, report=report, resubmission_due_at=report.resubmission_due_at.astimezone(MOSCOW))
    subject, body = _render(Kind.RETURNED, context)
    rows = _rows_for(
        kind=Kind.RETURNED,
        recipients=_event_people(event, directory, report),
        subject=subject,
        body=body,
        now=now,
        token=token,
        event_id=event.pk,
        cycle=report.return_count,
    )
    result = ClaimResult(token=token, claimed=_insert(rows, token))
    if result.total:
        from roadmap.chase.tasks import enqueue_delivery

        transaction.on_commit(lambda: enqueue_delivery(token))
    return result


# ---------------------------------------------------------------------------
# Delivery
# ---------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: int = 0
    # Notices whose user switched their kind off by e-mail: left in the inbox, not mailed.
    inbox_only: int = 0


def notifications_deliver(*, now: datetime, token: str | None = None, ids: list[int] | None = None) -> DeliveryResult:
    """Send pending notices of a claim (``token``) or given ``ids``, each at most once."""
    if token is None and ids is None:
        raise ValueError("token or ids required")
    where = Q(status=Status.PENDING)
    where &= Q(claim_token=token) if token is not None else Q(id__in=ids)
    return _send(where, now)


def notifications_retry(*, now: datetime) -> DeliveryResult:
    """Retry failed notices whose backoff has passed, and pick up lost deliveries."""
    conf = chase_settings()
    where = Q(status=Status.FAILED, next_attempt_at__lte=now) | Q(
        status=Status.PENDING, created_at__lte=now - timedelta(minutes=conf.pending_stale_minutes)
    )
    return _send(where, now)


def email_wanted(notification: Notification) -> bool:
    """Whether a notice may go out by e-mail (its inbox copy is kept either way).

    A notice with an account (``user``) honours that user's choice on the
    profile page: its address is the user's own -- ``user.email`` or an
    address such as ``responsible_email`` that the directory matched to the
    account. A bare address without an account (an organisation's mailbox, the
    plan's contact) has no one to choose, so it always gets the e-mail.
    """
    user = notification.user
    return user is None or notification.kind not in (user.email_notices_off or [])


# Candidates are read in pages this size; each one is still claimed and marked on its own.
_PAGE = 500


def _send(where: Q, now: datetime) -> DeliveryResult:
    """Send the notices matching ``where``, claiming and marking them one at a time.

    Each notice goes pending/failed -> sending (a conditional UPDATE: zero rows
    means another worker took it), is sent, and is marked sent at once by
    another conditional UPDATE on the state we claimed it in. A worker killed
    mid-batch therefore leaves at most one notice in ``sending`` -- "in doubt",
    since the message may have left -- and the rest still pending, for the
    redelivered task or ``notifications_retry`` to send (once: a sent notice
    no longer matches any delivery filter).

    A notice the recipient does not want by e-mail (``email_wanted``) is moved
    straight to ``inbox_only`` by the same kind of conditional UPDATE: the
    preference is read when the notice is about to leave, so switching a kind
    off also stops notices still waiting for a retry.
    """
    conf = chase_settings()
    claim = "d-" + uuid.uuid4().hex
    result = DeliveryResult()
    # Inbox-only notices (an account without e-mail) have nothing to transmit.
    result.sent += Notification.objects.filter(where, email="").update(
        status=Status.SENT, sent_at=now, attempts=F("attempts") + 1, last_error="", next_attempt_at=None
    )
    connection = None
    last_id = 0
    # ``sending_since`` marks when each notice was claimed: the pass's ``now``
    # plus the time the pass has been running, so a long pass's latest notice
    # does not look "in doubt" while it is being sent.
    started = time.monotonic()
    try:
        while True:
            page = list(
                Notification.objects.filter(where, id__gt=last_id)
                .exclude(email="")
                .select_related("user")
                .only("id", "email", "subject", "body", "attempts", "kind", "user", "user__email_notices_off")
                .order_by("id")[:_PAGE]
            )
            if not page:
                break
            last_id = page[-1].id
            for row in page:
                if not email_wanted(row):
                    result.inbox_only += Notification.objects.filter(where, id=row.id).update(
                        status=Status.INBOX_ONLY, last_error="", next_attempt_at=None
                    )
                    continue
                # The claim: only the worker whose UPDATE changes the row sends it.
                if not Notification.objects.filter(where, id=row.id).update(
                    status=Status.SENDING,
                    claim_token=claim,
                    attempts=F("attempts") + 1,
                    sending_since=now + timedelta(seconds=int(time.monotonic() - started)),
                ):
                    continue
                attempts = row.attempts + 1
                if connection is None:
                    connection = get_connection(fail_silently=False)
                mine = Notification.objects.filter(id=row.id, claim_token=claim, status=Status.SENDING)
                try:
                    EmailMessage(
                        subject=row.subject,
                        body=row.body,
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[row.email],
                        connection=connection,
                    ).send()
                except Exception as exc:  # noqa: BLE001 -- any transport error means "retry later"
                    logger.warning("notification %s to %s failed: %s", row.id, row.email, exc)
                    gave_up = attempts >= conf.max_attempts
                    mine.update(
                        status=Status.GAVE_UP if gave_up else Status.FAILED,
                        last_error=f"{type(exc).__name__}: {exc}"[:2000],
                        next_attempt_at=None if gave_up else now + backoff(attempts, conf),
                    )
                    result.failed += 1
                    _close(connection)
                    connection = None
                    continue
                result.sent += mine.update(status=Status.SENT, sent_at=now, last_error="", next_attempt_at=None)
    finally:
        if connection is not None:
            _close(connection)
    return result


def _close(connection: Any) -> None:
    try:
        connection.close()
    except Exception:  # a connection that will not close is dropped anyway
        logger.info("closing the mail connection failed", exc_info=True)


def notifications_in_doubt(*, now: datetime) -> QuerySet[Notification]:
    """Notices claimed for sending longer ago than the limit: the worker died mid-send.

    The message may or may not have left, so nothing resends them by itself;
    the admin lists them and its "send again" action queues them.
    """
    conf = chase_settings()
    cut = now - timedelta(minutes=conf.sending_in_doubt_minutes)
    return Notification.objects.filter(Q(sending_since__lte=cut) | Q(sending_since__isnull=True), status=Status.SENDING)


@dataclass
class ChaseResult:
    claimed: Counter[str]
    sent: int
    failed: int
    retried: int = 0


def chase_run(*, now: datetime) -> ChaseResult:
    """One whole pass in this process: claim, deliver, then retry failed sends."""
    claim = chase_claim(now=now)
    delivered = notifications_deliver(now=now, token=claim.token)
    retried = notifications_retry(now=now)
    return ChaseResult(
        claimed=claim.claimed,
        sent=delivered.sent + retried.sent,
        failed=delivered.failed + retried.failed,
        retried=retried.sent,
    )


# ---------------------------------------------------------------------------
# Inbox
# ---------------------------------------------------------------------------


def notifications_mark_read(*, user: User, now: datetime, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notices read (all of them when ``ids`` is None)."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(id__in=list(ids))
    return qs.update(read_at=now)


def notification_resend(*, notification_ids: Iterable[int], now: datetime) -> int:
    """Admin action: queue failed, given-up or in-doubt notices for another attempt.

    A notice in ``sending`` counts only once it is in doubt: before the limit a
    worker may be sending it right now, and resending it could send it twice.
    """
    ids = list(notification_ids)
    stuck = notifications_in_doubt(now=now).filter(id__in=ids).values("id")
    return Notification.objects.filter(
        Q(status__in=[Status.FAILED, Status.GAVE_UP]) | Q(id__in=stuck), id__in=ids
    ).update(status=Status.FAILED, next_attempt_at=now, attempts=0)


__all__ = [
    "ChaseResult",
    "ChaseSettings",
    "ClaimResult",
    "DeliveryResult",
    "chase_claim",
    "chase_run",
    "email_wanted",
    "late_from",
    "notification_resend",
    "notifications_deliver",
    "notifications_in_doubt",
    "notifications_mark_read",
    "notifications_retry",
    "notify_report_returned",
]
