"""A computed figure kept in the cache while nothing it read has changed.

Figures that aggregate a region's year of records (indicator figures, report
timeliness) are read far more often than the data changes. :func:`kept`
serves a computation again while the **data stamp** it was computed under is
unchanged, it is younger than ``settings.FIGURES_MEMO_SECONDS`` (0 turns every
memo off) and, when the figure depends on the time of day, the moment it is
asked for is before the kept one's ``valid_until``.

The stamp (:func:`data_stamp`) is the newest primary key of the tables the
figure reads, typically their history tables: every write through a service
leaves a history row, so any such write moves it, and reading it is one query
of primary-key maxima that costs next to nothing at any size. The age limit
bounds how long a write that leaves no history row (an administrator's rename)
can lag.

Read the stamp **before** computing: a write between the two then leaves a
stamp older than the data, and the next call recomputes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Model

T = TypeVar("T")

Stamp = tuple[object, ...]


Scoped = tuple[type[Model], str | None, int | None]


def data_stamp(models: Sequence[type[Model]], *, scoped: Sequence[Scoped] = ()) -> Stamp:
    """The newest primary key of each of ``models``' tables, then of each ``scoped``
    (model, database column, value)'s rows with that value (None: the rows where it
    is empty; an index leading with the column finds it; no column: every row), in
    one query, on the database reads of the first model go to (a replica inside
    ``copp.db_router.replica_reads``)."""
    connection = connections[router.db_for_read([*models, *(model for model, _, _ in scoped)][0])]
    quote = connection.ops.quote_name
    maxima: list[str] = []
    params: list[int] = []
    for model, column, value in [*((model, None, None) for model in models), *scoped]:
        where = ""
        if column is not None:
            where = f" WHERE {quote(column)} IS NULL" if value is None else f" WHERE {quote(column)} = %s"
            params += [] if value is None else [value]
        maxima.append(f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)}{where})")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(maxima)}", params)
        row = cursor.fetchone()
    return tuple(row)


@dataclass(frozen=True)
class Kept(Generic[T]):
    stamp: Stamp
    computed_at: dt.datetime
    valid_until: dt.datetime | None
    value: T


def kept(
    key: str,
    *,
    stamp: Stamp,
    now: dt.datetime,
    compute: Callable[[], T],
    valid_until: dt.datetime | None = None,
) -> T:
    """``compute()``, or the value kept under ``key`` when it was computed under
    ``stamp``, less than ``settings.FIGURES_MEMO_SECONDS`` before ``now`` and
    ``now`` is before its ``valid_until`` (the next moment the figure changes
    by the clock alone; None: never)."""
    seconds = settings.FIGURES_MEMO_SECONDS
    if seconds <= 0:
        return compute()
    found = cache.get(key)
    if (
        isinstance(found, Kept)
        and found.stamp == stamp
        and dt.timedelta(0) <= now - found.computed_at < dt.timedelta(seconds=seconds)
        and (found.valid_until is None or now < found.valid_until)
    ):
        value: T = found.value
        return value
    value = compute()
    cache.set(key, Kept(stamp=stamp, computed_at=now, valid_until=valid_until, value=value), seconds)
    return value


__all__ = ["Kept", "Scoped", "Stamp", "data_stamp", "kept"]
