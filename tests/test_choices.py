"""Large choices searched as you type (copp/choices.py, copp/forms.py SearchChoiceField):
the endpoint's matches and scope, the forms' validation, and pages that never
send every option."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from roadmap.accounts.permissions import event_organizer_choices
from roadmap.events.forms import EventForm
from roadmap.models import Municipality, Organization
from roadmap.tests.factories import (
    ActivityFactory,
    MunicipalityFactory,
    OrganizationFactory,
    PlanFactory,
    UserFactory,
)
from tests.world import World, logged_in

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 4)


def _get(client: Client, kind: str, q: str | None = None) -> Any:
    return client.get(f"/choices/{kind}/", {} if q is None else {"q": q})


def _labels(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["label"] for row in response.json()["results"]]


@pytest.fixture
def ministry() -> Any:
    return UserFactory(role="ministry")


# --- the endpoint -----------------------------------------------------------


def test_it_matches_cyrillic_whatever_the_case_and_yo(ministry: Any) -> None:
    for name in ("Тула", "Тульский район", "Орёл", "Новомосковск"):
        MunicipalityFactory(name=name)
    client = logged_in(ministry)
    assert _labels(_get(client, "municipality", "тула")) == ["Тула"]
    assert _labels(_get(client, "municipality", "ТУЛ")) == ["Тула", "Тульский район"]
    assert _labels(_get(client, "municipality", "орел")) == ["Орёл"]
    assert _labels(_get(client, "municipality", "  район   тульский ")) == ["Тульский район"]
    assert _labels(_get(client, "municipality", "москва")) == []


def test_it_puts_names_starting_with_the_query_first(ministry: Any) -> None:
    MunicipalityFactory(name="Новотульский", order=1)
    MunicipalityFactory(name="Тула", order=2)
    assert _labels(_get(logged_in(ministry), "municipality", "тул")) == ["Тула", "Новотульский"]


def test_a_name_starting_with_the_query_is_found_beyond_the_ranked_pool(ministry: Any, monkeypatch: Any) -> None:
    """Only the first CANDIDATES matches (table order) and the rows starting with
    the query are ranked: the best match is never cut off by the pool."""
    import copp.choices

    monkeypatch.setattr(copp.choices, "CANDIDATES", 3)
    for n in range(6):
        MunicipalityFactory(name=f"Село под Тулой {n}", order=n)  # «тул» inside, made first
    MunicipalityFactory(name="Тула", order=99)
    labels = _labels(_get(logged_in(ministry), "municipality", "тул"))
    assert labels[0] == "Тула" and len(labels) == 4


def test_it_answers_at_most_twenty_and_says_there_are_more(ministry: Any) -> None:
    for n in range(25):
        MunicipalityFactory(name=f"Район {n:02}", order=n)
    client = logged_in(ministry)
    data = _get(client, "municipality", "район").json()
    assert len(data["results"]) == 20 and data["more"] is True
    assert [r["label"] for r in data["results"]][:2] == ["Район 00", "Район 01"]
    data = _get(client, "municipality", "район 2").json()
    # Every word must appear: «2» anywhere in the name.
    assert [r["label"] for r in data["results"]] == ["Район 02", "Район 12", *(f"Район {n}" for n in range(20, 25))]
    assert data["more"] is False


def test_an_empty_query_lists_the_first_choices_in_order(ministry: Any) -> None:
    for n in range(25):
        MunicipalityFactory(name=f"Округ {n:02}", order=25 - n)
    client = logged_in(ministry)
    for query in (None, "", "   "):
        data = _get(client, "municipality", query).json()
        assert [r["label"] for r in data["results"]][:3] == ["Округ 24", "Округ 23", "Округ 22"]
        assert len(data["results"]) == 20 and data["more"] is True


def test_it_finds_an_organisation_by_short_name_full_name_or_inn(ministry: Any) -> None:
    OrganizationFactory(
        short_name="ГПОУ ТО «ТКПТС»", name="Тульский колледж профессиональных технологий", inn="7105000001"
    )
    OrganizationFactory(short_name="ГПОУ ТО «АПТ»", name="Алексинский политехнический техникум", inn="7111000002")
    client = logged_in(ministry)
    assert _labels(_get(client, "event-organizer", "ткптс")) == ["ГПОУ ТО «ТКПТС»"]
    assert _labels(_get(client, "event-organizer", "политехнический")) == ["ГПОУ ТО «АПТ»"]
    assert _labels(_get(client, "event-organizer", "7111")) == ["ГПОУ ТО «АПТ»"]
    found = _get(client, "event-organizer", "ткптс").json()["results"][0]
    assert found["detail"] == "Тульский колледж профессиональных технологий"


def test_it_finds_an_activity_by_number_first_then_by_words(ministry: Any) -> None:
    plan = PlanFactory(first_year=2026, last_year=2028, is_current=True)
    old = PlanFactory(first_year=2023, last_year=2025)
    ActivityFactory(section__plan=plan, number=14, name="Профессиональные пробы")
    ActivityFactory(section__plan=plan, number=3, name="Ярмарка 14 профессий")
    ActivityFactory(section__plan=old, number=14, name="Профориентация")
    data = _get(logged_in(ministry), "event-activity", "14").json()["results"]
    # Number 14 of the current plan, then of the older one, then the words.
    assert [(r["label"], r["detail"]) for r in data] == [
        ("14. Профессиональные пробы", "Дорожная карта 2026–2028"),
        ("14. Профориентация", "Дорожная карта 2023–2025 (архив)"),
        ("3. Ярмарка 14 профессий", "Дорожная карта 2026–2028"),
    ]
    assert [r["label"] for r in _get(logged_in(ministry), "event-activity", "ПРОБЫ").json()["results"]] == [
        "14. Профессиональные пробы"
    ]


def test_it_offers_a_coordinator_only_what_the_form_accepts(world: World) -> None:
    OrganizationFactory(short_name="ГПОУ ТО «Чужой колледж»")
    client = logged_in(world.coord_a)
    assert _labels(_get(client, "event-organizer")) == [world.org_a.short_name]
    assert _labels(_get(client, "event-organizer", "чужой")) == []
    assert world.org_b.short_name not in _labels(_get(client, "event-organizer", world.org_b.short_name))
    assert _labels(_get(logged_in(world.ministry), "event-organizer", "чужой")) == ["ГПОУ ТО «Чужой колледж»"]
    # The organiser filter of the list is the ministry's; a coordinator is offered nothing.
    assert _labels(_get(client, "event-list-organizer")) == []
    assert _labels(_get(client, "actual-list-organization")) == []
    assert _labels(_get(client, "actual-organization")) == [world.org_a.short_name]


def test_it_offers_only_active_organisations_and_only_to_those_who_may_pick_them(world: World) -> None:
    closed = OrganizationFactory(short_name="ГПОУ ТО «Закрытый»", is_active=False)
    group = OrganizationFactory(short_name="Все колледжи", is_group=True)
    ministry_labels = _labels(_get(logged_in(world.ministry), "event-organizer", ""))
    assert world.org_a.short_name in ministry_labels
    assert closed.short_name not in _labels(_get(logged_in(world.ministry), "event-organizer", "закрытый"))
    assert group.short_name not in _labels(_get(logged_in(world.ministry), "event-organizer", "все колледжи"))
    # Ministry staff review values, they do not enter them: nothing to pick.
    assert _labels(_get(logged_in(world.ministry), "actual-organization")) == []
    assert world.org_b.short_name in _labels(_get(logged_in(world.copp), "actual-organization", "колледж"))
    # The list filters offer the organisations that have events / values.
    has_events = _labels(_get(logged_in(world.ministry), "event-list-organizer"))
    assert world.org_a.short_name in has_events and closed.short_name not in has_events


def test_a_user_without_a_role_is_offered_no_organisation(db: Any) -> None:
    OrganizationFactory()
    client = logged_in(UserFactory())
    assert _labels(_get(client, "event-organizer")) == []
    assert _labels(_get(client, "actual-organization")) == []


def test_an_anonymous_visitor_is_sent_to_sign_in(db: Any) -> None:
    MunicipalityFactory(name="Тула")
    response = _get(Client(), "municipality", "тула")
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/choices/unknown/?q=а", 404),
        ("/choices/municipality/?q=" + "я" * 101, 400),
        ("/choices/municipality/?q=%00", 400),
        ("/choices/municipality/?q=%25%5F%5C", 200),  # LIKE's wildcards are plain text
        ("/choices/event-activity/?q=99999999999999999999", 200),  # not a smallint: words only
        ("/choices/municipality/?q=a&q=b", 200),
    ],
)
def test_bad_input_is_a_client_error_not_a_crash(ministry: Any, path: str, status: int) -> None:
    MunicipalityFactory(name="Тула")
    response = logged_in(ministry).get(path)
    assert response.status_code == status
    if status == 200:
        assert response.json()["results"] == []


def test_only_get_is_allowed(ministry: Any) -> None:
    assert logged_in(ministry).post("/choices/municipality/", {"q": "тула"}).status_code == 405


# --- the forms --------------------------------------------------------------


def _event_form(data: dict[str, Any], *, user: Any, plans: list[Any]) -> EventForm:
    base = {"title": "Проба", "start_date": "10.03.2026", "format": "in_person"}
    return EventForm({**base, **data}, plans=plans, today=TODAY, organizers=event_organizer_choices(user))


@pytest.fixture
def setting(ministry: Any) -> dict[str, Any]:
    plan = PlanFactory(first_year=2026, last_year=2028, is_current=True)
    return {
        "user": ministry,
        "plans": [plan],
        "activity": ActivityFactory(section__plan=plan, number=7, name="Профессиональные пробы"),
        "org": OrganizationFactory(short_name="ГПОУ ТО «ТКПТС»"),
        "other_org": OrganizationFactory(short_name="ГПОУ ТО «АПТ»"),
        "tula": MunicipalityFactory(name="Тула"),
    }


def test_a_form_accepts_ids_posted_alone(setting: dict[str, Any]) -> None:
    form = _event_form(
        {"activity": setting["activity"].pk, "organizer": setting["org"].pk, "municipality": setting["tula"].pk},
        user=setting["user"],
        plans=setting["plans"],
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["municipality"] == setting["tula"]
    assert form.cleaned_data["organizer"] == setting["org"]


def test_a_form_accepts_a_pick_whose_text_still_reads_its_label(setting: dict[str, Any]) -> None:
    form = _event_form(
        {
            "activity": setting["activity"].pk,
            "activity__text": "7. Профессиональные пробы",
            "organizer": setting["org"].pk,
            "organizer__text": "ГПОУ ТО «ТКПТС»",
            "municipality": setting["tula"].pk,
            "municipality__text": "Тула",
        },
        user=setting["user"],
        plans=setting["plans"],
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["activity"] == setting["activity"]


def test_a_form_reads_a_name_typed_without_the_script(setting: dict[str, Any]) -> None:
    form = _event_form(
        {
            "activity": "",
            "activity__text": "7",
            "organizer": "",
            "organizer__text": "гпоу то «апт»",
            "municipality": "",
            "municipality__text": "ТУЛА",
        },
        user=setting["user"],
        plans=setting["plans"],
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["activity"] == setting["activity"]
    assert form.cleaned_data["organizer"] == setting["other_org"]
    assert form.cleaned_data["municipality"] == setting["tula"]


def test_a_form_reads_the_text_when_it_was_changed_after_a_pick(setting: dict[str, Any]) -> None:
    form = _event_form(
        {
            "activity": setting["activity"].pk,
            "organizer": setting["org"].pk,
            "organizer__text": "ГПОУ ТО «АПТ»",
        },
        user=setting["user"],
        plans=setting["plans"],
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["organizer"] == setting["other_org"]


def test_an_emptied_box_clears_an_optional_choice(setting: dict[str, Any]) -> None:
    form = _event_form(
        {
            "activity": setting["activity"].pk,
            "organizer": setting["org"].pk,
            "municipality": setting["tula"].pk,
            "municipality__text": " ",
        },
        user=setting["user"],
        plans=setting["plans"],
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["municipality"] is None


@pytest.mark.parametrize(
    ("field", "text", "error"),
    [
        ("municipality", "Москва", "Ничего не подходит к «Москва»"),
        ("organizer", "ГПОУ ТО «Колледж»", "Подходят несколько записей: «ГПОУ ТО «Колледж»»"),
    ],
)
def test_a_form_refuses_a_name_that_is_not_exactly_one_choice(
    setting: dict[str, Any], field: str, text: str, error: str
) -> None:
    # Two organisations share a short name (their full names differ).
    OrganizationFactory(short_name="ГПОУ ТО «Колледж»", name="Первый колледж")
    OrganizationFactory(short_name="ГПОУ ТО «Колледж»", name="Второй колледж")
    form = _event_form(
        {"activity": setting["activity"].pk, "organizer": setting["org"].pk, field: "", f"{field}__text": text},
        user=setting["user"],
        plans=setting["plans"],
    )
    assert not form.is_valid()
    assert error in " ".join(form.errors[field])


def test_a_forged_id_outside_the_allowed_choices_is_a_form_error(setting: dict[str, Any]) -> None:
    closed = OrganizationFactory(short_name="ГПОУ ТО «Закрытый»", is_active=False)
    other_plan = PlanFactory(first_year=2029, last_year=2031)
    foreign_activity = ActivityFactory(section__plan=other_plan)
    org, activity = setting["org"].pk, setting["activity"].pk
    for data, field in (
        ({"activity": activity, "organizer": closed.pk}, "organizer"),
        ({"activity": activity, "organizer": closed.pk, "organizer__text": "ГПОУ ТО «Закрытый»"}, "organizer"),
        ({"activity": foreign_activity.pk, "organizer": org}, "activity"),
        ({"activity": "7 OR 1=1", "organizer": org}, "activity"),
        ({"activity": "7 OR 1=1", "activity__text": "7. Профессиональные пробы", "organizer": org}, "activity"),
    ):
        form = _event_form(data, user=setting["user"], plans=setting["plans"])
        assert not form.is_valid()
        assert set(form.errors) == {field}, (data, form.errors)


def test_a_coordinator_cannot_register_for_another_organisation_by_a_forged_id(world: World) -> None:
    day = dt.date(world.plan.last_year, 11, 3)
    response = logged_in(world.coord_a).post(
        "/events/new/",
        {
            "activity": world.activity.pk,
            "organizer": world.org_b.pk,
            "title": "Чужое событие",
            "start_date": day.isoformat(),
            "format": "in_person",
        },
    )
    assert response.status_code in (200, 403)
    assert not Organization.objects.get(pk=world.org_b.pk).events.filter(title="Чужое событие").exists()


def test_a_bound_form_shows_the_label_of_the_current_choice(setting: dict[str, Any]) -> None:
    form = _event_form(
        {"activity": setting["activity"].pk, "organizer": setting["org"].pk, "municipality": setting["tula"].pk},
        user=setting["user"],
        plans=setting["plans"],
    )
    html = str(form["municipality"])
    assert 'value="Тула"' in html and f'value="{setting["tula"].pk}"' in html
    assert 'role="combobox"' in html and 'aria-autocomplete="list"' in html and 'aria-expanded="false"' in html
    assert 'name="municipality__text"' in html and 'data-url="/choices/municipality/"' in html
    assert str(form).count("Тула") == 1  # the label in the box; no list of options


# --- the pages --------------------------------------------------------------


def _grow_municipalities(total: int) -> None:
    have = Municipality.objects.count()
    Municipality.objects.bulk_create(
        Municipality(name=f"Поселение {n:04}", kind=Municipality.Kind.DISTRICT, order=n) for n in range(have, total)
    )


def _page(client: Client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries.captured_queries)


@pytest.mark.parametrize("who", ["coord_a", "ministry"])
def test_pages_with_large_choices_send_none_of_them(world: World, who: str) -> None:
    client = logged_in(getattr(world, who))
    chosen = Municipality.objects.order_by("order").first()
    assert chosen is not None
    urls = ["/events/new/", "/events/", f"/events/?municipality={chosen.pk}", "/actuals/", "/actuals/new/"]
    if who == "ministry":
        urls.remove("/actuals/new/")  # ministry staff do not enter values
    _grow_municipalities(30)
    small = {url: _page(client, url) for url in urls}
    _grow_municipalities(300)
    OrganizationFactory.create_batch(40)
    large = {url: _page(client, url) for url in urls}
    assert {url: count for url, (_, count) in large.items()} == {url: count for url, (_, count) in small.items()}
    last_org = Organization.objects.order_by("pk").last()
    assert last_org is not None
    for url, (html, _) in large.items():
        assert html.count("Поселение ") <= 1, url  # at most the chosen one's label
        assert last_org.short_name not in html, url
        assert world.plan.activities.get(number=3).name not in html, url
    assert "search_select.js" in large["/events/new/"][0]
    # The filtered list shows its municipality's name in the box, not a list of all.
    assert f'value="{chosen.name}"' in large[f"/events/?municipality={chosen.pk}"][0]


def test_the_event_list_filters_by_a_picked_or_typed_municipality(world: World) -> None:
    client = logged_in(world.ministry)
    event = world.events_a[0]
    assert event.municipality is not None
    by_id = client.get("/events/", {"municipality": event.municipality.pk})
    by_text = client.get("/events/", {"municipality": "", "municipality__text": event.municipality.name.upper()})
    for response in (by_id, by_text):
        shown = {e.pk for e in response.context["page"].object_list}
        assert event.pk in shown
        assert all(e.municipality_id == event.municipality.pk for e in response.context["page"].object_list)
