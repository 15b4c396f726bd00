"""The layout helpers: names shortened at a word with the full text kept, yes/no
values as badges, the menu's «Ещё», and list tables that turn into labelled cards."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from copp.forms import ShortLabelSelect
from copp.templatetags.ui import NAV_IN_BAR, figure_value, nav_items, yes_no
from copp.text import truncate_words_at
from indicators.models import Indicator
from indicators.tests.factories import approved_actual
from roadmap.tests.factories import UserFactory
from tests.world import World, logged_in

LONG = "Обеспечение проведения региональных профессиональных проб для школьников"


# --- truncate_words_at ------------------------------------------------------------------


def test_it_leaves_text_that_fits_as_it_is() -> None:
    assert truncate_words_at("Короткое имя", 50) == "Короткое имя"
    assert truncate_words_at(LONG, len(LONG)) == LONG  # exactly the limit: nothing cut


def test_it_cuts_at_a_word_boundary_and_adds_an_ellipsis() -> None:
    short = truncate_words_at(LONG, 40)
    assert short == "Обеспечение проведения региональных…"
    assert len(short) <= 40
    # Every word kept is whole: none is a cut-off prefix of its original.
    assert short.removesuffix("…").split() == LONG.split()[: len(short.removesuffix("…").split())]


def test_it_never_cuts_inside_a_word_whatever_the_limit() -> None:
    words = LONG.split()
    for limit in range(12, len(LONG)):
        short = truncate_words_at(LONG, limit)
        assert len(short) <= limit, limit
        assert short.endswith("…")
        kept = short.removesuffix("…").split()
        assert kept == words[: len(kept)], (limit, short)


def test_it_keeps_a_word_that_ends_right_at_the_limit() -> None:
    # "Обеспечение проведения" is 22 characters; with the ellipsis it needs 23.
    assert truncate_words_at(LONG, 23) == "Обеспечение проведения…"
    assert truncate_words_at(LONG, 22) == "Обеспечение…"


def test_it_cuts_a_single_word_longer_than_the_limit_inside_it() -> None:
    word = "Сверхдлинноесловобезпробелов" * 3
    short = truncate_words_at(word, 20)
    assert short == word[:19] + "…"
    assert len(short) == 20


def test_it_drops_dangling_punctuation_and_extra_spaces() -> None:
    assert truncate_words_at("Раздел первый, пункт второй и третий", 18) == "Раздел первый…"
    assert truncate_words_at("  много   пробелов  ", 50) == "много пробелов"
    assert truncate_words_at(None, 10) == ""


def test_the_template_filter_keeps_the_full_text_in_a_title() -> None:
    html = Template("{% load ui %}{{ name|shorten:40 }}").render(Context({"name": LONG + " <b>"}))
    assert html == f'<span title="{LONG} &lt;b&gt;">Обеспечение проведения региональных…</span>'
    assert Template("{% load ui %}{{ name|shorten:40 }}").render(Context({"name": "a <b>"})) == "a &lt;b&gt;"


@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        ((2026, 3, 11, 20, 59, 59), "11.03.2026 23:59"),  # the last second of a Moscow day
        ((2026, 3, 11, 21, 0, 0), "12.03.2026 00:00"),  # Moscow midnight, still the 11th in UTC
        ((2025, 12, 31, 21, 0, 0), "01.01.2026 00:00"),  # the year turns in Moscow first
    ],
)
def test_a_moment_is_shown_as_its_day_and_time_in_moscow(utc: tuple[int, ...], shown: str) -> None:
    """``ddmmyyyy`` and ``hhmm`` say what ``|date:"d.m.Y"`` and ``|date:"H:i"`` said, in Moscow time."""
    moment = dt.datetime(*utc, tzinfo=dt.UTC)
    template = Template(
        '{% load ui %}{{ t|ddmmyyyy }} {{ t|hhmm }}|{{ t|date:"d.m.Y" }} {{ t|date:"H:i" }}|{{ d|ddmmyyyy }}'
    )
    fast, django, day = template.render(Context({"t": moment, "d": dt.date(2026, 3, 5)})).split("|")
    assert fast == django == shown
    assert day == "05.03.2026"


def test_a_missing_share_is_a_dash_not_an_error() -> None:
    """A figure missing from a snapshot (a year outside the plan) renders as ''; ``percent`` said float('')."""
    template = Template("{% load ui %}{{ a|percent }}|{{ b|percent }}|{{ c.missing|percent }}|{{ d|percent }}")
    assert template.render(Context({"a": 87.46, "b": None, "c": {}, "d": 0})) == "87,5\u00a0%|—|—|0\u00a0%"


def test_a_drop_down_shortens_long_labels_and_keeps_them_in_the_title() -> None:
    widget = ShortLabelSelect(choices=[("", "---------"), (1, f"17. {LONG}"), (2, "2. Коротко")], limit=40)
    html = widget.render("activity", 1)
    assert f'title="17. {LONG}"' in html
    assert ">17. Обеспечение проведения региональных…</option>" in html
    assert '<option value="2">2. Коротко</option>' in html


@pytest.mark.django_db
def test_the_event_form_sends_no_activity_list_and_shows_a_long_title_whole(world: World) -> None:
    """Activities are searched as you type (copp.forms.SearchSelect): the page
    holds only the chosen one's label, in full (the box scrolls; nothing is cut)."""
    long = next(a for a in world.plan.activities.order_by("number") if len(str(a)) > 100)
    html = logged_in(world.coord_a).get(f"/events/new/?activity={long.pk}").content.decode()
    assert not re.findall(r"<option value=\"\d+\"", html)
    box = re.search(r'<input type="text" name="activity__text" value="([^"]*)"', html)
    assert box is not None and unescape(box.group(1)) == str(long)
    assert f'name="activity" value="{long.pk}"' in html


# --- yes/no badges -------------------------------------------------------------------


def test_yes_no_values_are_badges_not_numbers() -> None:
    assert ">да<" in yes_no(True) and "yes-no-yes" in yes_no(True)
    assert ">нет<" in yes_no(False) and "yes-no-no" in yes_no(False)
    assert "—" in yes_no(None) and "нет данных" in yes_no(None)
    boolean = Indicator(value_type=Indicator.ValueType.BOOLEAN)
    number = Indicator(value_type=Indicator.ValueType.NUMBER)

    class Figure:
        target, actual = True, None

    assert ">да<" in figure_value(Figure(), "target", boolean)
    assert "—" in figure_value(Figure(), "actual", boolean) and "yes-no-none" in figure_value(
        Figure(), "actual", boolean
    )
    assert figure_value(type("F", (), {"target": 12345})(), "target", number) == "12\u00a0345"


def _boolean_indicator(world: World) -> Indicator:
    return Indicator.objects.filter(indicator_set__plan=world.plan, value_type="boolean").order_by("order").first()


@pytest.mark.django_db
def test_the_dashboard_shows_yes_no_indicators_as_badges_without_charts(world: World) -> None:
    indicator = _boolean_indicator(world)
    assert indicator is not None, "the order has yes/no indicators"
    year = world.plan.last_year
    approved_actual(indicator, world.org_a, True, year=year)
    response = logged_in(world.ministry).get(f"/dashboard/?year={year}")
    html = response.content.decode()
    charted = {c["id"] for c in _chart_data(html)}
    assert indicator.pk not in charted
    assert Indicator.objects.filter(indicator_set__plan=world.plan, value_type="number").first().pk in charted
    assert f'id="chart-{indicator.pk}"' not in html
    row = _row_of(html, f'/indicators/{indicator.pk}/?year={year}"')
    assert "yes-no-yes" in row and ">да<" in row


@pytest.mark.django_db
def test_the_indicator_page_shows_a_yes_no_indicator_as_badges(world: World) -> None:
    indicator = _boolean_indicator(world)
    year = world.plan.last_year
    approved_actual(indicator, world.org_a, False, year=year)
    html = logged_in(world.ministry).get(f"/indicators/{indicator.pk}/?year={year}").content.decode()
    assert "<canvas" not in html
    assert _chart_data(html) == []
    assert "yes-no-years" in html and ">нет<" in html
    listing = logged_in(world.ministry).get(f"/indicators/?year={year}").content.decode()
    assert "yes-no-" in _row_of(listing, f'/indicators/{indicator.pk}/?year={year}"')


def _chart_data(html: str) -> list[dict[str, Any]]:
    import json

    match = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def _row_of(html: str, marker: str) -> str:
    at = html.index(marker)
    return html[html.rindex("<tr", 0, at) : html.index("</tr>", at)]


# --- the menu -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["ministry", "copp", "coordinator", "admin"])
def test_the_menu_bar_keeps_a_few_items_and_puts_the_rest_under_more(role: str, order_plan: Any) -> None:
    user = UserFactory(role=role)
    request = RequestFactory().get("/reports/")
    request.user = user
    items = nav_items(request)
    in_bar = [i for i in items if not i.more]
    assert 3 <= len(in_bar) <= NAV_IN_BAR
    assert "Входящие" in [i.label for i in in_bar], "the inbox with its unread count stays in the bar"
    if role in ("copp", "coordinator"):
        assert "Мои задачи" in [i.label for i in in_bar]


@pytest.mark.django_db
def test_a_page_under_more_marks_the_more_button(world: World) -> None:
    html = logged_in(world.copp).get("/reports/").content.decode()
    assert re.search(
        r'<button class="nav-link dropdown-toggle btn btn-link active"[^>]*id="nav-more">Ещё</button>', html
    )
    more = html[html.index('aria-labelledby="nav-more"') :]
    assert 'aria-current="page">Отчёты</a>' in more[: more.index("</ul>")]


# --- tables as cards ------------------------------------------------------------------


class _Cells(HTMLParser):
    """Every body cell of the tables marked ``table-cards``, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside a .table-cards table
        self.in_body = False
        self.tables = 0
        self.cells: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            if "table-cards" in (found.get("class") or "").split():
                self.depth, self.tables = 1, self.tables + 1
            elif self.depth:
                self.depth += 1
        elif tag == "tbody" and self.depth == 1:
            self.in_body = True
        elif tag in ("td", "th") and self.depth == 1 and self.in_body:
            self.cells.append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "tbody":
            self.in_body = False


@pytest.mark.django_db
def test_every_list_table_labels_its_cells_for_the_phone_cards(world: World) -> None:
    year = world.plan.last_year
    pages = {
        world.ministry: [
            f"/dashboard/?year={year}",
            "/dashboard/timeliness/",
            "/events/",
            "/activities/",
            f"/activities/{world.activity.pk}/",
            f"/indicators/?year={year}",
            "/actuals/",
            "/reports/",
        ],
        world.coord_a: ["/actuals/", "/events/"],
    }
    from reports.models import ReportFile

    ReportFile.objects.create(kind="roadmap", plan=world.plan, year=year, status="done")
    for user, urls in pages.items():
        client = logged_in(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            parser = _Cells()
            parser.feed(response.content.decode())
            assert parser.tables, f"{url} has a list table shown as cards on a phone"
            for cell in parser.cells:
                css = (cell.get("class") or "").split()
                labelled = cell.get("data-label") or "card-title-cell" in css or cell.get("colspan")
                assert labelled, f"{url}: a cell without a label: {cell}"
