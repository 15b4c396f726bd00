"""One read path per visibility rule (issue 16, part 2).

In ``tests/world.py`` everything of organisation B carries ``SECRET``; the
coordinator of organisation A plays the other organisation here: they must
never see B's records, and every object of B answers them 404, for reads and
writes alike (a user who may see the object but not act on it gets 403).
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from indicators.models import (
    EducationalProgramme,
    PartnerAgreement,
    ProgrammeCohort,
)
from indicators.permissions import visible_actuals, visible_agreements, visible_cohorts, visible_programmes
from indicators.selectors import visible_indicator_records
from roadmap.accounts.permissions import visible_event_reports, visible_events, visible_evidence, visible_notifications
from roadmap.models import Event, EventReport, EvidenceFile, Notification
from tests.world import SECRET, Registries, World, add_registries, logged_in

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def registries(world: World) -> Registries:
    return add_registries(world)


# --- the selectors ----------------------------------------------------------------------------


def test_it_scopes_every_selector_to_the_users_organisation(world: World, registries: Registries) -> None:
    selectors = [
        (visible_events, Event.objects.filter(organizer=world.org_b)),
        (visible_event_reports, EventReport.objects.filter(event__organizer=world.org_b)),
        (visible_evidence, EvidenceFile.objects.filter(report__event__organizer=world.org_b)),
        (visible_actuals, world.org_b.actuals.all()),
        (visible_agreements, PartnerAgreement.objects.filter(organization=world.org_b)),
        (visible_programmes, EducationalProgramme.objects.filter(developer=world.org_b)),
        (visible_cohorts, ProgrammeCohort.objects.filter(programme__developer=world.org_b)),
    ]
    for selector, of_b in selectors:
        assert of_b.exists(), selector.__name__
        b_ids = set(of_b.values_list("pk", flat=True))
        assert b_ids <= set(selector(world.coord_b).values_list("pk", flat=True)), selector.__name__
        assert not b_ids & set(selector(world.coord_a).values_list("pk", flat=True)), selector.__name__
        for staff in (world.copp, world.ministry):
            assert b_ids <= set(selector(staff).values_list("pk", flat=True)), selector.__name__


def test_it_shows_nothing_to_anonymous_users_or_users_without_an_organisation(
    world: World, registries: Registries, make_user: Any
) -> None:
    from django.contrib.auth.models import AnonymousUser

    nobody = make_user("coordinator")
    for user in (AnonymousUser(), nobody):
        for selector in (
            visible_events,
            visible_event_reports,
            visible_evidence,
            visible_actuals,
            visible_agreements,
            visible_programmes,
            visible_cohorts,
            visible_notifications,
        ):
            assert not selector(user).exists(), selector.__name__


def test_it_shows_each_user_only_their_own_notifications_whatever_the_role(world: World) -> None:
    mine = Notification.objects.filter(user=world.coord_b)
    assert mine.exists()
    assert set(visible_notifications(world.coord_b)) == set(mine)
    for other in (world.coord_a, world.copp, world.ministry):
        assert not visible_notifications(other).filter(user=world.coord_b).exists()


# --- records behind a figure: the API used to leak them, the page did not --------------------------


def test_it_gives_the_records_api_and_the_page_the_same_scoped_records(world: World, registries: Registries) -> None:
    year = registries.year
    for kind, indicator in registries.indicators.items():
        url = f"/api/v1/indicators/{indicator.code}/records/?year={year}"
        page = f"/indicators/{indicator.pk}/?year={year}"
        assert SECRET in api(world.copp).get(url).content.decode(), (kind, "the record must exist for this test")
        assert SECRET in api(world.coord_b).get(url).content.decode(), kind
        leaked = api(world.coord_a).get(url)
        assert leaked.status_code == 200
        assert SECRET not in leaked.content.decode(), (kind, leaked.json())
        assert SECRET in logged_in(world.coord_b).get(page).content.decode(), kind
        assert SECRET not in logged_in(world.coord_a).get(page).content.decode(), kind
        for user in (world.coord_a, world.coord_b, world.copp):
            records = visible_indicator_records(user, indicator, year)
            listed = [r["id"] for r in api(user).get(url).json()[str(kind)]]
            assert listed == list(records[str(kind)].values_list("pk", flat=True)), (kind, user)


# --- registries -----------------------------------------------------------------------------------


REGISTRY_URLS = {"agreement": "partner-agreements", "programme": "programmes", "cohort": "programme-cohorts"}


@pytest.mark.parametrize("name", list(REGISTRY_URLS))
def test_it_hides_another_organisations_registry_records(world: World, registries: Registries, name: str) -> None:
    base = f"/api/v1/{REGISTRY_URLS[name]}/"
    record = getattr(registries, name)
    listed = api(world.coord_a).get(base)
    assert listed.status_code == 200 and SECRET not in listed.content.decode()
    assert SECRET in api(world.coord_b).get(base).content.decode()
    assert SECRET in api(world.ministry).get(base).content.decode()
    detail = f"{base}{record.pk}/"
    assert api(world.coord_b).get(detail).status_code == 200
    intruder = api(world.coord_a)
    assert intruder.get(detail).status_code == 404
    assert intruder.patch(detail, {"completed": 1, "hours": 1, "subject": "x"}, format="json").status_code == 404
    assert intruder.put(detail, {}, format="json").status_code == 404
    assert intruder.delete(detail).status_code == 404
    assert type(record).objects.filter(pk=record.pk).exists()
    record.refresh_from_db()
    assert SECRET in str(getattr(record, "subject", "")) + str(getattr(record, "name", "")) + str(
        getattr(record, "group", "")
    )


def test_it_refuses_another_organisations_programme_like_an_unknown_one(world: World, registries: Registries) -> None:
    intruder = api(world.coord_a)
    body = {"year": registries.year, "group": "г", "completed": 1}
    theirs = intruder.post("/api/v1/programme-cohorts/", body | {"programme": registries.programme.pk}, format="json")
    unknown = intruder.post("/api/v1/programme-cohorts/", body | {"programme": 10**9}, format="json")
    assert theirs.status_code == unknown.status_code == 400
    assert "programme" in theirs.json()
    assert ProgrammeCohort.objects.count() == 1


# --- events: no existence oracle ----------------------------------------------------------------------


def _writes(event_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    url = f"/api/v1/events/{event_id}/"
    report = {"summary": "чужой", "participants_total": 1}
    return [
        ("get", url, {}),
        ("patch", url, {"title": "Чужое"}),
        ("post", url + "cancel/", {"reason": "x"}),
        ("get", url + "report/", {}),
        ("post", url + "report/", report),
        ("put", url + "report/", report),
        ("post", url + "report/accept/", {}),
        ("post", url + "report/return/", {"reason": "x"}),
        ("post", url + "report/evidence/", {}),
    ]


def test_it_answers_404_to_every_write_on_another_organisations_event_with_or_without_a_report(world: World) -> None:
    with_report = next(e for e in world.events_b if EventReport.objects.filter(event=e).exists())
    without = next(e for e in world.events_b if not EventReport.objects.filter(event=e).exists())
    before = (
        list(Event.objects.values_list("pk", "title", "version", "cancelled_at")),
        list(EventReport.objects.values_list("pk", "summary", "status", "version")),
    )
    intruder = api(world.coord_a)
    for event in (with_report, without):
        for method, url, body in _writes(event.pk):
            response = getattr(intruder, method)(url, body, format="json")
            assert response.status_code == 404, (method, url, response.status_code)
            assert SECRET not in response.content.decode()
    after = (
        list(Event.objects.values_list("pk", "title", "version", "cancelled_at")),
        list(EventReport.objects.values_list("pk", "summary", "status", "version")),
    )
    assert after == before


def test_it_answers_403_to_who_may_see_the_event_but_not_act(world: World) -> None:
    without = next(e for e in world.events_b if not EventReport.objects.filter(event=e).exists())
    with_report = next(e for e in world.events_b if EventReport.objects.filter(event=e, status="submitted").exists())
    ministry, coordinator = api(world.ministry), api(world.coord_b)
    body = {"summary": "x", "participants_total": 1}
    assert ministry.post(f"/api/v1/events/{without.pk}/report/", body, format="json").status_code == 403
    assert coordinator.post(f"/api/v1/events/{with_report.pk}/report/accept/", {}, format="json").status_code == 403


def test_it_answers_404_on_the_web_pages_of_another_organisations_event(world: World) -> None:
    intruder = logged_in(world.coord_a)
    for event in world.events_b[:2]:
        for suffix in ("", "report/"):
            assert intruder.get(f"/events/{event.pk}/{suffix}").status_code == 404
        for suffix in ("report/", "evidence/", "accept/", "return/", "cancel/"):
            assert intruder.post(f"/events/{event.pk}/{suffix}", {"reason": "x"}).status_code == 404


def test_it_serves_evidence_only_to_who_may_see_the_event(world: World) -> None:
    evidence = EvidenceFile.objects.filter(report__event__organizer=world.org_b).first()
    assert logged_in(world.coord_a).get(f"/evidence/{evidence.pk}/").status_code == 404
    response = logged_in(world.coord_b).get(f"/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    # The API links to that download, not to the storage URL.
    event = api(world.coord_b).get(f"/api/v1/events/{evidence.report.event_id}/report/").json()
    assert event["evidence"][0]["url"].endswith(f"/evidence/{evidence.pk}/")


# --- the admin: get_queryset is its one scoping point ----------------------------------------------


def test_it_scopes_the_admin_of_a_staff_coordinator_to_their_organisation(world: World, registries: Registries) -> None:
    world.coord_a.is_staff = True
    world.coord_a.save(update_fields=["is_staff"])
    staff = logged_in(world.coord_a)
    for model in ("roadmap/event", "roadmap/eventreport", "indicators/partneragreement", "indicators/actual"):
        page = staff.get(f"/admin/{model}/")
        assert page.status_code == 200, model
        assert SECRET not in page.content.decode(), model
    # B's objects are "not found" in the admin too (it sends you back to its index, as for a missing id).
    for url in (
        f"/admin/roadmap/event/{world.events_b[0].pk}/change/",
        f"/admin/indicators/partneragreement/{registries.agreement.pk}/change/",
    ):
        response = staff.get(url)
        assert response.status_code == 302 and SECRET not in response.content.decode(), url
    assert SECRET in logged_in(world.copp).get("/api/v1/partner-agreements/").content.decode()
