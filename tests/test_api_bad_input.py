"""Bad input to the API is a clear 400, 404 or 409, never a 500, and what the
API answers matches the schema it publishes (issue 16, the schemathesis findings).

The responses are checked with schemathesis' own validator against the schema
drf-spectacular generates, the way ``.ci/schemathesis.sh`` checks a live server.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from indicators.models import EducationalProgramme
from indicators.services import InvalidInput, clean_value
from indicators.tests.factories import ProgrammeCohortFactory
from roadmap.events import services
from roadmap.events.limits import MAX_INDICATOR_VALUE, MAX_PAGE_LIMIT, MAX_PARTICIPANTS
from roadmap.models import Event, EventReport, Organization
from tests.world import World

pytestmark = pytest.mark.django_db

HUGE = 2**63 + 1  # beyond PostgreSQL's bigint


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(scope="module")
def published_schema(django_db_blocker: Any) -> Any:
    import schemathesis
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        raw = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(raw)


def assert_matches_schema(schema: Any, path: str, method: str, response: Any) -> None:
    """Fail like schemathesis' response_schema_conformance would."""
    import requests
    from schemathesis.core.transport import Response

    request = requests.Request(method.upper(), f"http://testserver{response.request['PATH_INFO']}").prepare()
    headers = {k: [v] for k, v in response.headers.items()}
    wrapped = Response(response.status_code, headers, response.content, request=request, elapsed=0.0, verify=False)
    schema[path][method].validate_response(wrapped)


# --- server errors ---------------------------------------------------------------------------


def test_it_answers_404_to_a_non_numeric_event_id(world: World) -> None:
    response = api(world.coord_a).post("/api/v1/events/abc/cancel/", {"reason": "x"}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/events/abc/",
        "/api/v1/events/1e3/report/",
        "/api/v1/actuals/x/history/",
        "/api/v1/notifications/null,null/read/",
        "/api/v1/programmes/-1/",
        "/api/v1/organizations/%C3%8E/",
        "/api/v1/activities/one/",
    ],
)
def test_it_answers_404_to_any_non_numeric_id(world: World, url: str) -> None:
    assert api(world.copp).get(url).status_code == 404


@pytest.mark.parametrize("body", ["-1.1225967506688654e+16", "[1, 2]", '"reason"', "null"])
@pytest.mark.parametrize("action", ["cancel", "report/accept", "report/return"])
def test_it_answers_400_to_a_body_that_is_not_an_object(world: World, action: str, body: str) -> None:
    """Found by schemathesis: ``request.data.get`` on a JSON number was a 500."""
    event = world.events_a[2]  # reported late, under review
    client = api(world.copp if action.startswith("report") else world.coord_a)
    response = client.post(f"/api/v1/events/{event.pk}/{action}/", body, content_type="application/json")
    assert response.status_code == 400, response.content


def test_it_caps_an_absurd_limit(world: World) -> None:
    response = api(world.copp).get("/api/v1/events/", {"limit": "99999999999999999999"})
    assert response.status_code == 200
    assert response.json()["count"] == Event.objects.count()
    assert len(response.json()["results"]) <= MAX_PAGE_LIMIT


def test_it_caps_the_limit_at_500(world: World) -> None:
    world.grow(110)  # 1,100+ events
    response = api(world.copp).get("/api/v1/events/", {"limit": 100000})
    assert len(response.json()["results"]) == MAX_PAGE_LIMIT


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "abc"},
        {"limit": ""},
        {"limit": "0"},
        {"limit": "-5"},
        {"limit": "true"},
        {"offset": "-1"},
        {"offset": "1.5"},
        {"offset": "99999999999999999999"},
        {"offset": "null"},
    ],
)
def test_it_refuses_a_limit_or_offset_that_is_not_a_count(world: World, params: dict[str, str]) -> None:
    response = api(world.copp).get("/api/v1/organizations/", params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_it_refuses_a_participant_count_above_the_bound(world: World) -> None:
    event = world.events_a[0]  # overdue, no report
    for value in (HUGE, MAX_PARTICIPANTS + 1):
        response = api(world.coord_a).post(
            f"/api/v1/events/{event.pk}/report/",
            {"summary": "Прошло", "participants_total": value},
            format="json",
        )
        assert response.status_code == 400, response.content
        assert "participants_total" in response.json()
    assert not EventReport.objects.filter(event=event).exists()


def test_it_bounds_participants_in_the_service_for_every_door(world: World) -> None:
    data = services.ReportData(summary="Прошло", participants_total=MAX_PARTICIPANTS, schools_count=HUGE)
    with pytest.raises(services.ValidationError) as caught:
        services.event_report_submit(user=world.coord_a, event=world.events_a[0], data=data, now=timezone.now())
    assert set(caught.value.message_dict) == {"schools_count"}


def test_it_bounds_planned_participants(world: World) -> None:
    event = world.events_a[0]
    response = api(world.coord_a).patch(f"/api/v1/events/{event.pk}/", {"planned_participants": HUGE}, format="json")
    assert response.status_code == 400
    assert "planned_participants" in response.json()
    with pytest.raises(services.ValidationError) as caught:
        services.event_update(user=None, event=event, planned_participants=MAX_PARTICIPANTS + 1)
    assert set(caught.value.message_dict) == {"planned_participants"}


@pytest.mark.parametrize("value", [HUGE, MAX_INDICATOR_VALUE + 1, str(HUGE)])
def test_it_refuses_an_indicator_value_above_the_bound(world: World, value: Any) -> None:
    response = api(world.coord_a).post(
        "/api/v1/actuals/",
        {"indicator": "5.1", "year": world.plan.first_year, "organization": world.org_a.pk, "value": value},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "value" in response.json()


def test_it_bounds_indicator_values_in_the_service(world: World) -> None:
    assert clean_value(world.indicator, MAX_INDICATOR_VALUE) == (MAX_INDICATOR_VALUE, None)
    with pytest.raises(InvalidInput) as caught:
        clean_value(world.indicator, MAX_INDICATOR_VALUE + 1)
    assert caught.value.field == "value"


# --- dates within the plan's period ---------------------------------------------------------------


def _new_event(world: World, **dates: str) -> Any:
    return api(world.coord_a).post(
        "/api/v1/events/",
        {"activity": world.activity.number, "organizer": world.org_a.pk, "title": "Ярмарка", **dates},
        format="json",
    )


def test_it_refuses_a_start_date_centuries_before_the_plan(world: World) -> None:
    response = _new_event(world, start_date="0540-01-07", end_date=f"{world.plan.first_year}-03-01")
    assert response.status_code == 400
    assert list(response.json()) == ["start_date"]
    assert response.json()["start_date"] == ["07.01.0540 — вне периода дорожной карты (2023–2025)"]


def test_it_refuses_an_end_date_after_the_plan(world: World) -> None:
    response = _new_event(
        world, start_date=f"{world.plan.last_year}-12-31", end_date=f"{world.plan.last_year + 1}-01-01"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["end_date"]


def test_it_accepts_the_plans_first_and_last_days(world: World) -> None:
    assert _new_event(world, start_date=f"{world.plan.first_year}-01-01").status_code == 201
    assert _new_event(world, start_date=f"{world.plan.last_year}-12-31").status_code == 201


def test_it_accepts_the_days_between_the_order_and_its_first_year(world: World) -> None:
    """Order No 2714 is dated 16.12.2022 and sets deadlines in December 2022."""
    assert world.plan.date == dt.date(2022, 12, 16)
    assert _new_event(world, start_date="2022-12-16").status_code == 201
    response = _new_event(world, start_date="2022-12-15")
    assert response.status_code == 400
    assert response.json()["start_date"] == ["15.12.2022 — вне периода дорожной карты (2023–2025)"]


def test_it_checks_the_period_when_an_event_moves(world: World) -> None:
    event = world.events_a[4]
    with pytest.raises(services.ValidationError) as caught:
        services.event_update(user=None, event=event, start_date=dt.date(540, 1, 7))
    assert "start_date" in caught.value.message_dict


# --- protected deletes --------------------------------------------------------------------------


def test_it_answers_409_with_the_reason_to_a_protected_delete(world: World) -> None:
    cohort = ProgrammeCohortFactory(programme__developer=Organization.objects.get(kind="copp", is_group=False))
    response = api(world.copp).delete(f"/api/v1/programmes/{cohort.programme_id}/")
    assert response.status_code == 409
    assert "нельзя удалить" in response.json()["detail"] and "выпуски" in response.json()["detail"]
    assert EducationalProgramme.objects.filter(pk=cohort.programme_id).exists()


# --- responses match the published schema -----------------------------------------------------------


def test_anonymous_gets_401(world: World) -> None:
    response = APIClient().get("/api/v1/events/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("/api/v1/consistency/", "/api/v1/consistency/?source=plan"),
        ("/api/v1/events/timeliness/", "/api/v1/events/timeliness/"),
        ("/api/v1/events/timeliness/", "/api/v1/events/timeliness/?by=month"),
        ("/api/v1/notifications/unread-count/", "/api/v1/notifications/unread-count/"),
        ("/api/v1/notifications/", "/api/v1/notifications/"),
        ("/api/v1/indicators/", "/api/v1/indicators/"),
        ("/api/v1/organizations/", "/api/v1/organizations/?limit=500"),
        ("/api/v1/events/", "/api/v1/events/?limit=500"),
    ],
)
def test_it_answers_lists_as_the_schema_says(world: World, published_schema: Any, path: str, url: str) -> None:
    Organization.objects.create(short_name="Без района", name="Без района", kind="employer")  # municipality null
    response = api(world.coord_a).get(url)
    assert response.status_code == 200
    assert_matches_schema(published_schema, path, "GET", response)


def test_it_writes_a_year_before_1000_with_four_digits(world: World, published_schema: Any) -> None:
    """Found by schemathesis: a programme approved on 0127-12-28 came back as "127-12-28"."""
    from indicators.tests.factories import EducationalProgrammeFactory

    programme = EducationalProgrammeFactory(approved_on=dt.date(127, 12, 28))
    response = api(world.copp).get(f"/api/v1/programmes/{programme.pk}/")
    assert response.json()["approved_on"] == "0127-12-28"
    assert_matches_schema(published_schema, "/api/v1/programmes/{id}/", "GET", response)


def test_it_answers_the_history_of_a_value_as_the_schema_says(world: World, published_schema: Any) -> None:
    response = api(world.coord_a).get(f"/api/v1/actuals/{world.actual_a.pk}/history/")
    assert response.status_code == 200
    assert_matches_schema(published_schema, "/api/v1/actuals/{id}/history/", "GET", response)


def test_it_answers_errors_as_the_schema_says(world: World, published_schema: Any) -> None:
    event = world.events_a[0]
    response = api(world.coord_a).post(f"/api/v1/events/{event.pk}/cancel/", {}, format="json")
    assert response.status_code == 400
    assert_matches_schema(published_schema, "/api/v1/events/{id}/cancel/", "POST", response)
    response = api(world.coord_a).post("/api/v1/events/abc/cancel/", {}, format="json")
    assert_matches_schema(published_schema, "/api/v1/events/{id}/cancel/", "POST", response)


def test_a_cursor_page_and_a_bad_cursor_answer_as_the_schema_says(world: World, published_schema: Any) -> None:
    from drf_spectacular.generators import SchemaGenerator

    raw = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/v1/events/", "/api/v1/organizations/", "/api/v1/notifications/"):
        parameters = {p["name"]: p for p in raw["paths"][path]["get"]["parameters"]}
        assert parameters["cursor"]["schema"] == {"type": "string"}
        assert parameters["offset"]["schema"]["maximum"] == 10_000
    first = api(world.copp).get("/api/v1/events/", {"limit": 1}).json()
    response = api(world.copp).get(first["next"])
    assert response.status_code == 200
    assert_matches_schema(published_schema, "/api/v1/events/", "GET", response)
    for params in ({"cursor": "x"}, {"offset": 10_001}):
        response = api(world.copp).get("/api/v1/events/", params)
        assert response.status_code == 400
        assert_matches_schema(published_schema, "/api/v1/events/", "GET", response)
