"""Keyset pagination of the API (issue 15, part 3): ``next``/``previous`` are cursors,
``offset`` is served up to a cap, and a walk sees every row exactly once."""

from __future__ import annotations

import datetime as dt
from functools import cmp_to_key
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from copp.keyset import BadCursor, Cursor, keyset_of
from copp.pagination import MAX_PAGE_OFFSET
from roadmap.models import Activity, Event, Municipality, Organization, counted_region_id
from roadmap.tests.factories import ActivityFactory, MunicipalityFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


def make_events(n: int, activity: Activity, orgs: list[Organization], places: list[Municipality | None]) -> None:
    """``n`` events over 9 days (many share a day, so the id breaks ties), some
    without a municipality or a planned count (NULL keys)."""
    due = timezone.now()
    start = Event.objects.count()
    Event.objects.bulk_create(
        [
            Event(
                activity=activity,
                organizer=orgs[i % len(orgs)],
                region_id=counted_region_id(orgs[i % len(orgs)].region_id),  # as Event.save would
                title=f"Событие {i:05d}",
                start_date=DAY + dt.timedelta(days=i % 9),
                end_date=DAY + dt.timedelta(days=i % 9),
                municipality=places[i % len(places)],
                planned_participants=None if i % 4 == 0 else i % 7,
                due_at=due,
            )
            for i in range(start, start + n)
        ]
    )


@pytest.fixture
def setup(db: Any) -> dict[str, Any]:
    places: list[Municipality | None] = [MunicipalityFactory(), None, MunicipalityFactory()]
    user = UserFactory(role="ministry")
    return {
        "activity": ActivityFactory(),
        "orgs": [OrganizationFactory(municipality=None), OrganizationFactory()],
        "places": places,
        "user": user,
        "client": _client(user),
    }


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def listed() -> list[int]:
    """Every event id in the list's order (newest last day first, then the id)."""
    return list(Event.objects.order_by("-end_date", "-id").values_list("id", flat=True))


def walk(client: APIClient, url: str, link: str = "next") -> tuple[list[int], list[int], dict[str, Any]]:
    """Follow ``link`` to the end: the ids in the order seen, the queries of each page, the last body."""
    ids: list[int] = []
    queries: list[int] = []
    body: dict[str, Any] = {}
    while url:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        queries.append(len(captured))
        page = [row["id"] for row in body["results"]]
        ids += page if link == "next" else page[::-1]
        url = body[link]
        assert len(queries) < 1000
    return ids, queries, body


def test_it_walks_every_row_once_in_order_with_the_same_queries_per_page_at_two_sizes(setup: dict[str, Any]) -> None:
    per_size = []
    setup["client"].get("/api/v1/events/?limit=5")  # one-time look-ups (the user's roles) out of the count
    for size in (23, 77):
        make_events(size - Event.objects.count(), setup["activity"], setup["orgs"], setup["places"])
        ids, queries, last = walk(setup["client"], "/api/v1/events/?limit=5")
        assert ids == listed()
        assert len(set(ids)) == Event.objects.count() == size
        assert last["next"] is None and last["count"] == size
        per_size.append(queries)
    small, large = per_size
    assert small[0] == large[0]  # the first page: COUNT and the rows
    assert set(small[1:]) == set(large[1:]) and len(set(large[1:])) == 1  # cursor pages: the rows only
    assert large[1] < large[0]  # the count is carried, not recounted


def test_next_and_previous_are_cursors_and_previous_walks_back(setup: dict[str, Any]) -> None:
    make_events(23, setup["activity"], setup["orgs"], setup["places"])
    client = setup["client"]
    first = client.get(f"/api/v1/events/?limit=5&organizer={setup['orgs'][1].pk}").json()
    assert first["previous"] is None and first["count"] == 11
    query = parse_qs(urlsplit(first["next"]).query)
    assert set(query) == {"cursor", "limit", "organizer"}  # filters and limit kept, no offset
    mine, _, _ = walk(client, first["next"])
    assert [r["id"] for r in first["results"]] + mine == [
        e.pk for e in Event.objects.filter(organizer=setup["orgs"][1]).order_by("-end_date", "-id")
    ]
    *_, last = walk(client, "/api/v1/events/?limit=5")
    back, _, top = walk(client, last["previous"], link="previous")
    assert back[::-1] + [r["id"] for r in last["results"]] == listed()
    assert top["previous"] is None


@pytest.mark.parametrize(
    "query",
    [
        "",
        "&ordering=title",
        "&ordering=-organizer",
        "&organizer={org}",
        "&organizer={org}&ordering=-due_at",
        "&year=2026",
    ],
)
def test_every_offset_serves_the_rows_of_the_list_at_that_offset(setup: dict[str, Any], query: str) -> None:
    """An offset page is read from the key of the row at the offset (found among the counted
    rows, without the joins a row shows): the same rows as the list sliced, under every filter
    and order, up to and past the end."""
    make_events(23, setup["activity"], setup["orgs"], setup["places"])
    client = setup["client"]
    query = query.format(org=setup["orgs"][1].pk)
    first = client.get(f"/api/v1/events/?limit=30{query}").json()
    whole = [r["id"] for r in first["results"]]
    assert first["next"] is None and len(whole) == first["count"] > 5
    queries: set[int] = set()
    for offset in range(len(whole) + 2):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(f"/api/v1/events/?limit=5&offset={offset}{query}").json()
        assert [r["id"] for r in page["results"]] == whole[offset : offset + 5], offset
        assert page["count"] == len(whole)
        assert (page["next"] is None) == (offset + 5 >= len(whole)), offset
        assert (page["previous"] is None) == (offset == 0), offset
        if 0 < offset < len(whole):
            queries.add(len(captured))
    assert len(queries) == 1, "every offset page within the list: the same queries"


def test_an_offset_page_of_a_list_without_a_count_queryset_is_its_slice_too(setup: dict[str, Any]) -> None:
    for i in range(9):
        OrganizationFactory(short_name=f"Колледж {i % 4}")  # ties on the name: the id decides
    client = setup["client"]
    whole = [r["id"] for r in client.get("/api/v1/organizations/?limit=100").json()["results"]]
    assert len(whole) >= 11
    for offset in range(len(whole) + 2):
        page = client.get(f"/api/v1/organizations/?limit=4&offset={offset}").json()
        assert [r["id"] for r in page["results"]] == whole[offset : offset + 4], offset
        assert (page["next"] is None) == (offset + 4 >= len(whole)), offset


def test_an_offset_up_to_the_cap_works_and_beyond_it_is_a_400_pointing_to_next(setup: dict[str, Any]) -> None:
    make_events(12, setup["activity"], setup["orgs"], setup["places"])
    client = setup["client"]
    page = client.get("/api/v1/events/?limit=4&offset=3").json()
    assert [r["id"] for r in page["results"]] == listed()[3:7]
    assert "cursor=" in page["previous"] and "offset" not in page["previous"]
    rest, _, _ = walk(client, page["next"])
    assert rest == listed()[7:]
    at_cap = client.get(f"/api/v1/events/?limit=4&offset={MAX_PAGE_OFFSET}")
    assert at_cap.status_code == 200 and at_cap.json()["results"] == []
    assert "offset=8" in at_cap.json()["previous"]  # past the end: back to the last rows
    beyond = client.get(f"/api/v1/events/?offset={MAX_PAGE_OFFSET + 1}")
    assert beyond.status_code == 400
    assert "next" in beyond.json()["offset"][0]


def _forged(token: str) -> str:
    payload, signature = token.rsplit(":", 1)
    return f"{payload[:-2]}xx:{signature}"


def test_a_forged_or_garbage_cursor_is_a_400(setup: dict[str, Any]) -> None:
    make_events(12, setup["activity"], setup["orgs"], setup["places"])
    client = setup["client"]
    token = parse_qs(urlsplit(client.get("/api/v1/events/?limit=4").json()["next"]).query)["cursor"][0]
    other = client.get("/api/v1/organizations/?limit=1").json()["next"]
    other_token = parse_qs(urlsplit(other).query)["cursor"][0]
    for bad in ("", "abc", "null", "x" * 10_000, _forged(token), other_token, token + "a", "%00"):
        response = client.get("/api/v1/events/", {"cursor": bad})
        assert response.status_code == 400, bad
        assert list(response.json()) == ["cursor"]
    both = client.get("/api/v1/events/", {"cursor": token, "offset": "4"})
    assert both.status_code == 400 and list(both.json()) == ["cursor"]
    assert client.get("/api/v1/events/", {"cursor": token}).status_code == 200


def test_a_cursor_keeps_the_limit_rules(setup: dict[str, Any]) -> None:
    make_events(12, setup["activity"], setup["orgs"], setup["places"])
    client = setup["client"]
    page = client.get("/api/v1/events/?limit=4").json()
    token = parse_qs(urlsplit(page["next"]).query)["cursor"][0]
    for limit in ("0", "abc", "-1", ""):
        assert client.get("/api/v1/events/", {"cursor": token, "limit": limit}).status_code == 400
    assert len(client.get("/api/v1/events/", {"cursor": token, "limit": "100000"}).json()["results"]) == 8


def test_a_row_inserted_or_deleted_between_pages_neither_skips_nor_repeats_others(setup: dict[str, Any]) -> None:
    make_events(20, setup["activity"], setup["orgs"], setup["places"])
    client = setup["client"]
    before = listed()
    page = client.get("/api/v1/events/?limit=5").json()
    seen = [r["id"] for r in page["results"]]
    # Between pages: rows of the page just read and one further on go away,
    # a row sorting before the cursor and one after it arrive.
    Event.objects.filter(pk__in=[seen[1], seen[-1], before[12]]).delete()  # seen[-1]: the cursor's own row
    make_events(1, setup["activity"], setup["orgs"], setup["places"])
    newest = Event.objects.latest("id")
    Event.objects.filter(pk=newest.pk).update(
        end_date=DAY + dt.timedelta(days=30), start_date=DAY - dt.timedelta(days=30)
    )
    make_events(1, setup["activity"], setup["orgs"], setup["places"])
    oldest = Event.objects.latest("id")
    Event.objects.filter(pk=oldest.pk).update(
        end_date=DAY - dt.timedelta(days=30), start_date=DAY - dt.timedelta(days=30)
    )
    rest, _, _ = walk(client, page["next"])
    assert len(rest) == len(set(rest)) and not set(rest) & set(seen)
    expected = [i for i in before[5:] if i != before[12]] + [oldest.pk]
    assert rest == expected  # newest sorts before the cursor: a walk already past it does not go back


def test_an_emptied_page_leads_back_to_the_rows_before_it(setup: dict[str, Any]) -> None:
    make_events(10, setup["activity"], setup["orgs"], setup["places"])
    client = setup["client"]
    page = client.get("/api/v1/events/?limit=5").json()
    Event.objects.filter(pk__in=listed()[5:]).delete()
    empty = client.get(page["next"]).json()
    assert empty["results"] == [] and empty["next"] is None
    back = client.get(empty["previous"]).json()
    assert [r["id"] for r in back["results"]] == listed()


def test_every_paginated_list_of_the_api_walks_to_its_end(world: Any) -> None:
    """Every list, in its own order, gives by cursors exactly what one big page gives."""
    from indicators.tests.factories import EducationalProgrammeFactory, PartnerAgreementFactory

    PartnerAgreementFactory.create_batch(3)
    EducationalProgrammeFactory.create_batch(3)
    client = _client(world.copp)
    lists = [
        "/api/v1/events/",
        "/api/v1/organizations/",
        "/api/v1/actuals/",
        "/api/v1/partner-agreements/",
        "/api/v1/programmes/",
        "/api/v1/programme-cohorts/",
    ]
    for url in lists:
        whole = client.get(url, {"limit": 500}).json()
        assert whole["next"] is None
        ids, _, _ = walk(client, f"{url}?limit=2")
        assert ids == [r["id"] for r in whole["results"]], url
    notices = _client(world.coord_a)
    whole = notices.get("/api/v1/notifications/", {"limit": 500}).json()
    ids, _, _ = walk(notices, "/api/v1/notifications/?limit=1")
    assert ids == [r["id"] for r in whole["results"]] and ids


# --- the keys themselves ----------------------------------------------------------------------


def _walk_keys(order: tuple[str, ...]) -> tuple[list[int], list[int]]:
    """Walk events in ``order`` 4 rows a time forwards from the start, then backwards
    from the end, each cursor through its token."""
    queryset = Event.objects.order_by(*order)
    keyset = keyset_of(queryset)
    ordered = keyset.ordered(queryset)
    rows = list(ordered[:4])
    forward, more = [r.pk for r in rows], True
    while more:
        cursor = Cursor(keyset.values_of(rows[-1]))
        rows, more = keyset.page(ordered, keyset.decode(keyset.encode(cursor)), 4)
        forward += [r.pk for r in rows]
    rows, more = keyset.page(ordered, Cursor(None, backwards=True), 4)
    backward = [r.pk for r in rows]
    while more:
        cursor = Cursor(keyset.values_of(rows[0]), backwards=True)
        rows, more = keyset.page(ordered, keyset.decode(keyset.encode(cursor)), 4)
        backward = [r.pk for r in rows] + backward
    return forward, backward


def _expected(order: tuple[str, ...]) -> list[int]:
    """The order worked out in Python: NULL is larger than every value, and the id
    breaks ties in the direction of the last term."""
    tie = "-id" if order[-1].startswith("-") else "id"

    def value(event: Event, path: str) -> Any:
        obj: Any = event
        for name in path.replace("pk", "id").split("__"):
            obj = None if obj is None else getattr(obj, name)
        return obj

    def compare(a: Event, b: Event) -> int:
        for term in (*order, tie):
            path = term.lstrip("-")
            va, vb = value(a, path), value(b, path)
            if va == vb:
                continue
            result = 1 if va is None else -1 if vb is None else (-1 if va < vb else 1)
            return -result if term.startswith("-") else result
        return 0

    return [e.pk for e in sorted(Event.objects.select_related("municipality"), key=cmp_to_key(compare))]


@pytest.mark.parametrize(
    "order",
    [
        ("planned_participants",),
        ("-planned_participants", "title"),
        ("municipality__name", "-end_date"),
        ("-municipality__name", "planned_participants", "-id"),
        ("organizer", "-planned_participants"),  # a relation: the organisation's own ordering
        ("end_date", "-pk"),
    ],
)
def test_it_pages_nullable_and_descending_keys_both_ways(setup: dict[str, Any], order: tuple[str, ...]) -> None:
    make_events(30, setup["activity"], setup["orgs"], setup["places"])
    forward, backward = _walk_keys(order)
    assert len(set(forward)) == 30
    if "organizer" in order:  # by the organisation's Meta.ordering, as Django orders it
        order = tuple(t.replace("organizer", "organizer__short_name") for t in order)
    assert forward == backward == _expected(order)


def test_a_cursor_for_other_keys_or_with_unparseable_values_is_refused(setup: dict[str, Any]) -> None:
    keyset = keyset_of(Event.objects.order_by("-end_date", "-id"))
    for values in [("x", 1), (1,), ("2026-01-01", 1, 2)]:
        with pytest.raises(BadCursor):
            keyset.decode(keyset.encode(Cursor(values)))
    with pytest.raises(BadCursor):
        keyset.decode(keyset.encode(Cursor(None)))  # "after the end" leads nowhere
    other = keyset_of(Event.objects.order_by("end_date", "id"))
    with pytest.raises(BadCursor):
        other.decode(keyset.encode(Cursor((DAY, 1))))
    assert keyset.decode(keyset.encode(Cursor((DAY, 5), count=3))) == Cursor((DAY, 5), count=3)


def test_the_benchmarks_cursor_to_the_last_page_is_the_one_a_walk_would_follow(setup: dict[str, Any]) -> None:
    from bench.bench_api import _last_page, _offset_cap

    make_events(60, setup["activity"], setup["orgs"], setup["places"])
    client = setup["client"]
    last = client.get(_last_page(setup["user"])).json()
    assert [r["id"] for r in last["results"]] == listed()[-50:] and last["next"] is None
    walked, _, _ = walk(client, "/api/v1/events/?limit=50")
    assert walked[-50:] == [r["id"] for r in last["results"]]
    assert client.get(_offset_cap(setup["user"])).status_code == 200


def test_the_browsable_api_links_the_cursors(setup: dict[str, Any]) -> None:
    make_events(5, setup["activity"], setup["orgs"], setup["places"])
    response = setup["client"].get("/api/v1/events/?limit=2", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "cursor=" in response.content.decode()
