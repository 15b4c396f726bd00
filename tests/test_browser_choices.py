"""A choice searched as you type (copp.forms.SearchSelect, static/js/search_select.js)
in a real browser: typed in lower case, moved through with the arrows, picked
with Enter, closed with Escape; the open list passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from roadmap.models import Municipality
from tests.world import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(order_plan: Any, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(order_plan)


def test_a_municipality_is_typed_in_lower_case_and_picked_with_the_keyboard(web: Any, world: World) -> None:
    tula = Municipality.objects.get(name="город Тула")
    page = web.page(world.ministry)
    page.goto(web.base + "/events/new/")
    box = page.get_by_role("combobox", name="Муниципальное образование")
    hidden = page.locator("input[type=hidden][name=municipality]")
    box.click()
    box.press_sequentially("тула")
    first = page.locator("#id_municipality_listbox [role=option]").first
    first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert first.inner_text().strip() == "город Тула"
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    web.axe(page, "search-select-open")
    web.shoot(page, "search-select-open")
    page.keyboard.press("Enter")  # picks the option; the form is not sent
    assert page.url.endswith("/events/new/")
    assert box.input_value() == "город Тула" and hidden.input_value() == str(tula.pk)
    assert box.get_attribute("aria-expanded") == "false"

    # Typing again forgets the pick; Escape closes the list and keeps the text.
    box.press_sequentially(" z")
    assert hidden.input_value() == ""
    page.locator("[data-search-select-status]", has_text="Ничего не найдено").wait_for(state="attached")
    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert box.input_value() == "город Тула z"
    assert not page.errors, page.errors


def test_nothing_found_is_announced(web: Any, world: World) -> None:
    page = web.page(world.ministry)
    page.goto(web.base + "/events/")
    box = page.locator("#id_municipality")
    assert box.get_attribute("role") == "combobox"
    box.press_sequentially("несуществующий")
    status = page.locator("#filters [data-search-select-status]", has_text="Ничего не найдено")
    status.wait_for(state="attached")
    assert box.get_attribute("aria-expanded") == "false"
