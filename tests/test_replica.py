"""The optional read replica (copp/db_router.py): only reads inside ``replica_reads()``
go to it; writes, locking reads, reads in a transaction and everything outside
the scope go to default.

copp/test_settings.py adds a ``replica`` alias that mirrors the test database
(a second connection to it), with the router off; the tests here turn the
router on and watch which connection each query runs on. They commit
(``transaction=True``): a second connection does not see the uncommitted rows
of a test transaction (and on SQLite a test transaction on each connection
would lock each other out).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from copp.db_router import REPLICA, ReplicaRouter, read_alias, replica_reads
from reports.dashboard.snapshot import EVERYTHING, cached_snapshot, current_stamp, refresh_snapshot
from reports.models import ReportFile, ReportKind
from reports.services import report_file_build
from roadmap.models import Organization, Plan
from tests.world import World, build_world

PROJECT_DIR = Path(__file__).resolve().parent.parent
BOTH = ["default", "replica"]
ROUTER = "copp.db_router.ReplicaRouter"


@pytest.fixture
def router_on(settings: Any) -> None:
    settings.DATABASE_ROUTERS = [ROUTER]


@pytest.fixture(autouse=True)
def _close_the_replica() -> Iterator[None]:
    yield
    connections[REPLICA].close()  # the test database is dropped at the end; no connection may stay


def _capture() -> tuple[CaptureQueriesContext, CaptureQueriesContext]:
    return CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]), CaptureQueriesContext(connections[REPLICA])


def _sql(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries]


def _reads_only(sqls: list[str]) -> bool:
    """Every statement reads: a SELECT, or (PostgreSQL, ``.iterator()``) a cursor declared over one."""
    return all(sql.lstrip().upper().startswith(("SELECT", "DECLARE")) and " FOR UPDATE" not in sql for sql in sqls)


# --- settings ---------------------------------------------------------------------


def _settings_in_a_fresh_process(**env: str) -> dict[str, Any]:
    """copp.settings as a server reads it, with ``env``: its aliases and routers, and where
    a read goes inside and outside the scope."""
    code = (
        "import json, django; django.setup()\n"
        "from django.conf import settings\n"
        "from copp.db_router import ReplicaRouter, replica_reads\n"
        "from roadmap.models import Plan\n"
        "router = ReplicaRouter()\n"
        "outside = router.db_for_read(Plan)\n"
        "with replica_reads():\n"
        "    inside, write = router.db_for_read(Plan), router.db_for_write(Plan)\n"
        "replica = settings.DATABASES.get('replica')\n"
        "print(json.dumps({'aliases': sorted(settings.DATABASES), 'routers': settings.DATABASE_ROUTERS,\n"
        "    'replica': replica and {k: replica[k] for k in ('ENGINE', 'NAME', 'HOST', 'PORT', 'USER', 'TEST')},\n"
        "    'outside': outside, 'inside': inside, 'write': write}))\n"
    )
    dropped = ("DJANGO_SETTINGS_MODULE", "DATABASE_REPLICA_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "copp.settings", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_without_a_replica_url_there_is_no_replica_and_every_read_goes_to_default() -> None:
    got = _settings_in_a_fresh_process()
    assert got["aliases"] == ["default"]
    assert got["routers"] == []
    assert got["replica"] is None
    # Even a router listed by hand changes nothing without the alias.
    assert got["outside"] == got["inside"] == got["write"] == "default"


def test_a_replica_url_adds_the_alias_and_the_router() -> None:
    got = _settings_in_a_fresh_process(DATABASE_REPLICA_URL="postgres://reader:secret@standby.example:5433/copp")
    assert got["aliases"] == ["default", "replica"]
    assert got["routers"] == [ROUTER]
    assert got["replica"] == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "copp",
        "HOST": "standby.example",
        "PORT": 5433,
        "USER": "reader",
    } | {"TEST": got["replica"]["TEST"]}
    assert got["replica"]["TEST"]["MIRROR"] == "default"  # the tests never create a database on the standby
    assert got["outside"] == "default"
    assert got["inside"] == "replica"
    assert got["write"] == "default"


def test_an_empty_replica_url_is_no_replica() -> None:
    got = _settings_in_a_fresh_process(DATABASE_REPLICA_URL="")
    assert got["aliases"] == ["default"] and got["routers"] == []


# --- the router on its own ----------------------------------------------------------


def test_relations_between_default_and_replica_objects_are_allowed_and_migrations_skip_the_replica() -> None:
    router = ReplicaRouter()
    a, b = Plan(), Organization()
    for db_a, db_b in [("default", "replica"), ("replica", "default"), ("replica", "replica")]:
        a._state.db, b._state.db = db_a, db_b
        assert router.allow_relation(a, b) is True
    a._state.db, b._state.db = "default", "elsewhere"
    assert router.allow_relation(a, b) is None  # not ours to decide
    assert router.allow_migrate("replica", "roadmap", "plan") is False
    assert router.allow_migrate("default", "roadmap", "plan") is None


def test_the_scope_is_a_decorator_nests_and_ends_on_an_error(settings: Any) -> None:
    assert "replica" in settings.DATABASES  # the test settings' mirror

    @replica_reads()
    def inside() -> str:
        return read_alias()

    assert read_alias() == "default"
    assert inside() == "replica"
    with replica_reads():
        with replica_reads():
            assert read_alias() == "replica"
        assert read_alias() == "replica"  # the inner scope's end does not end the outer one
    assert read_alias() == "default"
    with pytest.raises(RuntimeError), replica_reads():
        raise RuntimeError
    assert read_alias() == "default"


# --- queries -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_reads_inside_the_scope_run_on_the_replica_and_outside_on_default(router_on: None) -> None:
    Organization.objects.create(kind="college", short_name="Колледж Р", name="Колледж Р")
    default, replica = _capture()
    with default, replica:
        assert Organization.objects.filter(short_name="Колледж Р").count() == 1
    assert len(default) == 1 and len(replica) == 0
    default, replica = _capture()
    with default, replica, replica_reads():
        assert Organization.objects.filter(short_name="Колледж Р").count() == 1  # committed rows are on the replica
        organization = Organization.objects.get(short_name="Колледж Р")
    assert len(default) == 0 and len(replica) == 2
    assert organization._state.db == "replica"


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_writes_inside_the_scope_go_to_default(router_on: None) -> None:
    default, replica = _capture()
    with default, replica, replica_reads():
        organization = Organization.objects.create(kind="college", short_name="Новый", name="Новый колледж")
        Organization.objects.filter(pk=organization.pk).update(name="Переименован")
        read = Organization.objects.get(pk=organization.pk)  # a read: the replica
        read.short_name = "Сохранён"
        read.save()  # read from the replica, saved to default
        Organization.objects.filter(pk=organization.pk).delete()
    assert organization._state.db == "default"
    assert _reads_only(_sql(replica)), _sql(replica)
    assert len(replica) == 1
    written = " ".join(_sql(default)).upper()
    assert "INSERT" in written and "UPDATE" in written and "DELETE" in written


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_inside_a_transaction_every_read_of_the_scope_goes_to_default(router_on: None) -> None:
    organization = Organization.objects.create(kind="college", short_name="Замок", name="Колледж под замком")
    default, replica = _capture()
    with default, replica, replica_reads(), transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        Organization.objects.filter(pk=organization.pk).update(name="Изменён в транзакции")
        # The transaction's own write, not yet committed: only default sees it.
        assert Organization.objects.get(pk=organization.pk).name == "Изменён в транзакции"
        assert read_alias() == "default"
    assert len(replica) == 0
    assert locked._state.db == "default"
    with replica_reads():
        assert read_alias() == "replica"  # the transaction is over


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_locking_read_in_the_scope_goes_to_default_even_outside_a_transaction(
    router_on: None,
) -> None:
    # Django sends a locking read to the database for writes, whatever the scope.
    with replica_reads():
        assert Organization.objects.select_for_update().db == "default"
        assert Organization.objects.all().db == "replica"
        assert Organization.objects.using("default").db == "default"


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_without_the_router_the_scope_reads_default(settings: Any) -> None:
    """The test settings' default: a replica alias but no router, as every other test runs."""
    assert settings.DATABASE_ROUTERS == []
    default, replica = _capture()
    with default, replica, replica_reads():
        Organization.objects.count()
    assert len(default) == 1 and len(replica) == 0


# --- the readers ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_report_build_reads_from_the_replica_and_writes_its_row_to_default(
    router_on: None, order_plan: Plan, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    build_world(order_plan)
    report = ReportFile.objects.create(kind=ReportKind.TIMELINESS, plan=order_plan, year=order_plan.last_year)
    default, replica = _capture()
    with default, replica:
        built = report_file_build(report=report, now=timezone.now())
    assert built.status == ReportFile.Status.DONE, built.error
    assert built.rows_done > 0 and built.size > 0
    # The figures came from the replica, and nothing was written there.
    assert len(replica) > 5
    assert _reads_only(_sql(replica)), _sql(replica)
    # Default saw only the build's own row: the claim, the progress, the checks of its
    # status (read back outside the scope: the row it has just written) and the file.
    assert _sql(default)
    assert all("reports_reportfile" in sql for sql in _sql(default)), _sql(default)


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_list_export_reads_default_for_its_requester(
    router_on: None, order_plan: Plan, settings: Any, tmp_path: Path
) -> None:
    """A list export is the page its requester has just seen, with their last writes."""
    settings.MEDIA_ROOT = tmp_path
    world = build_world(order_plan)
    report = ReportFile.objects.create(
        kind=ReportKind.LIST_EXPORT,
        plan=order_plan,
        year=order_plan.last_year,
        requested_by=world.ministry,
        list_name="events",
        list_query="",
        title="Мероприятия",
    )
    default, replica = _capture()
    with default, replica:
        built = report_file_build(report=report, now=timezone.now())
    assert built.status == ReportFile.Status.DONE, built.error
    assert len(replica) == 0
    assert any("roadmap_event" in sql for sql in _sql(default))


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_dashboard_refresh_reads_from_the_replica(router_on: None, order_plan: Plan) -> None:
    world: World = build_world(order_plan)
    cache.clear()
    now = timezone.now()
    default, replica = _capture()
    with default, replica:
        snapshot = refresh_snapshot(world.plan.pk, world.plan.last_year, now=now)
    # Default gave only the plan's row (a plan created a moment ago may not be on the replica yet).
    assert len(default) == 1 and "roadmap_plan" in _sql(default)[0], _sql(default)
    assert len(replica) > 5 and _reads_only(_sql(replica))
    assert cached_snapshot(world.plan.pk, world.plan.last_year) == snapshot
    # The stamp was read there too, before the figures: with the replica up to date
    # it is the primary's stamp, so the snapshot is fresh.
    assert snapshot.is_fresh(stamp=current_stamp(world.plan, EVERYTHING), now=now + dt.timedelta(seconds=1))


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_federal_comparison_reads_from_the_replica(router_on: None, order_plan: Plan) -> None:
    from reports.regions import region_comparison

    build_world(order_plan)
    default, replica = _capture()
    with default, replica:
        comparison = region_comparison(year=order_plan.last_year, now=timezone.now())
    assert comparison.lines
    assert len(default) == 0, _sql(default)
    assert len(replica) > 2 and _reads_only(_sql(replica))
