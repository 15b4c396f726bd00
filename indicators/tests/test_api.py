"""The contract of /api/v1/actuals/, /indicators/{code}/progress/ and /consistency/."""

from __future__ import annotations

from typing import Any

import pytest

from indicators.models import Actual, Indicator
from indicators.tests.factories import NOW, accepted_report, approved_actual
from roadmap.models import Activity
from roadmap.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def college(order_plan: Any) -> Any:
    return OrganizationFactory()


@pytest.fixture
def client_as(api_client: Any, make_user: Any, college: Any) -> Any:
    def login(role: str, **kwargs: Any) -> Any:
        if role == "coordinator":
            kwargs.setdefault("organization", college)
        api_client.force_authenticate(make_user(role, **kwargs))
        return api_client

    return login


def create(client: Any, college: Any, **body: Any) -> Any:
    payload = {"indicator": "3", "year": 2024, "organization": college.pk, "value": 120} | body
    return client.post("/api/v1/actuals/", payload, format="json")


def test_it_creates_a_draft(client_as: Any, college: Any) -> None:
    response = create(client_as("coordinator"), college)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert Actual.objects.get(pk=body["id"]).value == 120


def test_it_takes_booleans_for_yes_no_indicators(client_as: Any, college: Any) -> None:
    response = create(client_as("coordinator"), college, indicator="12", value=True, evidence="https://copp71.ru")
    assert response.status_code == 201
    assert response.json()["value"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": -5}, "value"),
        ({"indicator": "1", "value": 1}, "value"),
        ({"indicator": "3", "value": True}, "value"),
        ({"indicator": "99.9"}, "indicator"),
        ({"year": 2030}, "year"),
        ({"year": "две тысячи"}, "year"),
        ({"organization": 99999999}, "organization"),
        ({"period": "q7"}, "period"),
    ],
)
def test_it_answers_400_naming_the_field(client_as: Any, college: Any, body: dict[str, Any], field: str) -> None:
    response = create(client_as("copp"), college, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Actual.objects.exists()


def test_it_answers_403_to_a_coordinator_of_another_organisation(client_as: Any, college: Any) -> None:
    client = client_as("coordinator", organization=OrganizationFactory())
    assert create(client, college).status_code == 403


def test_it_answers_409_to_a_duplicate(client_as: Any, college: Any) -> None:
    client = client_as("coordinator")
    assert create(client, college).status_code == 201
    assert create(client, college).status_code == 409


def test_it_requires_login(api_client: Any, college: Any) -> None:
    assert create(api_client, college).status_code in (401, 403)
    assert api_client.get("/api/v1/consistency/?year=2024&source=plan").status_code in (401, 403)


def test_it_runs_the_workflow_and_answers_403_and_409(api_client: Any, make_user: Any, college: Any) -> None:
    coordinator = make_user("coordinator", organization=college)
    ministry = make_user("ministry")
    api_client.force_authenticate(coordinator)
    actual_id = create(api_client, college).json()["id"]
    url = f"/api/v1/actuals/{actual_id}"
    assert api_client.post(f"{url}/submit/").json()["status"] == "submitted"
    assert api_client.post(f"{url}/submit/").status_code == 409
    assert api_client.post(f"{url}/approve/").status_code == 403
    api_client.force_authenticate(ministry)
    response = api_client.post(f"{url}/return/", {"reason": ""}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["reason"])
    response = api_client.post(f"{url}/return/", {"reason": "Нет приказа"}, format="json")
    assert (response.json()["status"], response.json()["return_reason"]) == ("returned", "Нет приказа")
    assert api_client.post(f"{url}/approve/").status_code == 409
    api_client.force_authenticate(coordinator)
    version = api_client.get(f"{url}/").json()["version"]
    response = api_client.patch(f"{url}/", {"value": 125, "version": version}, format="json")
    assert response.status_code == 200
    stale = api_client.patch(f"{url}/", {"value": 126, "version": version}, format="json")
    assert stale.status_code == 409
    assert stale.json()["field"] == "version"
    assert stale.json()["detail"]
    assert api_client.post(f"{url}/submit/").status_code == 200
    api_client.force_authenticate(ministry)
    response = api_client.post(f"{url}/approve/")
    assert (response.status_code, response.json()["status"], response.json()["value"]) == (200, "approved", 125)
    history = api_client.get(f"{url}/history/").json()
    assert [h["action"] for h in history] == ["create", "submit", "return", "edit", "submit", "approve"]
    assert history[3]["old_value"] == 120 and history[3]["new_value"] == 125


def test_it_reopens_with_a_reason_for_the_ministry_only(client_as: Any, college: Any, make_user: Any) -> None:
    org_value = approved_actual(Indicator.objects.get(code="3"), college, 50)
    url = f"/api/v1/actuals/{org_value.pk}/reopen/"
    assert client_as("copp").post(url, {"reason": "x"}, format="json").status_code == 403
    response = client_as("ministry").post(url, {"reason": "Пересчёт"}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "returned")


def test_it_hides_other_organisations_values_from_a_coordinator(client_as: Any, college: Any) -> None:
    other = approved_actual(Indicator.objects.get(code="3"), OrganizationFactory(), 50)
    own = approved_actual(Indicator.objects.get(code="3.1"), college, 5)
    client = client_as("coordinator")
    assert [a["id"] for a in client.get("/api/v1/actuals/").json()["results"]] == [own.pk]
    assert client.get(f"/api/v1/actuals/{other.pk}/").status_code == 404


def test_it_bulk_approves(client_as: Any, college: Any) -> None:
    client = client_as("copp")
    ids = []
    for code in ("3", "3.1"):
        actual_id = create(client, college, indicator=code).json()["id"]
        client.post(f"/api/v1/actuals/{actual_id}/submit/")
        ids.append(actual_id)
    draft_id = create(client, college, indicator="6").json()["id"]
    response = client.post("/api/v1/actuals/bulk-approve/", {"ids": [*ids, draft_id]}, format="json")
    assert response.status_code == 200
    assert sorted(response.json()["approved"]) == sorted(ids)
    assert list(response.json()["refused"]) == [str(draft_id)]


# --- progress -----------------------------------------------------------------------------------


def test_it_shows_progress_counting_only_approved_and_derived_values(client_as: Any, college: Any) -> None:
    client = client_as("ministry")
    activity = Activity.objects.get(number=17)
    accepted_report(activity, college, total=3000)
    approved_actual(Indicator.objects.get(code="6"), college, 600)
    Actual.objects.create(
        indicator=Indicator.objects.get(code="6"),
        year=2024,
        period="q1",
        organization=college,
        value_number=99999,
        status="submitted",
        created_at=NOW,
        updated_at=NOW,
    )
    body = client.get("/api/v1/indicators/6/progress/?year=2024").json()
    assert body["target"] == 7200
    assert body["actual"] == 3600
    assert body["percent"] == 50.0
    assert body["status"] == "not_achieved" and body["final"] is True  # 2024 is over: a verdict
    assert (body["derived"], body["manual"]) == (3000, 600)


def test_it_answers_progress_with_no_data(client_as: Any) -> None:
    body = client_as("coordinator").get("/api/v1/indicators/3.1/progress/?year=2025").json()
    assert body | {"expected_share": None} == body | {
        "target": 210,
        "actual": None,
        "percent": None,
        "status": "no_data",
        "expected_share": None,
    }


def test_it_needs_a_year_of_the_plan_for_progress(client_as: Any) -> None:
    client = client_as("ministry")
    assert client.get("/api/v1/indicators/6/progress/").status_code == 400
    assert client.get("/api/v1/indicators/6/progress/?year=2031").status_code == 400
    assert client.get("/api/v1/indicators/42/progress/?year=2024").status_code == 404


def test_it_keeps_the_indicator_list_as_it_was(client_as: Any) -> None:
    body = client_as("coordinator").get("/api/v1/indicators/").json()
    assert body[0] == {
        "code": "1",
        "printed_code": "1",
        "parent": None,
        "name": "Создана цифровая платформа ЦОПП в сети Интернет",
        "unit": "да/нет",
        "value_type": "boolean",
        "aggregation": "boolean",
        "note": "",
        "targets": {"2023": True, "2024": True, "2025": True},
    }


# --- consistency --------------------------------------------------------------------------------------


def test_it_lists_the_plans_broken_rules(client_as: Any) -> None:
    client = client_as("ministry")
    body = client.get("/api/v1/consistency/?year=2024&source=plan").json()
    assert [{k: b[k] for k in ("rule", "year", "left", "right", "operator")} for b in body] == [
        {"rule": "4 = 4.1 + 4.2 + 4.3 + 4.4 + 4.5 + 4.6 + 4.7", "year": 2024, "left": 73, "right": 75, "operator": "="}
    ]
    assert client.get("/api/v1/consistency/?year=2023&source=plan").json() == []


def test_it_checks_actuals(client_as: Any, college: Any) -> None:
    approved_actual(Indicator.objects.get(code="7"), college, 10)
    approved_actual(Indicator.objects.get(code="6"), college, 5)
    body = client_as("copp").get("/api/v1/consistency/?year=2024&source=actual").json()
    assert [(b["rule"], b["left"], b["right"], b["operator"]) for b in body] == [("7 <= 6", 10, 5, "<=")]


def test_it_needs_a_known_source(client_as: Any) -> None:
    response = client_as("copp").get("/api/v1/consistency/?year=2024&source=dreams")
    assert (response.status_code, list(response.json())) == (400, ["source"])


def test_it_serves_all_figures_for_the_dashboard(client_as: Any) -> None:
    body = client_as("ministry").get("/api/v1/figures/?year=2024&year=2025").json()
    assert len(body) == 28 * 2
    assert {"code", "year", "target", "actual", "percent", "status", "expected_share"} <= set(body[0])


def test_it_drills_down_to_the_records_behind_a_figure(client_as: Any, college: Any) -> None:
    report = accepted_report(Activity.objects.get(number=14), college, total=70)
    own = approved_actual(Indicator.objects.get(code="6"), college, 5)
    approved_actual(Indicator.objects.get(code="6"), OrganizationFactory(), 9)
    body = client_as("coordinator").get("/api/v1/indicators/6/records/?year=2024").json()
    assert [r["id"] for r in body["event_reports"]] == [report.pk]
    assert body["event_reports"][0]["participants_total"] == 70
    assert [a["id"] for a in body["actuals"]] == [own.pk]  # another organisation's value is not shown


def test_it_filters_the_list_and_refuses_a_bad_filter(client_as: Any, college: Any) -> None:
    own = approved_actual(Indicator.objects.get(code="3"), college, 5)
    client = client_as("ministry")
    assert [a["id"] for a in client.get(f"/api/v1/actuals/?organization={college.pk}&year=2024").json()["results"]] == [
        own.pk
    ]
    assert client.get("/api/v1/actuals/?organization=abc").status_code == 400
