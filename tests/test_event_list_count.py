"""The event pages count their rows over the events without the joins the rows show
(``event_list_counted``, ``events_list(annotated=False)``): the total must still be
the rows the page lists, under every filter, for every role."""

from __future__ import annotations

from typing import Any

import pytest

from roadmap.events.filters import EventFilter
from roadmap.events.status import ReportStatus
from roadmap.models import Event
from tests.world import World, logged_in

pytestmark = pytest.mark.django_db


def _queries(world: World) -> list[dict[str, Any]]:
    event = world.events_a[0]
    return [
        {},
        *({"report_status": status.value} for status in ReportStatus),
        *({"timeliness": value} for value, _ in EventFilter.TIMELINESS),
        {"organizer": world.org_a.pk},
        {"municipality": event.municipality_id},
        {"activity": world.activity.number},
        {"year": event.end_date.year},
        {"plan": world.plan.key},
        {"q": event.title[:12]},
        {"report_status": "overdue", "organizer": world.org_a.pk, "ordering": "-due_at"},
        {"report_status": "no-such-status"},  # an invalid filter: the valid ones still apply
    ]


@pytest.mark.parametrize("role", ["ministry", "coord_a"])
def test_the_events_page_counts_the_rows_it_lists(world: World, role: str) -> None:
    world.grow(2)
    client = logged_in(getattr(world, role))
    totals = set()
    for query in _queries(world):
        page = client.get("/events/", {**query, "per_page": 500}).context["page"]
        listed = list(page.paginator.object_list)  # every row of the list, not one page of it
        assert page.paginator.count == len(listed), query
        totals.add(page.paginator.count)
    assert len(totals) > 3  # the filters do select different rows


def test_the_activity_page_counts_the_activitys_events(world: World) -> None:
    world.grow(2)
    page = logged_in(world.ministry).get(f"/activities/{world.activity.pk}/").context["page"]
    assert page.paginator.count == len(list(page.paginator.object_list))
    assert page.paginator.count == Event.objects.filter(activity=world.activity).count() > len(world.events_a)


@pytest.mark.parametrize("role", ["ministry", "coord_a"])
def test_the_activity_page_lists_the_documents_of_the_events_its_reader_sees(world: World, role: str) -> None:
    world.grow(2)
    user = getattr(world, role)
    response = logged_in(user).get(f"/activities/{world.activity.pk}/")
    shown = [(f.original_name, f.report.event.title) for f in response.context["evidence"]]
    visible = Event.objects.filter(activity=world.activity)
    if role == "coord_a":
        visible = visible.filter(organizer=world.org_a)
    expected = [  # newest event first, each event's documents in the order they came
        (f.original_name, f.report.event.title)
        for event in visible.order_by("-end_date", "-id").prefetch_related("report__evidence")
        if hasattr(event, "report")
        for f in sorted(event.report.evidence.all(), key=lambda f: (f.uploaded_at, f.pk))
    ]
    assert shown == expected[:30] and expected
    for name, title in shown:  # each line names its document and links its event
        assert name in response.content.decode() and title[:40] in response.content.decode()
