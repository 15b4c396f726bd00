"""The read-only API of activities and organisations (contract of the foundation issue)."""

from __future__ import annotations

from typing import Any

from rest_framework.authtoken.models import Token

from roadmap.models import Plan


def test_it_requires_login(order_plan: Plan, api_client: Any) -> None:
    for url in ("/api/v1/activities/", "/api/v1/indicators/", "/api/v1/organizations/"):
        assert api_client.get(url).status_code in (401, 403)


def test_it_lists_activities_in_order_with_every_contract_field(
    order_plan: Plan, api_client: Any, make_user: Any
) -> None:
    api_client.force_authenticate(make_user("ministry"))
    response = api_client.get("/api/v1/activities/")
    assert response.status_code == 200
    items = response.json()
    assert [a["number"] for a in items] == list(range(1, 30))
    first = items[0]
    assert first["section"] == "Стратегическое планирование и развитие"
    assert first["deadline_text"] == "Январь – март 2023 г."
    assert first["windows"] == [{"start": "2023-01-01", "end": "2023-03-31"}]
    assert first["responsible"] == [
        {"name": "Министерство образования Тульской области", "by_agreement": False},
        {"name": "ЦОПП", "by_agreement": False},
    ]
    assert set(first) >= {
        "number",
        "section",
        "name",
        "expected_result",
        "evidence_document",
        "deadline_text",
        "windows",
        "responsible",
    }
    fourteen = items[13]
    assert fourteen["windows"] == [{"start": f"{y}-09-01", "end": f"{y}-11-30"} for y in (2023, 2024, 2025)]


def test_it_accepts_token_authentication(order_plan: Plan, api_client: Any, make_user: Any) -> None:
    token = Token.objects.create(user=make_user("coordinator"))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get("/api/v1/organizations/").status_code == 200


def test_it_lists_organisations(order_plan: Plan, api_client: Any, make_user: Any) -> None:
    api_client.force_authenticate(make_user("copp"))
    data = api_client.get("/api/v1/organizations/").json()
    items = data["results"] if isinstance(data, dict) else data
    ministry = next(o for o in items if o["kind"] == "ministry")
    assert ministry["short_name"] == "Министерство образования Тульской области"
    assert ministry["municipality"] == "город Тула"
    assert set(ministry) == {"id", "short_name", "name", "kind", "municipality"}


def test_it_serves_the_openapi_schema_and_docs(db: Any, client: Any) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/activities/" in schema.content
    assert client.get("/api/docs/").status_code == 200
