"""What a Russian user reads: periods in words, plural forms, the admin's labels and
history, the error pages, one word per meaning (activity / event)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import ngettext

from indicators.models import Indicator, Target
from roadmap.plans.periods import period_choices, period_label
from tests.world import World, logged_in

LATIN = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(autouse=True)
def _russian() -> Any:
    with translation.override("ru"):
        yield


def test_it_names_periods_in_words() -> None:
    assert period_label("q1", 2025) == "I квартал 2025"
    assert period_label("q4", 2025) == "IV квартал 2025"
    assert period_label("m01", 2025) == "Январь 2025"
    assert period_label("m12") == "Декабрь"
    assert period_label("", 2025) == "2025 год"
    assert period_label("") == "весь год"
    assert period_label(None, 2024) == "2024 год"


def test_it_shows_an_unknown_period_code_as_it_is() -> None:
    assert period_label("q5", 2025) == "2025 (q5)"
    assert period_label("m13") == "m13"


def test_it_offers_periods_in_words_in_the_value_form() -> None:
    labels = dict(period_choices())
    assert labels["q2"] == "II квартал"
    assert labels["m03"] == "Март"
    assert not any(re.fullmatch(r"\d\d", label) for label in labels.values())


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "1 событие"), (3, "3 события"), (5, "5 событий"), (11, "11 событий"), (21, "21 событие"), (22, "22 события")],
)
def test_it_uses_the_three_russian_plural_forms(n: int, text: str) -> None:
    assert ngettext("%(n)s event", "%(n)s events", n) % {"n": n} == text


@pytest.mark.django_db
def test_it_agrees_the_dashboard_headline_with_its_number(world: World) -> None:
    html = logged_in(world.ministry).get(f"/dashboard/?year={world.plan.last_year}").content.decode()
    match = re.search(r'<div class="display-6">([\d\s\xa0]+)</div><div class="text-body">([^<]+)</div>', html)
    assert match, "the headline of events held"
    n = int(re.sub(r"\D", "", match.group(1)))
    expected = ngettext("event held", "events held", n)
    assert match.group(2).strip() == expected
    assert expected in {"событие проведено", "события проведено", "событий проведено"}


@pytest.mark.django_db
def test_it_shows_the_period_of_a_value_in_words(world: World) -> None:
    actual = world.actual_a
    assert actual is not None
    type(actual).objects.filter(pk=actual.pk).update(period="q1")
    html = logged_in(world.coord_a).get(f"/actuals/{actual.pk}/").content.decode()
    assert f"I квартал {actual.year}" in html
    assert "(q1)" not in html


# --- the admin -------------------------------------------------------------------------


@pytest.fixture
def admin_client(make_user: Any) -> Client:
    return logged_in(make_user("admin"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/indicators/target/",
        "/admin/indicators/actual/",
        "/admin/indicators/indicatorsource/",
        "/admin/indicators/validationrule/",
        "/admin/indicators/indicatorset/",
        "/admin/indicators/programmecategory/",
        "/admin/roadmap/section/",
        "/admin/roadmap/activity/",
        "/admin/roadmap/eventreport/",
        "/admin/roadmap/notification/",
        "/admin/reports/importjob/",
        "/admin/django_celery_beat/crontabschedule/",
    ],
)
def test_it_heads_admin_columns_and_filters_in_russian(order_plan: Any, admin_client: Client, url: str) -> None:
    html = admin_client.get(url).content.decode()
    headers = [
        unescape(re.sub(r"<[^>]+>", "", h)).strip()
        for h in re.findall(r"<th[^>]*scope=\"col\"[^>]*>(.*?)</th>", html, re.S)
    ]
    filters = [unescape(t).strip() for t in re.findall(r"<summary>(.*?)</summary>", html, re.S)]
    english = [text for text in headers + filters if LATIN.search(text) and "human" not in text.lower()]
    assert english == [], url


@pytest.mark.django_db
def test_it_names_the_models_of_the_admin_index_in_russian(admin_client: Client) -> None:
    html = admin_client.get("/admin/").content.decode()
    names = [unescape(n).strip() for n in re.findall(r'<th scope="row"[^>]*>\s*(?:<a[^>]*>)?([^<]+)', html)]
    assert "Расписания по календарю" in names
    assert "Отчёты о событиях" in names
    assert [n for n in names if LATIN.search(n)] == []
    assert "Axes" not in html


@pytest.mark.django_db
def test_it_shows_a_dash_for_a_missing_change_reason_in_the_history(order_plan: Any, admin_client: Client) -> None:
    indicator = Indicator.objects.filter(indicator_set__plan=order_plan, value_type="number").first()
    assert indicator is not None
    target = Target.objects.create(indicator=indicator, year=order_plan.first_year - 1, value_number=7)
    assert target.history.get().history_change_reason is None
    html = admin_client.get(f"/admin/indicators/target/{target.pk}/history/").content.decode()
    table = html[html.index('id="change-history"') :]
    table = table[: table.index("</table>")]
    cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td>(.*?)</td>", table, re.S)]
    assert "None" not in cells
    assert cells.count("—") == 2  # no author, no reason
    assert "Причина изменения" in table and "Автор изменения" in table
    assert "history_change_reason" not in html.lower()


# --- error pages (the suite runs with DEBUG off) ---------------------------------------


@pytest.mark.django_db
def test_it_answers_an_unknown_page_in_russian(settings: Any, make_user: Any) -> None:
    assert settings.DEBUG is False
    response = logged_in(make_user("ministry")).get("/no-such-page/")
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


@pytest.mark.django_db
def test_it_answers_a_bad_request_in_russian(client: Client) -> None:
    response = client.get("/", HTTP_HOST="evil.example.org")
    assert response.status_code == 400
    assert "Неверный запрос" in response.content.decode()


@pytest.mark.django_db
def test_it_explains_a_failed_form_check_in_russian() -> None:
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Форма устарела" in response.content.decode()


@pytest.mark.django_db
def test_it_answers_a_forbidden_page_in_russian(make_user: Any) -> None:
    response = logged_in(make_user("coordinator")).get("/dashboard/")
    assert response.status_code == 403
    assert "Нет доступа" in response.content.decode()


# --- one word per meaning --------------------------------------------------------------


@pytest.mark.django_db
def test_it_calls_events_events_in_the_import_list(make_user: Any) -> None:
    html = logged_in(make_user("copp")).get("/imports/").content.decode()
    kinds = re.search(r'<select name="kind".*?</select>', html, re.S)
    assert kinds
    assert re.search(r'value="events"[^>]*>\s*События\s*<', kinds.group(0))
    assert "Мероприятия" not in kinds.group(0)
