"""Region scope: a regional ministry's and ЦОПП's staff see their own region only.

The world's organisation B (everything of it marked ``SECRET``) is moved to
region «Б»; the world's ministry and ЦОПП staff are bound to no organisation,
so they are the default region's (Tula's, ``settings.COPP_DEFAULT_REGION``).
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from indicators.models import EducationalProgramme, PartnerAgreement, ProgrammeCohort
from indicators.permissions import (
    actual_organization_choices,
    can_enter_actual,
    can_review_actuals,
    visible_actuals,
    visible_agreements,
    visible_cohorts,
    visible_programmes,
)
from roadmap.accounts.permissions import (
    can_act_for_organization,
    can_register_event,
    can_review_report,
    event_organizer_choices,
    region_municipalities,
    visible_event_reports,
    visible_events,
    visible_evidence,
    visible_organizations,
)
from roadmap.models import Event, EventReport, EvidenceFile, Municipality, Organization, Region
from roadmap.tests.factories import (
    ActivityFactory,
    MunicipalityFactory,
    OrganizationFactory,
    PlanFactory,
    UserFactory,
)
from tests.world import SECRET, Registries, World, add_registries, logged_in

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def region_b(world: World) -> Region:
    region = Region.objects.create(name="Регион Б", key="region-b", order=2)
    municipality = MunicipalityFactory(name="Город Б", region=region)
    world.org_b.region, world.org_b.municipality = region, municipality
    world.org_b.save()  # its events move with it (Event.region)
    Event.objects.filter(organizer=world.org_b).update(municipality=municipality)
    world.org_b.refresh_from_db()
    return region


@pytest.fixture
def registries(world: World, region_b: Region) -> Registries:
    return add_registries(world)


@pytest.fixture
def ministry_b(region_b: Region) -> Any:
    return UserFactory(role="ministry", organization=OrganizationFactory(kind="ministry", region=region_b))


@pytest.fixture
def copp_b(region_b: Region) -> Any:
    return UserFactory(role="copp", organization=OrganizationFactory(kind="copp", region=region_b))


@pytest.fixture
def federal(make_user: Any) -> Any:
    return make_user("federal")


SELECTORS: list[tuple[Any, Any]] = [
    (visible_events, lambda org: Event.objects.filter(organizer=org)),
    (visible_event_reports, lambda org: EventReport.objects.filter(event__organizer=org)),
    (visible_evidence, lambda org: EvidenceFile.objects.filter(report__event__organizer=org)),
    (visible_actuals, lambda org: org.actuals.all()),
    (visible_agreements, lambda org: PartnerAgreement.objects.filter(organization=org)),
    (visible_programmes, lambda org: EducationalProgramme.objects.filter(developer=org)),
    (visible_cohorts, lambda org: ProgrammeCohort.objects.filter(programme__developer=org)),
    (visible_organizations, lambda org: Organization.objects.filter(pk=org.pk)),
]


def test_every_selector_keeps_each_region_to_itself(
    world: World, registries: Registries, ministry_b: Any, copp_b: Any, federal: Any
) -> None:
    for selector, rows in SELECTORS:
        b_ids = set(rows(world.org_b).values_list("pk", flat=True))
        a_ids = set(rows(world.org_a).values_list("pk", flat=True))
        assert b_ids, selector.__name__
        for tula_staff in (world.ministry, world.copp):
            seen = set(selector(tula_staff).values_list("pk", flat=True))
            assert not b_ids & seen, (selector.__name__, tula_staff)
            assert a_ids <= seen, selector.__name__
        for staff_b in (ministry_b, copp_b):
            seen = set(selector(staff_b).values_list("pk", flat=True))
            assert b_ids <= seen, selector.__name__
            assert not a_ids & seen, selector.__name__
        assert a_ids | b_ids <= set(selector(federal).values_list("pk", flat=True)), selector.__name__


def test_pages_show_nothing_of_another_region(world: World, region_b: Region, ministry_b: Any, federal: Any) -> None:
    event_b = Event.objects.filter(organizer=world.org_b).first()
    assert event_b is not None
    for staff in (world.ministry, world.copp):
        client = logged_in(staff)
        for page in ("/events/", "/actuals/", "/dashboard/", "/dashboard/timeliness/"):
            response = client.get(page)
            assert response.status_code == 200, page
            assert SECRET not in response.content.decode(), (page, staff)
            assert "Колледж Б" not in response.content.decode(), (page, staff)
            assert "Город Б" not in response.content.decode(), (page, staff)
        assert client.get(f"/events/{event_b.pk}/").status_code == 404
    assert SECRET in logged_in(ministry_b).get("/events/").content.decode()
    assert logged_in(ministry_b).get(f"/events/{event_b.pk}/").status_code == 200
    assert SECRET in logged_in(federal).get("/events/").content.decode()


def test_the_api_shows_nothing_of_another_region(world: World, region_b: Region, ministry_b: Any, federal: Any) -> None:
    event_b = Event.objects.filter(organizer=world.org_b).first()
    assert event_b is not None
    for url in (
        "/api/v1/events/",
        "/api/v1/organizations/",
        "/api/v1/actuals/",
        "/api/v1/events/timeliness/?by=organization",
    ):
        tula = api(world.ministry).get(url)
        assert tula.status_code == 200, url
        assert SECRET not in tula.content.decode() and "Колледж Б" not in tula.content.decode(), url
        assert "Колледж Б" in api(federal).get(url).content.decode() or SECRET in api(federal).get(url).content.decode()
    assert api(world.ministry).get(f"/api/v1/events/{event_b.pk}/").status_code == 404
    assert api(ministry_b).get(f"/api/v1/events/{event_b.pk}/").status_code == 200


def test_exports_hold_nothing_of_another_region(world: World, region_b: Region, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    client = logged_in(world.ministry)
    for name in ("events", "actuals", "timeliness"):
        response = client.get(f"/exports/{name}/")
        assert response.status_code == 200, name
        from tests.test_list_exports import all_text

        assert SECRET not in all_text(response.content), name
        assert "Колледж Б" not in all_text(response.content), name


def test_the_admin_shows_nothing_of_another_region(world: World, region_b: Region) -> None:
    staff = world.ministry
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client = logged_in(staff)
    for url in ("/admin/roadmap/event/", "/admin/roadmap/eventreport/", "/admin/indicators/actual/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
        assert "Колледж Б" not in response.content.decode(), url
        assert "Город Б" not in response.content.decode(), url


def test_copp_acts_only_for_its_own_region(world: World, region_b: Region, copp_b: Any, make_user: Any) -> None:
    assert can_act_for_organization(world.copp, world.org_a.pk)
    assert not can_act_for_organization(world.copp, world.org_b.pk)
    assert can_act_for_organization(copp_b, world.org_b.pk)
    assert not can_act_for_organization(copp_b, world.org_a.pk)
    assert not can_register_event(world.ministry, world.org_b.pk)
    assert not can_enter_actual(world.copp, world.org_b.pk)
    assert world.org_b not in event_organizer_choices(world.copp)
    assert world.org_a in event_organizer_choices(world.copp)
    assert list(event_organizer_choices(copp_b).values_list("region_id", flat=True)) == [region_b.pk] * (
        event_organizer_choices(copp_b).count()
    )
    assert world.org_b not in actual_organization_choices(world.copp)
    report_b = EventReport.objects.filter(event__organizer=world.org_b).first()
    assert report_b is not None
    assert not can_review_report(world.ministry, report_b)
    assert can_review_report(copp_b, report_b)
    assert not can_review_actuals(world.copp, world.org_b)
    assert can_review_actuals(copp_b, world.org_b)
    # Administrators act everywhere; the federal level nowhere (it reads).
    admin, federal = make_user("admin"), make_user("federal")
    assert can_act_for_organization(admin, world.org_b.pk)
    assert not can_act_for_organization(federal, world.org_b.pk)
    assert not can_register_event(federal, world.org_b.pk)
    assert not can_review_report(federal, report_b)


def test_the_api_refuses_an_event_for_another_regions_organisation(world: World, region_b: Region) -> None:
    response = api(world.copp).post(
        "/api/v1/events/",
        {
            "activity": world.activity.pk,
            "organizer": world.org_b.pk,
            "title": "Чужой регион",
            "start_date": f"{world.plan.last_year}-03-01",
        },
        format="json",
    )
    assert response.status_code in (400, 403), response.content
    assert not Event.objects.filter(title="Чужой регион").exists()


def test_choices_are_limited_to_the_users_region(world: World, region_b: Region, ministry_b: Any) -> None:
    tula = set(region_municipalities(world.ministry).values_list("name", flat=True))
    assert "Город Б" not in tula and "город Тула" in tula
    assert set(region_municipalities(ministry_b).values_list("name", flat=True)) == {"Город Б"}
    form = logged_in(world.copp).get("/events/new/").content.decode()
    assert "Город Б" not in form and "Колледж Б" not in form
    assert Municipality.objects.filter(name="Город Б").exists()


def test_the_register_import_stays_in_the_importers_region(
    world: World, region_b: Region, copp_b: Any, settings: Any, tmp_path: Any
) -> None:
    from reports.services import import_confirm, import_dry_run
    from reports.tests.conftest import xlsx_bytes

    settings.MEDIA_ROOT = tmp_path / "media"
    header = ["Код", "Вид", "Краткое наименование", "Полное наименование", "Муниципальное образование"]
    tula_org = Organization.objects.filter(region__key="tula", key__isnull=False).first()
    assert tula_org is not None
    for row, said in (
        ([tula_org.key, "колледж", "Чужой", "Чужой колледж", ""], "другого региона"),  # another region's organisation
        (["college-b-3", "колледж", "Б-3", "Колледж Б-3", "город Тула"], "«город Тула» не найдено"),
    ):
        refused = import_dry_run(user=copp_b, kind="organizations", file=xlsx_bytes([header, row]), name="x.xlsx")
        assert not refused.is_clean
        assert said in "\n".join(str(e) for e in refused.errors)
    clean = import_dry_run(
        user=copp_b,
        kind="organizations",
        file=xlsx_bytes([header, ["college-b-2", "колледж", "Колледж Б-2", "Колледж Б-2", "Город Б"]]),
        name="y.xlsx",
    )
    assert clean.is_clean, [str(e) for e in clean.errors]
    import_confirm(user=copp_b, job=clean.job, now=timezone.now())
    assert Organization.objects.get(key="college-b-2").region == region_b


def test_an_event_keeps_its_organisers_region_through_every_write(world: World, region_b: Region) -> None:
    """``Event.region`` (what a region's lists filter on) is the organiser's: on create,
    on save, after the organisation moves to another region, after the migration's copy.
    The event rollups carry the same region (``EventRollup.region``), checked by
    ``rollups_check`` at each step, and a region's timeliness read from them
    equals the direct computation over its events."""
    from django.apps import apps as registry
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from roadmap.accounts.permissions import organization_scope
    from roadmap.events.rollups import rollups_check, rollups_rebuild
    from roadmap.events.selectors import timeliness_figures, timeliness_figures_direct
    from roadmap.events.services import event_create
    from roadmap.models import EventRollup

    tula = Region.objects.get(key="tula")  # the default region: where organisers of no region count

    def wrong() -> int:
        pairs = Event.objects.values_list("region_id", "organizer__region_id")
        return sum(1 for mine, organisers in pairs if mine != (organisers or tula.pk))

    rollups_rebuild()  # the world's events were made by factories, past the services
    assert wrong() == 0 and Event.objects.filter(organizer=world.org_b, region=region_b).exists()

    def same_timeliness(region: Region) -> None:
        assert rollups_check().ok
        user = UserFactory(role="ministry", organization=OrganizationFactory(kind="ministry", region=region))
        now, scope = timezone.now(), organization_scope(user)
        assert timeliness_figures(now=now, scope=scope) == timeliness_figures_direct(now=now, scope=scope)
        counted = timeliness_figures(now=now, scope=scope).total.held
        assert counted == len([e for e in visible_events(user) if e.cancelled_at is None and e.end_date <= now.date()])

    activity = ActivityFactory(section__plan=PlanFactory(region=region_b))
    made = event_create(
        user=None, activity=activity, organizer=world.org_b, title="Проба", start_date=dt.date(2026, 3, 2)
    )
    assert made.region_id == region_b.pk
    assert made in visible_events_of(region_b) and made not in visible_events(world.ministry)
    assert EventRollup.objects.filter(organization=world.org_b).exclude(region=region_b).count() == 0
    same_timeliness(region_b)

    # The organisation moves: its events move with it, in one UPDATE whatever their number.
    region_c = Region.objects.create(name="Регион В", key="region-c", order=3)
    with CaptureQueriesContext(connection) as moved:
        world.org_b.region = region_c
        world.org_b.save()
    assert len(moved) <= 5  # read the old region, save, move the events and their rollups (SQLite: + savepoint)
    assert wrong() == 0 and not Event.objects.filter(region=region_b).exists()
    assert not EventRollup.objects.filter(region=region_b).exists()
    same_timeliness(region_c)
    same_timeliness(region_b)  # nothing left there
    world.org_b.short_name = "Колледж Б (переименован)"
    with CaptureQueriesContext(connection) as renamed:
        world.org_b.save()
    assert not any("roadmap_event" in q["sql"] and "UPDATE" in q["sql"] for q in renamed.captured_queries)
    assert not any("roadmap_eventrollup" in q["sql"] for q in renamed.captured_queries)

    # Of no region: its events count in the default region, whose staff see them.
    world.org_b.region = None
    world.org_b.save()
    assert wrong() == 0 and made in visible_events(world.ministry)
    same_timeliness(tula)

    # A side door (a bulk update) leaves copies behind: rollups_check names them, and
    # the migrations' copies put them right.
    Event.objects.update(region=None)
    importlib.import_module("roadmap.migrations.0015_event_region").copy_regions(registry, None)
    assert wrong() == 0
    EventRollup.objects.update(region=None)
    check = rollups_check()
    assert not check.ok and all("stored" in d.describe() and "region=-" in d.describe() for d in check.differences)
    importlib.import_module("roadmap.migrations.0016_rollup_region").copy_regions(registry, None)
    same_timeliness(tula)


def visible_events_of(region: Region) -> Any:
    return visible_events(
        UserFactory(role="ministry", organization=OrganizationFactory(kind="ministry", region=region))
    )


def test_an_agreement_under_no_activity_counts_in_the_plans_of_its_holders_region(
    world: World, region_b: Region
) -> None:
    """Partners of row 8: an agreement under an activity counts in that activity's plan; one
    under no activity in the plans of its holder's region, not in every region's plan."""
    from indicators.models import IndicatorSource
    from indicators.selectors import indicator_figures, plans_indicator_figures
    from indicators.tests.factories import PartnerAgreementFactory
    from roadmap.plans.plan_copy import plan_copy

    order = world.plan
    plan_b = plan_copy(source_key=order.key, key="plan-b", first_year=order.first_year, last_year=order.last_year).plan
    plan_b.region = region_b
    plan_b.save()
    IndicatorSource.objects.filter(indicator__code="8").update(scope="everyone")
    year = order.last_year

    def partners() -> tuple[Any, Any]:
        found = plans_indicator_figures([order, plan_b], years=[year])
        return tuple(next(f.derived for f in found[p.pk] if f.code == "8") for p in (order, plan_b))  # type: ignore[return-value]

    before = partners()
    PartnerAgreementFactory(organization=world.org_b, valid_from=dt.date(year, 1, 1))
    tula_before, b_before = before
    assert partners() == (tula_before, (b_before or 0) + 1), "region B's agreement counts in region B's plan only"
    PartnerAgreementFactory(organization=world.org_a, valid_from=dt.date(year, 1, 1))
    assert partners() == ((tula_before or 0) + 1, (b_before or 0) + 1)
    # One plan at a time gives the same figures as all plans together.
    assert indicator_figures(plan_b, years=[year])[("8", year)].derived == (b_before or 0) + 1
