"""Regions as data: the order loads into the Tula region, one current plan per region."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from roadmap.models import Municipality, Organization, Plan, Region
from roadmap.plans.plan_current import plan_mark_current
from roadmap.plans.selectors import current_plan
from roadmap.tests.factories import PlanFactory


@pytest.mark.django_db
def test_the_order_loads_into_the_tula_region(order_plan: Plan) -> None:
    tula = Region.objects.get(key="tula")
    assert tula.name == "Тульская область"
    assert order_plan.region == tula
    assert Municipality.objects.count() == Municipality.objects.filter(region=tula).count() == 26
    assert Organization.objects.exists()
    assert not Organization.objects.exclude(region=tula).exists()


@pytest.mark.django_db
def test_a_reload_keeps_the_one_region(order_plan: Plan) -> None:
    from roadmap.plans.loader import plan_load

    plan_load()
    assert Region.objects.count() == 1


@pytest.mark.django_db
def test_one_current_plan_per_region() -> None:
    a, b = Region.objects.create(name="А", key="a"), Region.objects.create(name="Б", key="b")
    a1, a2 = PlanFactory(region=a), PlanFactory(region=a)
    b1 = PlanFactory(region=b)
    plan_mark_current(plan=a1)
    plan_mark_current(plan=b1)
    assert set(Plan.objects.filter(is_current=True)) == {a1, b1}
    plan_mark_current(plan=a2)  # moves the mark within region A only
    assert set(Plan.objects.filter(is_current=True)) == {a2, b1}
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=a1.pk).update(is_current=True)
    plan_mark_current(plan=None)
    assert not Plan.objects.filter(is_current=True).exists()


@pytest.mark.django_db
def test_a_user_gets_their_regions_current_plan() -> None:
    a, b = Region.objects.create(name="А", key="a"), Region.objects.create(name="Б", key="b")
    a1 = PlanFactory(region=a, first_year=2026, last_year=2028)
    b1 = PlanFactory(region=b, first_year=2026, last_year=2028)
    today = dt.date(2026, 5, 1)
    assert current_plan(today, region_id=a.pk) == a1
    assert current_plan(today, region_id=b.pk) == b1
    plan_mark_current(plan=a1)
    assert current_plan(today, region_id=b.pk) == b1  # A's mark does not reach B
    # A region without plans of its own is shown the plans there are.
    c = Region.objects.create(name="В", key="c")
    assert current_plan(today, region_id=c.pk) == a1


@pytest.mark.django_db
def test_region_plans_are_a_regions_own_else_every_plan() -> None:
    from roadmap.plans.selectors import region_plans

    a, b = Region.objects.create(name="А", key="a"), Region.objects.create(name="Б", key="b")
    a1, b1 = PlanFactory(region=a), PlanFactory(region=b)
    c = Region.objects.create(name="В", key="c")
    plans = list(Plan.objects.all())
    assert region_plans(plans, a.pk) == [a1]
    assert region_plans(plans, b.pk) == [b1]
    assert set(region_plans(plans, c.pk)) == {a1, b1}
    assert set(region_plans(plans, None)) == {a1, b1}


def test_a_scope_key_names_the_scope_it_came_from() -> None:
    from roadmap.accounts.permissions import OrganizationScope

    for scope in (
        OrganizationScope(everything=True),
        OrganizationScope(region=True, region_id=7, unassigned=True),
        OrganizationScope(region=True, region_id=7),
        OrganizationScope(region=True, region_id=None, unassigned=True),
        OrganizationScope(organization_id=3),
    ):
        assert OrganizationScope.from_key(scope.key) == scope
    # Anything else names no one: never "everything" by accident.
    for bad in ("", "x", "o0", "oabc"):
        assert OrganizationScope.from_key(bad) == OrganizationScope()


@pytest.mark.django_db
def test_the_demo_users_include_the_federal_level(order_plan: Plan) -> None:
    import io

    from django.core.management import call_command

    from roadmap.accounts.roles import Role, user_roles
    from roadmap.models import User

    out = io.StringIO()
    call_command("create_demo_users", stdout=out)
    federal = User.objects.get(username="federal")
    assert user_roles(federal) == frozenset({Role.FEDERAL})
    assert federal.organization is None and not federal.is_staff
    assert "Федеральный уровень" in out.getvalue()


def _two_regions() -> tuple[Organization, Municipality, Municipality, object, object]:
    """A college of region A, a municipality of A and one of B, an activity of A's plan and one of B's."""
    from roadmap.tests.factories import ActivityFactory, MunicipalityFactory, OrganizationFactory

    a, b = Region.objects.create(name="А", key="a"), Region.objects.create(name="Б", key="b")
    home, away = MunicipalityFactory(region=a), MunicipalityFactory(region=b)
    college = OrganizationFactory(region=a, municipality=home, kind="college")
    ours = ActivityFactory(section__plan=PlanFactory(region=a, first_year=2026, last_year=2028))
    theirs = ActivityFactory(section__plan=PlanFactory(region=b, first_year=2026, last_year=2028))
    return college, home, away, ours, theirs


@pytest.mark.django_db
def test_an_event_stays_in_its_organisers_region() -> None:
    from django.core.exceptions import ValidationError

    from roadmap.events.services import event_create

    college, home, away, ours, theirs = _two_regions()
    day = dt.date(2026, 5, 12)
    with pytest.raises(ValidationError) as refused:
        event_create(user=None, activity=ours, organizer=college, title="Т", start_date=day, municipality=away)
    assert list(refused.value.message_dict) == ["municipality"]
    with pytest.raises(ValidationError) as refused:
        event_create(user=None, activity=theirs, organizer=college, title="Т", start_date=day)
    assert list(refused.value.message_dict) == ["activity"]
    event = event_create(user=None, activity=ours, organizer=college, title="Т", start_date=day, municipality=home)
    from roadmap.events.services import event_update

    with pytest.raises(ValidationError) as refused:
        event_update(user=None, event=event, municipality=away)
    assert list(refused.value.message_dict) == ["municipality"]
    event.refresh_from_db()
    assert event.municipality == home


@pytest.mark.django_db
def test_the_events_import_refuses_another_regions_municipality_row_by_row() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from roadmap.events import services
    from roadmap.models import Activity, Event

    college, home, away, ours, _ = _two_regions()
    activity = Activity.objects.select_related("plan").get(pk=ours.pk)

    def rows(n: int) -> list[services.EventRow]:
        day = dt.date(2026, 5, 12)
        return [
            services.EventRow(
                row=i,
                activity=activity,
                organizer_id=college.pk,
                title="Т",
                start_date=day,
                end_date=day,
                municipality_id=(away if i == 0 else home).pk,
            )
            for i in range(n)
        ]

    counts = []
    for n in (2, 8):
        with CaptureQueriesContext(connection) as queries:
            outcome = services.events_import(
                user=None, rows=rows(n), now=dt.datetime(2026, 5, 1, tzinfo=dt.UTC), commit=False
            )
        assert [(p.row, p.field) for p in outcome.problems] == [(0, "municipality")]
        counts.append(len(queries))
    assert counts[0] == counts[1], "the regions are read once, not per row"
    assert not Event.objects.exists()
