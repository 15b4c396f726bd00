"""Every main page at desktop and phone width: it renders, has no script errors,
does not stick out sideways, and leaves a screenshot in screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from roadmap.models import Activity
from roadmap.tests.factories import OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(order_plan: Any, make_user: Any) -> dict[str, Any]:
    college = order_plan.activities.get(number=2).responsibilities.first().organization
    return {
        "ministry": make_user("ministry"),
        "coordinator": make_user("coordinator", organization=college),
        "other": make_user("coordinator", organization=OrganizationFactory()),
    }


def test_it_signs_in_and_lands_on_the_role_home(web: Any, people: dict[str, Any]) -> None:
    for viewport in ({"width": 1280, "height": 900}, {"width": 360, "height": 740}):
        page = web.page(viewport=viewport)
        page.goto(web.base + "/")
        assert "/login/" in page.url
        web.shoot(page, "login")
        page.get_by_label("Логин").fill(people["ministry"].username)
        page.get_by_label("Пароль").fill("wrong")
        page.get_by_role("button", name="Войти").click()
        assert page.get_by_text("Неверный логин или пароль").is_visible()
        page.get_by_label("Пароль").fill("secret-pass-123")
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url("**/dashboard/")


def test_it_renders_every_main_page(web: Any, people: dict[str, Any], order_plan: Any) -> None:
    activity = Activity.objects.get(plan=order_plan, number=2)
    indicator = order_plan.indicator_set.indicators.get(code="4")
    ministry, coordinator = people["ministry"], people["coordinator"]
    web.both(ministry, "/dashboard/", "dashboard")
    web.both(ministry, "/activities/", "activity_list")
    web.both(ministry, f"/activities/{activity.pk}/", "activity_detail")
    web.both(ministry, "/indicators/", "indicator_list")
    web.both(ministry, f"/indicators/{indicator.pk}/", "indicator_detail")
    web.both(coordinator, "/tasks/", "tasks")
