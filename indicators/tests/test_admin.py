"""Targets are editable in the admin and every change is kept with its author and reason."""

from __future__ import annotations

from typing import Any

from indicators.models import Target
from roadmap.models import Plan


def test_it_keeps_who_changed_a_target_in_the_admin(order_plan: Plan, client: Any, make_user: Any) -> None:
    admin = make_user("admin")
    client.force_login(admin)
    target = Target.objects.get(indicator__code="8", year=2025)
    url = f"/admin/indicators/target/{target.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Сохранить" in page.content.decode()
    response = client.post(url, {"value_number": "66", "value_bool": "unknown", "reason": "уточнён приказом"})
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.value == 66
    last = target.history.first()
    assert (last.history_user, last.history_change_reason) == (admin, "уточнён приказом")
    assert last.prev_record.value_number == 65


def test_it_lists_activities_in_russian(order_plan: Plan, client: Any, make_user: Any) -> None:
    client.force_login(make_user("admin"))
    page = client.get("/admin/roadmap/activity/").content.decode()
    assert "Билет в будущее" in page
    assert "Найти" in page
