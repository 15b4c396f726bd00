"""The HTML lists page on keys past their first pages (issue 15, part 3): every row
once, a deep page or the last one in the same queries at any size, filters kept,
a bad link shows the first page."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from copp.pages import NUMBERED_PAGES
from copp.web import PAGE_SIZE
from roadmap.models import Event
from roadmap.tests.factories import ActivityFactory, MunicipalityFactory, OrganizationFactory, UserFactory
from tests.test_keyset_api import make_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db: Any) -> dict[str, Any]:
    client = Client()
    client.force_login(UserFactory(role="ministry"))
    return {
        "activity": ActivityFactory(),
        "orgs": [OrganizationFactory(municipality=None), OrganizationFactory()],
        "places": [MunicipalityFactory(), None],
        "client": client,
    }


def grow_to(setup: dict[str, Any], size: int) -> None:
    make_events(size - Event.objects.count(), setup["activity"], setup["orgs"], setup["places"])


def listed(order: tuple[str, ...] = ("-end_date", "-id")) -> list[int]:
    return list(Event.objects.order_by(*order).values_list("id", flat=True))


def walk(client: Client, query: str, link: str = "next_url") -> tuple[list[int], list[int], list[Any]]:
    """Follow a page's ``link`` to the end: ids in list order, queries per page, the pages."""
    base = reverse("event_list")
    ids: list[int] = []
    queries: list[int] = []
    pages: list[Any] = []
    url: str | None = query
    while url is not None:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(base + url)
        assert response.status_code == 200
        page = response.context["page"]
        queries.append(len(captured))
        pages.append(page)
        rows = [e.pk for e in page.object_list]
        ids = ids + rows if link == "next_url" else rows + ids
        url = getattr(page, link)
        assert len(pages) < 500
    return ids, queries, pages


def test_every_row_once_and_a_deep_page_in_the_same_queries_at_two_sizes(setup: dict[str, Any]) -> None:
    client = setup["client"]
    client.get(reverse("event_list"))  # one-time look-ups out of the counts
    deep: list[int] = []
    last: list[int] = []
    for size in (NUMBERED_PAGES * PAGE_SIZE + 15, NUMBERED_PAGES * PAGE_SIZE * 2 + 40):
        grow_to(setup, size)
        ids, queries, pages = walk(client, "?")
        assert ids == listed() and len(set(ids)) == size
        assert [p.number for p in pages[:NUMBERED_PAGES]] == list(range(1, NUMBERED_PAGES + 1))
        assert all(p.number is None for p in pages[NUMBERED_PAGES:])  # past them: keys
        assert "after=" in pages[NUMBERED_PAGES - 1].next_url
        assert pages[-1].end_index() == size and pages[-1].paginator.count == size
        deep.append(queries[NUMBERED_PAGES])
        assert len(set(queries[NUMBERED_PAGES:])) == 1  # every page on keys costs the same
        assert queries[NUMBERED_PAGES] < queries[0]  # no COUNT(*): the first page's total is carried
        with CaptureQueriesContext(connection) as captured:
            end = client.get(reverse("event_list") + pages[0].last_url)
        last.append(len(captured))
        assert [e.pk for e in end.context["page"].object_list] == listed()[-PAGE_SIZE:]
        assert end.context["page"].next_url is None
    assert deep[0] == deep[1]
    assert last[0] == last[1] == deep[0]


def test_previous_walks_back_from_the_last_page_to_the_first_row(setup: dict[str, Any]) -> None:
    grow_to(setup, NUMBERED_PAGES * PAGE_SIZE + 60)
    client = setup["client"]
    first = client.get(reverse("event_list")).context["page"]
    ids, _, pages = walk(client, first.last_url, link="previous_url")
    assert ids == listed()
    assert pages[-1].start_index() == 1


def test_the_links_keep_the_filters_and_the_order(setup: dict[str, Any]) -> None:
    grow_to(setup, NUMBERED_PAGES * PAGE_SIZE * 2 + 60)  # one organiser: past the numbered pages
    client = setup["client"]
    query = f"?organizer={setup['orgs'][1].pk}&ordering=-title&q=Событие"
    ids, _, pages = walk(client, query)
    mine = Event.objects.filter(organizer=setup["orgs"][1])
    assert ids == list(mine.order_by("-title", "-id").values_list("id", flat=True))
    deep = parse_qs(urlsplit(pages[NUMBERED_PAGES].next_url).query)
    assert {k: v for k, v in deep.items() if k != "after"} == {
        "organizer": [str(setup["orgs"][1].pk)],
        "ordering": ["-title"],
        "q": ["Событие"],
    }
    html = client.get(reverse("event_list") + pages[NUMBERED_PAGES - 1].next_url).content.decode()  # page 6
    assert "Следующая" in html and "Предыдущая" in html and "Последняя" in html and "Первая" in html


def _token(url: str, name: str) -> str:
    return parse_qs(urlsplit(url).query)[name][0]


def test_a_bad_or_stale_link_shows_the_first_page_with_a_notice(setup: dict[str, Any]) -> None:
    grow_to(setup, NUMBERED_PAGES * PAGE_SIZE + 30)
    client = setup["client"]
    first = client.get(reverse("event_list")).context["page"]
    fifth = client.get(reverse("event_list") + "?page=5").context["page"]
    after = _token(fifth.next_url, "after")
    # a cursor for another order: the user switched the sort but kept the link
    other_order = f"?ordering=title&after={after}"
    bad = [
        "?after=garbage",
        "?after=",
        f"?before={after}",  # a forward cursor read backwards
        f"?after={after[:-3]}abc",
        f"?after={after}&before={after}",
        other_order,
        f"?page={NUMBERED_PAGES + 1}",
        "?page=60000",
        "?page=-1",
    ]
    for query in bad:
        response = client.get(reverse("event_list") + query)
        assert response.status_code == 200, query
        page = response.context["page"]
        assert page.number == 1 and page.notice, query
        assert page.notice in response.content.decode()
    assert [e.pk for e in first.object_list] == listed()[:PAGE_SIZE]
    good = client.get(reverse("event_list") + f"?after={after}").context["page"]
    assert not good.notice and [e.pk for e in good.object_list] == listed()[5 * PAGE_SIZE : 6 * PAGE_SIZE]


def test_the_other_list_pages_walk_on_keys_too(setup: dict[str, Any]) -> None:
    """The activity page's events, the values list and the inbox use the same paging."""
    grow_to(setup, NUMBERED_PAGES * PAGE_SIZE + 10)
    client = setup["client"]
    url = reverse("activity_detail", args=[setup["activity"].pk])
    fifth = client.get(url + "?page=5").context["page"]
    sixth = client.get(url + fifth.next_url).context["page"]
    assert [e.pk for e in sixth.object_list] == listed()[5 * PAGE_SIZE :]
    assert sixth.next_url is None and sixth.previous_url
    for name in ("actual_list", "inbox", "activity_list"):
        assert client.get(reverse(name) + "?after=garbage").status_code == 200, name


def test_rows_are_read_by_their_keys_first_and_equal_the_slice(setup: dict[str, Any]) -> None:
    from copp.keyset import Keyset, keyset_of

    grow_to(setup, 30)
    for items in (
        Event.objects.select_related("organizer", "municipality").order_by("-end_date"),
        Event.objects.order_by("organizer__short_name", "-start_date").values("id", "title"),
    ):
        ordered = keyset_of(items).ordered(items)
        for offset, size in ((0, 11), (7, 11), (25, 11), (30, 5)):
            with CaptureQueriesContext(connection) as captured:
                rows = Keyset.rows(ordered, size, offset)
            assert rows == list(ordered[offset : offset + size]), (offset, size)
            if rows:  # the keys alone, then the rows by primary key
                first, second = (q["sql"] for q in captured.captured_queries)
                assert "LIMIT" in first and '."title"' not in first and "IN (" in second
            else:
                assert len(captured) == 1


def test_plain_rows_are_read_by_key_alone_with_what_they_join(setup: dict[str, Any]) -> None:
    """``by_keys``: a plain query's rows come by primary key without its filters (which
    chose the keys), with its select_related and prefetch_related, in the keys' order;
    annotated or values() queries keep their filters."""
    from django.db.models import F

    from copp.keyset import by_keys

    grow_to(setup, 30)
    organizer = setup["orgs"][1]
    query = (
        Event.objects.filter(organizer=organizer, activity__plan__isnull=False)
        .select_related("organizer__region", "municipality")
        .prefetch_related("activity__responsibilities")
        .order_by("-start_date", "id")
    )
    keys = list(query.values_list("pk", flat=True)[3:14])[::-1]  # any order is kept
    assert keys
    with CaptureQueriesContext(connection) as captured:
        rows = by_keys(query, keys)
    assert [r.pk for r in rows] == keys
    first = captured.captured_queries[0]["sql"]
    assert first.split("WHERE")[1].strip().startswith('"roadmap_event"."id" IN (') and " AND " not in first
    assert 'JOIN "roadmap_activity"' not in first
    with CaptureQueriesContext(connection) as captured:
        seen = [(r.organizer.short_name, r.organizer.region_id, r.municipality_id) for r in rows]
        _ = [list(r.activity.responsibilities.all()) for r in rows]
    assert len(captured) == 0
    assert seen == [(e.organizer.short_name, e.organizer.region_id, e.municipality_id) for e in rows]

    annotated = query.annotate(end=F("end_date"))
    assert [r.pk for r in by_keys(annotated, keys)] == sorted(
        keys, key=list(annotated.values_list("pk", flat=True)).index
    )
    assert all(hasattr(r, "end") for r in by_keys(annotated, keys))
    other = Event.objects.exclude(organizer=organizer).values_list("pk", flat=True).first()
    assert [r.pk for r in by_keys(annotated, [*keys, other])] == [r.pk for r in by_keys(annotated, keys)]
