"""The optional read replica: which reads may go to it, and the router that sends them.

With ``DATABASE_REPLICA_URL`` set, ``settings.DATABASES`` has a ``replica``
alias (a streaming-replication standby of the primary) and this router is
listed in ``settings.DATABASE_ROUTERS``. A replica lags behind the primary, so
nothing reads from it by default: a user who has just written must read their
own write. Only reads inside an explicit :func:`replica_reads` scope go there:
the background and aggregate work that can stand a lag of a few seconds (a
report build, a dashboard refresh, the federal figures).

Inside the scope:

- every write still goes to ``default`` (so does a locking read: Django sends
  ``select_for_update()`` to the database for writes);
- while the thread is in a transaction on ``default`` (``transaction.atomic``),
  reads go to ``default`` too: a transaction must see its own writes, and its
  reads must be consistent with its locks;
- a thread started inside the scope is outside it (a new thread starts with
  an empty context), so it must enter the scope itself.

Without a ``replica`` alias the scope changes nothing: every read goes to
``default``, as without this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

REPLICA = "replica"

_replica_scope: ContextVar[bool] = ContextVar("copp_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let the reads of the enclosed code go to the replica (a context manager and a decorator).

    Use it only for reads that may lag behind the last writes: background
    builds and aggregate figures, never a page that shows a user what they
    have just saved. Nested scopes are fine.
    """
    token = _replica_scope.set(True)
    try:
        yield
    finally:
        _replica_scope.reset(token)


def replica_configured() -> bool:
    """Whether the settings have a replica alias (``DATABASE_REPLICA_URL`` was set)."""
    return REPLICA in settings.DATABASES


def read_alias() -> str:
    """The alias a read made here and now goes to: ``replica`` only inside the scope,
    outside any transaction on ``default``, and when a replica is configured."""
    if not _replica_scope.get() or not replica_configured():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA


class ReplicaRouter:
    """Reads inside :func:`replica_reads` to the replica; everything else to ``default``."""

    def db_for_read(self, model: type[Model], **hints: object) -> str:
        return read_alias()

    def db_for_write(self, model: type[Model], **hints: object) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: object) -> bool | None:
        # The replica holds the same rows as default: an object read from one may
        # be related to an object of the other (and is saved to default).
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: object) -> bool | None:
        # A standby is read-only; it receives the schema from the primary.
        return False if db == REPLICA else None
