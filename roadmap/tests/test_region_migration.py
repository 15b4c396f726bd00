"""The regions migration on existing data: every row goes to «Тульская область»;
a municipality whose old text named another region gets a region of that name."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("roadmap", "0013_event_rollups")]
AFTER = [("roadmap", "0014_regions")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_rows_move_to_their_regions_and_back() -> None:
    old = _migrate(BEFORE)
    Municipality = old.get_model("roadmap", "Municipality")
    Organization = old.get_model("roadmap", "Organization")
    Plan = old.get_model("roadmap", "Plan")
    tula = Municipality.objects.create(name="город Тула", kind="city_okrug")  # the old default region
    oryol = Municipality.objects.create(name="город Орёл", kind="city_okrug", region="Орловская область")
    college = Organization.objects.create(kind="college", short_name="Колледж", name="Колледж", municipality=tula)
    far = Organization.objects.create(kind="college", short_name="Орёл", name="Орёл", municipality=oryol)
    bare = Organization.objects.create(kind="employer", short_name="Завод", name="Завод")
    Plan.objects.create(
        key="p",
        number="1",
        date=dt.date(2022, 12, 16),
        issuer="М",
        title="Т",
        first_year=2023,
        last_year=2025,
        is_current=True,
    )

    new = _migrate(AFTER)
    Region = new.get_model("roadmap", "Region")
    assert sorted(Region.objects.values_list("name", flat=True)) == ["Орловская область", "Тульская область"]
    assert Region.objects.get(name="Тульская область").key == "tula"
    assert Region.objects.get(name="Орловская область").key == "region"  # Cyrillic slugs to nothing
    regions = {r.name: r.pk for r in Region.objects.all()}
    M = new.get_model("roadmap", "Municipality")
    Org = new.get_model("roadmap", "Organization")
    P = new.get_model("roadmap", "Plan")
    assert M.objects.get(pk=tula.pk).region_id == regions["Тульская область"]
    assert M.objects.get(pk=oryol.pk).region_id == regions["Орловская область"]
    assert Org.objects.get(pk=college.pk).region_id == regions["Тульская область"]
    assert Org.objects.get(pk=far.pk).region_id == regions["Орловская область"]
    assert Org.objects.get(pk=bare.pk).region_id == regions["Тульская область"]
    assert P.objects.get(key="p").region_id == regions["Тульская область"]

    back = _migrate(BEFORE)
    assert back.get_model("roadmap", "Municipality").objects.get(pk=oryol.pk).region == "Орловская область"
    assert back.get_model("roadmap", "Municipality").objects.get(pk=tula.pk).region == "Тульская область"
    _migrate(executor_leaf())


def executor_leaf() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_an_empty_database_gets_no_region_from_the_migration() -> None:
    _migrate(BEFORE)
    new = _migrate(AFTER)
    assert not new.get_model("roadmap", "Region").objects.exists()
    _migrate(executor_leaf())
