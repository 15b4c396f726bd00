"""Event rollups: counters per (plan, organiser, activity, municipality, last day, due moment).

Every figure of report timeliness once aggregated every event of the year
on each call; ``roadmap.models.EventRollup`` keeps the counters instead, and
``roadmap.events.selectors.timeliness_figures`` sums a year of them.

How they stay exact:

* **Kept by the services, in the write's transaction.** Every service that
  writes events or reports (``roadmap.events.services``) runs its write inside
  ``rollups_kept(event_ids)``: the events' contribution is read *before*
  (locking their rows, so every writer of an event or of its report is
  serialised on the event row, the event first, then the report), again
  *after*, and the difference is added to the counters with one
  ``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`` (PostgreSQL and
  SQLite both have it), so concurrent writes to the same key add up instead
  of overwriting each other. Bulk loads that bypass the services (the demo
  generator, the demo clean-up) call ``rollups_rebuild`` when they finish.
* **Time is in the key, not in the counters.** A report turning overdue at
  midnight changes no counter: "held and not reported" per key and the key's
  stored due moment give missing versus not yet due at any moment. An event
  whose due moment is recomputed (a moved event, a changed plan rule) moves
  to another key like any other change.
* **The report mirrored on its event.** ``apply`` also copies each report's
  outcome (``roadmap.events.status.report_outcome``) to
  ``Event.report_outcome``, which the report-status filters read from the
  event's own index, and whether it was filed on time to
  ``Event.report_on_time``, which the timeliness filters read;
  ``rollups_rebuild`` sets both set-wise after bulk loads.
* **Checked against the records.** ``rollups_check`` (the ``rollups_check``
  command and a nightly task) recomputes them from the events and reports and
  lists every difference; ``fix=True`` rewrites the rows that differ.

Two computations of the same thing live here on purpose: ``_contribution``
(Python, per event, used by the services) and ``_recomputed`` (SQL, grouped,
used by the check), so the check is a real second opinion.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, DateTimeField, F, Max, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models import Field as DjangoField
from django.db.models.functions import Coalesce, Greatest

from roadmap.events.status import REPORT_OUTCOMES, report_outcome
from roadmap.models import Event, EventRollup, EventWrite, Plan, Region

logger = logging.getLogger(__name__)

# The key of a rollup row, in this order. The region (the one its events count
# in) follows from the organiser: a column of the row, not part of the key.
KEY_FIELDS = ("plan_id", "organization_id", "activity_id", "municipality_key", "day", "due_at")
COUNTER_FIELDS = (
    "held",
    "cancelled",
    "on_time",
    "late",
    "accepted",
    "returned",
    "participants",
    "participants_accepted",
)
# ``latest`` of a key nothing dated has touched yet.
NO_STAMP = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

Key = tuple[int, int, int, int, dt.date, dt.datetime]
Counters = tuple[int, ...]

_EVENT_FIELDS = (
    "pk",
    "activity__plan_id",
    "organizer_id",
    "activity_id",
    "municipality_id",
    "end_date",
    "due_at",
    "cancelled_at",
    "report__on_time",
    "report__status",
    "report__submitted_at",
    "report__accepted_at",
    "report__participants_total",
    "region_id",
    "report_outcome",
    "report_on_time",
)
# Where a row of ``_EVENT_FIELDS`` holds the report's status, its timeliness and the event's mirrors.
_STATUS_AT, _ON_TIME_AT, _OUTCOME_AT, _MIRRORED_ON_TIME_AT = (
    _EVENT_FIELDS.index(f) for f in ("report__status", "report__on_time", "report_outcome", "report_on_time")
)
RETURNED = "returned"  # EventReport.Status.RETURNED, spelled out for the migration's models
_CHUNK = 1000
_UPSERT_ROWS = 200


@dataclass
class Tally:
    """The counters of one key and the newest moment counted in them."""

    counters: list[int] = field(default_factory=lambda: [0] * len(COUNTER_FIELDS))
    latest: dt.datetime = NO_STAMP
    region_id: int | None = None  # the region the key's events count in

    def add(self, counters: Sequence[int], latest: dt.datetime, sign: int = 1) -> None:
        for i, value in enumerate(counters):
            self.counters[i] += sign * value
        self.latest = max(self.latest, latest)


def _contribution(row: Sequence[Any]) -> tuple[Key, Counters, dt.datetime, int | None]:
    """What one event (a row of ``_EVENT_FIELDS``) adds to its key, and the region it counts in.

    A cancelled event counts only as cancelled; a report counts on a held event.
    """
    (
        _pk,
        plan_id,
        organization_id,
        activity_id,
        municipality_id,
        day,
        due_at,
        cancelled_at,
        on_time,
        status,
        submitted_at,
        accepted_at,
        participants,
        region_id,
        _outcome,
        _on_time_mirrored,
    ) = row
    key: Key = (plan_id, organization_id, activity_id, municipality_id or 0, day, due_at)
    latest = max(m for m in (NO_STAMP, cancelled_at, submitted_at, accepted_at) if m is not None)
    if cancelled_at is not None:
        return key, (0, 1, 0, 0, 0, 0, 0, 0), latest, region_id
    reported = on_time is not None
    accepted = accepted_at is not None
    counters = (
        1,
        0,
        int(reported and on_time),
        int(reported and not on_time),
        int(accepted),
        int(status == RETURNED),
        (participants or 0) if reported else 0,
        (participants or 0) if accepted else 0,
    )
    return key, counters, latest, region_id


def _rows(event_ids: Sequence[int], *, lock: bool) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for i in range(0, len(event_ids), _CHUNK):
        qs = Event.objects.filter(pk__in=event_ids[i : i + _CHUNK]).order_by("pk")
        if lock:
            qs = qs.select_for_update(of=("self",))
        rows.extend(qs.values_list(*_EVENT_FIELDS))
    return rows


class RollupDelta:
    """The events a write touches: their contribution before it, and after it."""

    def __init__(self, event_ids: Iterable[int] = ()) -> None:
        self.ids: set[int] = set()
        self.before: dict[Key, Tally] = {}
        self.follow(event_ids)

    def follow(self, event_ids: Iterable[int]) -> None:
        """Read (and lock) the current contribution of events about to change."""
        new = sorted(set(event_ids) - self.ids)
        for row in _rows(new, lock=True):
            key, counters, latest, region_id = _contribution(row)
            self.before.setdefault(key, Tally(region_id=region_id)).add(counters, latest)
        self.ids.update(new)

    def created(self, event_ids: Iterable[int]) -> None:
        """Events created by the write: nothing to read before."""
        self.ids.update(event_ids)

    def apply(self) -> int:
        """Add the difference to the counters; returns how many keys were written."""
        after: dict[Key, Tally] = {}
        rows = _rows(sorted(self.ids), lock=False)
        for row in rows:
            key, counters, latest, region_id = _contribution(row)
            after.setdefault(key, Tally(region_id=region_id)).add(counters, latest)
        _mirror_outcomes(rows)
        changes: dict[Key, Tally] = {}
        for key in self.before.keys() | after.keys():
            old, new = self.before.get(key), after.get(key)
            source = new if new is not None else old
            delta = Tally(region_id=source.region_id if source is not None else None)
            if new is not None:
                delta.add(new.counters, NO_STAMP)
            if old is not None:
                delta.add(old.counters, NO_STAMP, sign=-1)
            newer = new is not None and (old is None or new.latest > old.latest)
            if newer and new is not None:
                delta.latest = new.latest
            if any(delta.counters) or newer:
                changes[key] = delta
        _upsert(changes)
        events_written({(key[0], tally.region_id) for key, tally in (*self.before.items(), *after.items())})
        return len(changes)


def _mirror_outcomes(rows: Sequence[Sequence[Any]]) -> None:
    """Copy each report's outcome and timeliness to its event where they differ: one
    UPDATE per (outcome, on time) pair."""
    moved: dict[tuple[str, bool | None], list[int]] = {}
    for row in rows:
        mirrored = (report_outcome(row[_STATUS_AT], row[_ON_TIME_AT]), row[_ON_TIME_AT])
        if mirrored != (row[_OUTCOME_AT], row[_MIRRORED_ON_TIME_AT]):
            moved.setdefault(mirrored, []).append(row[0])
    for (outcome, on_time), ids in sorted(moved.items(), key=str):
        Event.objects.filter(pk__in=ids).update(report_outcome=outcome, report_on_time=on_time)


def events_written(marks: Iterable[tuple[int | None, int | None]]) -> None:
    """Mark a write to events of these (plan, region) pairs (``EventWrite``): one row
    each, in the caller's transaction, so the plans' and the regions' stamps move with it."""
    EventWrite.objects.bulk_create(
        [EventWrite(plan_id=plan, region_id=region) for plan, region in sorted(set(marks), key=str)]
    )


def event_ids_written(event_ids: Iterable[int]) -> None:
    """Mark a write to these events' rows that keeps their counters (evidence, a
    returned report's new deadline): their plans and the regions they count in
    (``events_written``), read in one query, the events not locked."""
    events_written(
        Event.objects.filter(pk__in=list(event_ids)).values_list("activity__plan_id", "region_id").distinct()
    )


def event_writes_prune() -> int:
    """Delete every ``EventWrite`` row older than both its plan's newest and its
    region's newest: each plan's and each region's newest stay, which is all the
    stamps read (a row with no plan or no region is kept: the stamps of the events
    of no region read those). Returns the number deleted; rows added meanwhile are
    newer than every row this deletes."""
    newest_of_plan = EventWrite.objects.filter(plan_id=OuterRef("plan_id")).order_by("-id").values("id")[:1]
    newest_of_region = EventWrite.objects.filter(region_id=OuterRef("region_id")).order_by("-id").values("id")[:1]
    # Compared with NULL (a row of no plan or no region) neither holds: the row stays.
    stale = Q(id__lt=Subquery(newest_of_plan)) & Q(id__lt=Subquery(newest_of_region))
    deleted, _ = EventWrite.objects.filter(stale).delete()
    return deleted


@contextmanager
def rollups_kept(event_ids: Iterable[int] = ()) -> Iterator[RollupDelta]:
    """Run a write of events (and their reports) with their rollups kept in step.

    The contribution of ``event_ids`` is read (their rows locked) on entry;
    events created inside are announced with ``delta.created(ids)``. On a
    normal exit the difference goes to the counters in the same transaction;
    on an exception nothing is written.
    """
    with transaction.atomic():
        delta = RollupDelta(event_ids)
        yield delta
        delta.apply()


def _prepared(name: str, value: Any) -> Any:
    """``value`` as the backend stores the column (SQLite keeps dates as text in Django's format)."""
    column = EventRollup._meta.get_field(name)
    assert isinstance(column, DjangoField)
    return column.get_db_prep_value(value, connection, prepared=False)


def _upsert(changes: dict[Key, Tally]) -> None:
    """Add ``changes`` to the stored counters: one statement per batch of keys, in key order."""
    if not changes:
        return
    table = connection.ops.quote_name(EventRollup._meta.db_table)
    columns = ["plan_id", "organization_id", "activity_id", "municipality_id", *KEY_FIELDS[3:], *COUNTER_FIELDS]
    columns += ["latest", "region_id"]
    quoted = [connection.ops.quote_name(c) for c in columns]
    key_columns = ", ".join(connection.ops.quote_name(c) for c in KEY_FIELDS)
    sums = ", ".join(
        f"{q} = {table}.{q} + excluded.{q}" for q in (connection.ops.quote_name(c) for c in COUNTER_FIELDS)
    )
    latest = connection.ops.quote_name("latest")
    newest = (
        f"{latest} = CASE WHEN excluded.{latest} > {table}.{latest} THEN excluded.{latest} ELSE {table}.{latest} END"
    )
    region = connection.ops.quote_name("region_id")
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    items = sorted(changes.items(), key=lambda kv: kv[0])
    with connection.cursor() as cursor:
        for i in range(0, len(items), _UPSERT_ROWS):
            batch = items[i : i + _UPSERT_ROWS]
            params: list[Any] = []
            for key, tally in batch:
                plan_id, organization_id, activity_id, municipality_key, day, due_at = key
                params += [plan_id, organization_id, activity_id, municipality_key or None, municipality_key]
                params += [_prepared("day", day), _prepared("due_at", due_at), *tally.counters]
                params += [_prepared("latest", tally.latest), tally.region_id]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(quoted)}) VALUES {', '.join([placeholders] * len(batch))} "
                f"ON CONFLICT ({key_columns}) DO UPDATE SET {sums}, {newest}, {region} = excluded.{region}",
                params,
            )


# ---------------------------------------------------------------------------
# Recomputed from the records: the check, the fix, the rebuild
# ---------------------------------------------------------------------------


def _has_field(model: Any, name: str) -> bool:
    """Whether ``model`` has the field (a migration's model may predate it)."""
    return any(f.name == name for f in model._meta.get_fields())


def _recomputed(where: Q, event_model: Any = Event) -> Iterator[tuple[Key, Tally]]:
    """The rollups the events matching ``where`` make, grouped in SQL."""
    region = ("region_id",) if _has_field(event_model, "region") else ()
    held = Q(cancelled_at__isnull=True)
    reported = held & Q(report__isnull=False)
    accepted = held & Q(report__accepted_at__isnull=False)
    stamp = Value(NO_STAMP, output_field=DateTimeField())
    rows = (
        event_model.objects.filter(where)
        .order_by()
        .values("organizer_id", "activity_id", "end_date", "due_at", *region)
        .annotate(
            plan_ref=F("activity__plan_id"),
            mkey=Coalesce("municipality_id", Value(0)),
            n_held=Count("id", filter=held),
            n_cancelled=Count("id", filter=~held),
            n_on_time=Count("id", filter=reported & Q(report__on_time=True)),
            n_late=Count("id", filter=reported & Q(report__on_time=False)),
            n_accepted=Count("id", filter=accepted),
            n_returned=Count("id", filter=reported & Q(report__status=RETURNED)),
            n_participants=Coalesce(Sum("report__participants_total", filter=reported), 0),
            n_participants_accepted=Coalesce(Sum("report__participants_total", filter=accepted), 0),
            n_latest=Max(
                Greatest(
                    Coalesce("cancelled_at", stamp),
                    Coalesce("report__submitted_at", stamp),
                    Coalesce("report__accepted_at", stamp),
                )
            ),
        )
    )
    for r in rows.iterator(chunk_size=5000):
        key: Key = (r["plan_ref"], r["organizer_id"], r["activity_id"], r["mkey"], r["end_date"], r["due_at"])
        counters = [int(r[f"n_{name}"]) for name in COUNTER_FIELDS]
        yield key, Tally(counters, r["n_latest"] or NO_STAMP, r.get("region_id"))


def _stored(where: Q) -> dict[Key, Tally]:
    stored: dict[Key, Tally] = {}
    for row in EventRollup.objects.filter(where).values_list(*KEY_FIELDS, *COUNTER_FIELDS, "latest", "region_id"):
        key: Key = row[: len(KEY_FIELDS)]  # type: ignore[assignment]
        stored[key] = Tally(list(row[len(KEY_FIELDS) : -2]), row[-2], row[-1])
    return stored


@dataclass(frozen=True)
class RollupDifference:
    """A key whose stored counters are not what the records give (None: no row)."""

    key: Key
    stored: Tally | None
    recomputed: Tally | None

    def describe(self) -> str:
        plan_id, organization_id, activity_id, municipality_key, day, due_at = self.key
        name = (
            f"plan {plan_id}, organisation {organization_id}, activity {activity_id}, "
            f"municipality {municipality_key or '-'}, day {day:%d.%m.%Y}, due {due_at.isoformat()}"
        )
        return f"{name}: stored {_text(self.stored)}, recomputed {_text(self.recomputed)}"


def _text(tally: Tally | None) -> str:
    if tally is None:
        return "(no row)"
    figures = ", ".join(f"{n}={v}" for n, v in zip(COUNTER_FIELDS, tally.counters, strict=True))
    return f"{figures}, latest={tally.latest.isoformat()}, region={tally.region_id or '-'}"


def _slices(event_model: Any = Event, rollup_model: Any = EventRollup) -> list[tuple[Q, Q]]:
    """(events, rollups) filters of each year, so no check holds more than a year in memory."""
    years = {d.year for d in event_model.objects.dates("end_date", "year")}
    years |= {d.year for d in rollup_model.objects.dates("day", "year")}
    return [(Q(end_date__year=y), Q(day__year=y)) for y in sorted(years)]


def _differences_in(events: Q, rollups: Q) -> list[RollupDifference]:
    stored = _stored(rollups)
    found: list[RollupDifference] = []
    for key, tally in _recomputed(events):
        mine = stored.pop(key, None)
        # ``latest`` may run ahead of the records (it never goes back), never behind.
        if (
            mine is None
            or mine.counters != tally.counters
            or mine.latest < tally.latest
            or mine.region_id != tally.region_id
        ):
            found.append(RollupDifference(key, mine, tally))
    found.extend(RollupDifference(k, t, None) for k, t in stored.items() if any(t.counters))
    return found


def _lock_rollups() -> None:
    """Hold writes to the rollups back until the transaction ends (PostgreSQL;
    SQLite's IMMEDIATE transactions hold every other writer already)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(EventRollup._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE"
            )


# The events whose report has each outcome, in SQL: the second opinion on
# ``roadmap.events.status.report_outcome``, which the writes apply.
_OUTCOME_CONDITIONS = (
    ("", Q(report__isnull=True)),
    ("accepted", Q(report__status="accepted")),
    (RETURNED, Q(report__status=RETURNED)),
    ("on_time", Q(report__status="submitted", report__on_time=True)),
    ("late", Q(report__status="submitted", report__on_time=False)),
)
assert {o for o, _ in _OUTCOME_CONDITIONS} == {"", *REPORT_OUTCOMES}


def _on_time_conditions(field: str) -> tuple[tuple[bool | None, Q], ...]:
    """Whether a report was filed on time, read from ``field`` (the report's own
    ``report__on_time``, or the event's mirror ``report_on_time``): None when empty
    (no report: the report's column is never empty otherwise)."""
    return (
        (None, Q(**{f"{field}__isnull": True})),
        (True, Q(**{field: True})),
        (False, Q(**{field: False})),
    )


# Whether the report was filed on time, in SQL: None while there is none.
_ON_TIME_CONDITIONS = _on_time_conditions("report__on_time")


@dataclass(frozen=True)
class OutcomeDifference:
    """An event whose mirrors of its report (``report_outcome``, ``report_on_time``)
    are not what its report says."""

    event_id: int
    stored: str
    recomputed: str
    stored_on_time: bool | None = None
    recomputed_on_time: bool | None = None

    def describe(self) -> str:
        parts = []
        if self.stored != self.recomputed:
            parts.append(f"report outcome stored {self.stored!r}, recomputed {self.recomputed!r}")
        if self.stored_on_time != self.recomputed_on_time:
            parts.append(f"report on time stored {self.stored_on_time}, recomputed {self.recomputed_on_time}")
        return f"event {self.event_id}: " + "; ".join(parts)


def _mark(conditions: Iterable[tuple[Any, Q]]) -> Case:
    """A text mark of the value whose condition holds (``_as_mark``; "?": none), so a
    stored value and a recomputed one compare as text, NULLs included."""
    return Case(
        *(When(condition, then=Value(_as_mark(value))) for value, condition in conditions),
        default=Value("?"),
        output_field=CharField(),
    )


def _as_mark(value: bool | str | None) -> str:
    """An outcome as itself; on time as "1", late as "0", no report as ""."""
    return value if isinstance(value, str) else {None: "", True: "1", False: "0"}[value]


def _outcome_differences(events: Q) -> list[OutcomeDifference]:
    rows = (
        Event.objects.filter(events)
        .annotate(
            recomputed_outcome=_mark(_OUTCOME_CONDITIONS),
            recomputed_on_time=_mark(_ON_TIME_CONDITIONS),
            stored_on_time=_mark(_on_time_conditions("report_on_time")),
        )
        .filter(~Q(report_outcome=F("recomputed_outcome")) | ~Q(stored_on_time=F("recomputed_on_time")))
        .order_by("pk")
        .values_list("pk", "report_outcome", "recomputed_outcome", "report_on_time", "recomputed_on_time")
    )
    on_time = {"": None, "1": True, "0": False, "?": None}
    return [
        OutcomeDifference(pk, stored, recomputed, stored_on_time, on_time[recomputed_on_time])
        for pk, stored, recomputed, stored_on_time, recomputed_on_time in rows.iterator(chunk_size=5000)
    ]


def _outcomes_rewrite(differences: list[OutcomeDifference]) -> None:
    moved: dict[tuple[str, bool | None], list[int]] = {}
    for d in differences:
        moved.setdefault((d.recomputed, d.recomputed_on_time), []).append(d.event_id)
    for (outcome, on_time), ids in sorted(moved.items(), key=str):
        for i in range(0, len(ids), _CHUNK):
            Event.objects.filter(pk__in=ids[i : i + _CHUNK]).update(report_outcome=outcome, report_on_time=on_time)


def outcomes_rebuild(event_model: Any = Event) -> int:
    """Set every event's mirrors of its report (``report_outcome``, and
    ``report_on_time`` when the model has it) from its report, set-wise (after bulk
    loads, and for the migrations that add the columns); returns the updates made."""
    changed = 0
    for outcome, condition in _OUTCOME_CONDITIONS:
        changed += event_model.objects.filter(condition).exclude(report_outcome=outcome).update(report_outcome=outcome)
    if _has_field(event_model, "report_on_time"):
        for on_time, condition in _ON_TIME_CONDITIONS:
            stale = Q(report_on_time__isnull=False) if on_time is None else ~Q(report_on_time=on_time)
            changed += event_model.objects.filter(condition & stale).update(report_on_time=on_time)
    return changed


@dataclass
class RollupCheck:
    differences: list[RollupDifference]
    fixed: bool
    outcomes: list[OutcomeDifference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences and not self.outcomes

    def described(self) -> list[str]:
        """Every difference, rollup rows first, one line each."""
        return [d.describe() for d in self.differences] + [d.describe() for d in self.outcomes]

    def summary(self) -> str:
        parts = [f"{len(self.differences)} rollup rows"] if self.differences else []
        if self.outcomes:
            parts.append(f"{len(self.outcomes)} events' report outcomes")
        return " and ".join(parts)


def rollups_check(*, fix: bool = False) -> RollupCheck:
    """Recompute the rollups, and each event's mirror of its report
    (``report_outcome``), from the events and reports and list what differs.

    Runs in one transaction that holds back writes to the rollups (a write in
    flight is then either in both or in neither). With ``fix`` every row that
    differs is rewritten to the recomputed counters (a row with no events left
    is deleted).
    """
    with transaction.atomic():
        _lock_rollups()
        slices = _slices()
        differences = [d for events, rollups in slices for d in _differences_in(events, rollups)]
        outcomes = [d for events, _ in slices for d in _outcome_differences(events)]
        if fix:
            _rewrite(differences)
            _outcomes_rewrite(outcomes)
    return RollupCheck(differences=differences, fixed=fix and bool(differences or outcomes), outcomes=outcomes)


def _key_q(key: Key) -> Q:
    return Q(**dict(zip(KEY_FIELDS, key, strict=True)))


def _rewrite(differences: list[RollupDifference]) -> None:
    for d in differences:
        if d.recomputed is None:
            EventRollup.objects.filter(_key_q(d.key)).delete()
            continue
        plan_id, organization_id, activity_id, municipality_key, day, due_at = d.key
        EventRollup.objects.update_or_create(
            plan_id=plan_id,
            organization_id=organization_id,
            activity_id=activity_id,
            municipality_key=municipality_key,
            day=day,
            due_at=due_at,
            defaults={
                "municipality_id": municipality_key or None,
                "region_id": d.recomputed.region_id,
                "latest": d.recomputed.latest,
                **dict(zip(COUNTER_FIELDS, d.recomputed.counters, strict=True)),
            },
        )


def rollups_rebuild(*, event_model: Any = Event, rollup_model: Any = EventRollup) -> int:
    """Throw the rollups away and recompute them all from the records (after bulk
    loads that bypass the services), the events' report outcomes with them;
    returns the number of rollup rows written.

    The models are parameters for the migration that fills the table first.
    """
    written = 0
    region = _has_field(rollup_model, "region")
    with transaction.atomic():
        _lock_rollups()
        if _has_field(event_model, "report_outcome"):
            outcomes_rebuild(event_model)
        rollup_model.objects.all().delete()
        batch: list[Any] = []
        for key, tally in _recomputed(Q(), event_model):  # one streamed query, whatever the years
            plan_id, organization_id, activity_id, municipality_key, day, due_at = key
            batch.append(
                rollup_model(
                    plan_id=plan_id,
                    organization_id=organization_id,
                    activity_id=activity_id,
                    municipality_id=municipality_key or None,
                    municipality_key=municipality_key,
                    day=day,
                    due_at=due_at,
                    latest=tally.latest,
                    **({"region_id": tally.region_id} if region else {}),
                    **dict(zip(COUNTER_FIELDS, tally.counters, strict=True)),
                )
            )
            if len(batch) >= 2000:
                rollup_model.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        rollup_model.objects.bulk_create(batch)
        written += len(batch)
        if rollup_model is EventRollup:  # the live tables (a migration passes its own models)
            events_written(
                [(plan, None) for plan in Plan.objects.values_list("pk", flat=True)]
                + [(None, region) for region in Region.objects.values_list("pk", flat=True)]
                + [(None, None)]  # the events of no region (when no region exists)
            )
    return written
