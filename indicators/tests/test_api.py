"""GET /api/v1/indicators/ (contract of the foundation issue)."""

from __future__ import annotations

from typing import Any

from roadmap.models import Plan


def test_it_lists_indicators_in_the_order_of_the_order(order_plan: Plan, api_client: Any, make_user: Any) -> None:
    api_client.force_authenticate(make_user("ministry"))
    items = api_client.get("/api/v1/indicators/").json()
    codes = [i["code"] for i in items]
    assert codes[:5] == ["1", "2", "3", "3.1", "4"]
    assert len(codes) == 28
    two = items[1]
    assert two["targets"] == {"2023": 9640, "2024": 10655, "2025": 11695}
    assert two["value_type"] == "number" and two["unit"] == "человек" and two["parent"] is None
    assert items[0]["targets"] == {"2023": True, "2024": True, "2025": True}
    assert items[0]["value_type"] == "boolean"
    assert items[3]["parent"] == "3"


def test_it_shows_one_indicator_by_code(order_plan: Plan, api_client: Any, make_user: Any) -> None:
    api_client.force_authenticate(make_user("coordinator"))
    response = api_client.get("/api/v1/indicators/4.7/")
    assert response.status_code == 200
    assert response.json()["targets"] == {"2023": 3, "2024": 3, "2025": 3}
    assert api_client.get("/api/v1/indicators/99/").status_code == 404
