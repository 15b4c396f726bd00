"""«Export to Excel» of every list page: the rows on screen, every page of them, and nothing else."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from indicators.models import Actual
from reports.exports import LIST_EXPORTS
from reports.models import REPORT_KINDS, ImportJob, ReportFile, ReportKind
from roadmap.models import Section
from roadmap.tests.factories import UserFactory
from tests.world import SECRET, World, logged_in

pytestmark = pytest.mark.django_db

PAGES = {
    "events": "/events/",
    "activities": "/activities/",
    "indicators": "/indicators/",
    "actuals": "/actuals/",
    "timeliness": "/dashboard/timeliness/",
    "tasks": "/tasks/",
    "inbox": "/inbox/",
    "reports": "/reports/",
    "imports": "/imports/",
}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def table(content: bytes) -> list[list[Any]]:
    """The data rows of an exported sheet: the rows under the column numbers row (1, 2, 3…)."""
    ws = load_workbook(io.BytesIO(content), read_only=True).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[:3] == [1, 2, 3])
    return [r for r in rows[start + 1 :] if any(v is not None for v in r)]


def all_text(content: bytes) -> str:
    ws = load_workbook(io.BytesIO(content), read_only=True).active
    return " ".join(str(v) for r in ws.iter_rows(values_only=True) for v in r if v is not None)


def export(client: Client, name: str, query: str = "") -> Any:
    response = client.get(f"/exports/{name}/{'?' + query if query else ''}")
    assert response.status_code == 200, (name, query, response.status_code)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response


def on_screen(client: Client, name: str, query: str = "") -> list[Any]:
    """Every row the page lists for this query, over all its pages."""
    page = client.get(f"{PAGES[name]}{'?' + query if query else ''}")
    assert page.status_code == 200
    if name == "indicators":
        return list(page.context["rows"])
    if name == "tasks":
        return list(page.context["to_report"])
    if name in ("reports", "imports"):
        return list(page.context["files" if name == "reports" else "jobs"])
    return list(page.context["page"].paginator.object_list)


def _jobs(world: World) -> tuple[ReportFile, ImportJob, ImportJob]:
    """A built report, and an import job of each coordinator (B's marked)."""
    report = ReportFile.objects.create(
        kind=ReportKind.TIMELINESS, plan=world.plan, year=world.plan.last_year, requested_by=world.ministry
    )
    job_a = ImportJob.objects.create(kind="events", user=world.coord_a, original_name="a.xlsx", status="refused")
    job_b = ImportJob.objects.create(kind="events", user=world.coord_b, original_name=f"{SECRET}.xlsx", status="ready")
    return report, job_a, job_b


def test_every_list_page_links_its_export_with_its_query_string(world: World) -> None:
    _jobs(world)
    client = logged_in(world.copp)  # ЦОПП staff open every list page, the imports too
    for name, url in PAGES.items():
        body = client.get(f"{url}?year={world.plan.last_year}").content.decode()
        assert f'href="/exports/{name}/?year={world.plan.last_year}"' in body, name
        assert "Выгрузить в Excel" in body


def test_it_exports_the_filtered_events_in_the_order_on_screen(world: World) -> None:
    world.grow(6)  # more than one page
    client = logged_in(world.ministry)
    for query in (
        "",
        f"organizer={world.org_b.pk}",
        "report_status=overdue",
        f"report_status=late&organizer={world.org_a.pk}&ordering=title",
        "timeliness=missing&ordering=-due_at",
        "q=возвращено",
    ):
        shown = [e.title for e in on_screen(client, "events", query)]
        rows = table(export(client, "events", query).content)
        assert [r[0] for r in rows] == shown, query
        assert shown, query
    assert len(on_screen(client, "events")) > 25  # the unfiltered list has several pages


def test_a_coordinators_export_never_holds_another_organisations_rows(world: World) -> None:
    world.grow(2)
    _jobs(world)
    client = logged_in(world.coord_a)
    for name, query in (
        ("events", ""),
        ("events", f"organizer={world.org_b.pk}"),  # a filter the coordinator is not offered is ignored
        ("actuals", ""),
        ("actuals", f"organization={world.org_b.pk}&year={world.plan.first_year}"),
        ("tasks", ""),
        ("inbox", ""),
        ("activities", ""),
        ("indicators", ""),
        ("imports", ""),
    ):
        content = export(client, name, query).content
        assert SECRET not in all_text(content), (name, query)
        assert len(table(content)) == len(on_screen(client, name, query)), (name, query)
    titles = [r[0] for r in table(export(client, "events").content)]
    assert titles and all(e.title in titles for e in world.events_a)


def test_it_exports_filtered_values_activities_indicators_and_timeliness(world: World) -> None:
    client = logged_in(world.ministry)
    query = f"plan={world.plan.key}&status=submitted&organization={world.org_b.pk}"
    rows = table(export(client, "actuals", query).content)
    shown = on_screen(client, "actuals", query)
    assert [(r[0], r[2], r[4]) for r in rows] == [(a.indicator.code, a.year, a.organization.short_name) for a in shown]
    assert {r[6] for r in rows} == {str(Actual.Status.SUBMITTED.label)}

    section = Section.objects.filter(plan=world.plan).order_by("order")[1]
    query = f"section={section.pk}&ordering=-number&year={world.plan.first_year}"
    rows = table(export(client, "activities", query).content)
    assert [r[0] for r in rows] == [a.number for a in on_screen(client, "activities", query)]
    assert {r[2] for r in rows} == {section.title}

    query = f"year={world.plan.last_year}"
    rows = table(export(client, "indicators", query).content)
    assert [str(r[0]) for r in rows] == [
        i.printed_code or i.code for i, _f, _c in on_screen(client, "indicators", query)
    ]

    query = f"by=municipality&year={world.plan.last_year}"
    content = export(client, "timeliness", query).content
    rows = table(content)
    shown = on_screen(client, "timeliness", query)
    assert [r[0] for r in rows[:-1]] == [r.label for r in shown]
    assert rows[-1][1] == sum(r.held for r in shown)  # the total row


def test_it_refuses_what_the_page_refuses(world: World) -> None:
    coordinator = logged_in(world.coord_a)
    for name in ("timeliness", "reports"):
        assert coordinator.get(f"/exports/{name}/").status_code == 403
        assert coordinator.get(PAGES[name]).status_code == 403
    assert logged_in(world.ministry).get("/exports/imports/").status_code == 403
    assert logged_in(world.ministry).get("/imports/").status_code == 403
    assert coordinator.get("/exports/nothing/").status_code == 404
    assert coordinator.get("/exports/events/?plan=no-such-plan").status_code == 404
    assert coordinator.get("/events/?plan=no-such-plan").status_code == 404
    assert coordinator.post("/exports/events/").status_code == 405
    anonymous = Client().get("/exports/events/")
    assert anonymous.status_code == 302 and anonymous.url.startswith("/login/")


@pytest.mark.parametrize(
    ("name", "query", "field"),
    [
        ("events", "year=двадцать", "year"),
        ("events", "report_status=lost&activity=x", "report_status"),
        ("events", "organizer=999999", "organizer"),
        ("actuals", "status=nonsense", "status"),
        ("activities", "section=abc", "section"),
    ],
)
def test_bad_filters_give_the_pages_own_errors(world: World, name: str, query: str, field: str) -> None:
    client = logged_in(world.ministry)
    page = client.get(f"{PAGES[name]}?{query}")
    assert page.status_code == 200
    page_errors = page.context["filter"].form.errors
    assert field in page_errors
    response = client.get(f"/exports/{name}/?{query}")
    assert response.status_code == 302
    assert response.url == f"{PAGES[name]}?{query}" or response.url.startswith(PAGES[name])
    message = " ".join(str(m) for m in get_messages(response.wsgi_request))
    for error in page_errors[field]:
        assert error in message
    back = client.get(response.url)
    assert page_errors[field][0] in back.content.decode()  # shown by the field, as on the page


def test_the_file_is_named_in_russian(world: World) -> None:
    response = export(logged_in(world.ministry), "events")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=utf-8''{quote('События ')}" in disposition
    assert disposition.endswith(".xlsx")


def test_it_exports_the_reports_and_imports_lists_as_shown(world: World) -> None:
    report, job_a, _job_b = _jobs(world)
    rows = table(export(logged_in(world.ministry), "reports").content)
    assert [r[0] for r in rows] == [str(report)]
    rows = table(export(logged_in(world.coord_a), "imports").content)
    assert [r[1] for r in rows] == [job_a.original_name]
    copp_rows = table(export(logged_in(world.copp), "imports").content)
    assert len(copp_rows) == len(on_screen(logged_in(world.copp), "imports")) == 2


def test_dates_are_dates_in_moscow_time_and_text_never_a_formula(world: World) -> None:
    event = world.events_a[0]
    event.title = '=HYPERLINK("http://evil")'
    event.save(update_fields=["title"])
    content = export(logged_in(world.ministry), "events", "q=HYPERLINK").content
    wb = load_workbook(io.BytesIO(content))
    ws = wb.active
    row = next(r for r in ws.iter_rows() if r[0].value == event.title)
    assert row[0].data_type == "s"
    first_day = row[4]
    assert first_day.value.date() == event.start_date and first_day.number_format == "dd.mm.yyyy"
    due = row[9].value
    from django.utils import timezone

    assert due == timezone.localtime(event.due_at).replace(tzinfo=None)


def _export_queries(client: Client, name: str, query: str = "") -> int:
    with CaptureQueriesContext(connection) as ctx:
        export(client, name, query)
    return len(ctx.captured_queries)


def test_the_queries_of_an_export_do_not_grow_with_its_rows(world: World) -> None:
    ministry, coordinator = logged_in(world.ministry), logged_in(world.coord_a)
    cases = [
        (ministry, "events", ""),
        (ministry, "activities", ""),
        (ministry, "actuals", ""),
        (ministry, "timeliness", f"year={world.plan.last_year}"),
        (coordinator, "tasks", ""),
        (coordinator, "inbox", ""),
        (coordinator, "imports", ""),
        (ministry, "reports", ""),
    ]
    before = [_export_queries(c, n, q) for c, n, q in cases]
    world.grow(8)
    after = [_export_queries(c, n, q) for c, n, q in cases]
    assert after == before


@pytest.fixture
def long_lists(settings: Any) -> None:
    settings.LIST_EXPORT_BACKGROUND_ROWS = 3


def test_a_long_list_is_built_in_the_background_for_its_owner_only(
    world: World, long_lists: None, django_capture_on_commit_callbacks: Any, eager_celery: None
) -> None:
    client = logged_in(world.coord_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/exports/events/?ordering=title&year={world.plan.last_year}")
    job = ReportFile.objects.get(kind=ReportKind.LIST_EXPORT)
    assert response.status_code == 302 and response.url == f"/reports/{job.pk}/"
    assert job.requested_by == world.coord_a and job.status == ReportFile.Status.DONE, job.error
    assert job.list_query == f"ordering=title&year={world.plan.last_year}"
    page = client.get(response.url)
    assert page.status_code == 200 and "Скачать" in page.content.decode()
    download = client.get(f"/reports/{job.pk}/download/")
    assert download.status_code == 200
    assert f"filename*=utf-8''{quote('События ')}".lower() in download["Content-Disposition"].lower()
    content = b"".join(download.streaming_content)
    shown = [e.title for e in on_screen(client, "events", f"ordering=title&year={world.plan.last_year}")]
    assert [r[0] for r in table(content)] == shown and len(shown) > 3
    assert SECRET not in all_text(content)
    # Nobody else sees it: not the other coordinator, not the ministry, not another ЦОПП user.
    for other in (world.coord_b, world.ministry, world.copp, UserFactory(role="admin")):
        other_client = logged_in(other)
        assert other_client.get(f"/reports/{job.pk}/").status_code == 404
        assert other_client.get(f"/reports/{job.pk}/download/").status_code == 404
    assert job not in logged_in(world.ministry).get("/reports/").context["files"]


def test_a_long_export_of_the_ministry_stays_off_the_reports_list_of_others(
    world: World, long_lists: None, django_capture_on_commit_callbacks: Any, eager_celery: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(world.ministry).get("/exports/events/")
    job = ReportFile.objects.get(kind=ReportKind.LIST_EXPORT)
    assert job in logged_in(world.ministry).get("/reports/").context["files"]
    assert job not in logged_in(world.copp).get("/reports/").context["files"]
    assert str(job) == "События"


def test_a_failed_background_export_is_rebuilt_for_its_owner_only(
    world: World, long_lists: None, django_capture_on_commit_callbacks: Any, eager_celery: None
) -> None:
    job = ReportFile.objects.create(
        kind=ReportKind.LIST_EXPORT,
        plan=world.plan,
        year=world.plan.last_year,
        requested_by=world.coord_a,
        list_name="events",
        list_query="ordering=title",
        title="События",
        status=ReportFile.Status.FAILED,
    )
    assert logged_in(world.coord_b).post(f"/reports/{job.pk}/rebuild/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(world.coord_a).post(f"/reports/{job.pk}/rebuild/")
    fresh = ReportFile.objects.exclude(pk=job.pk).get()
    assert response.url == f"/reports/{fresh.pk}/"
    assert fresh.status == ReportFile.Status.DONE and fresh.list_query == "ordering=title"


def test_a_list_export_is_not_a_report_one_can_request(world: World) -> None:
    assert ReportKind.LIST_EXPORT not in REPORT_KINDS
    response = logged_in(world.ministry).post("/reports/", {"kind": "list_export", "year": str(world.plan.last_year)})
    assert response.status_code == 200 and response.context["form"].errors["kind"]


def test_every_export_has_its_page(world: World) -> None:
    from django.urls import reverse

    assert set(LIST_EXPORTS) == set(PAGES)
    for name, export_ in LIST_EXPORTS.items():
        assert reverse(export_.page) == PAGES[name]


def test_opening_a_long_export_twice_queues_one_build(world: World, long_lists: None) -> None:
    """The export link is a GET: a second click while the build waits opens the same job."""
    client = logged_in(world.coord_a)
    first = client.get("/exports/events/?ordering=title")
    second = client.get("/exports/events/?ordering=title")
    job = ReportFile.objects.get(kind=ReportKind.LIST_EXPORT)
    assert first.url == second.url == f"/reports/{job.pk}/"
    # Another list (or other filters) is another build.
    client.get("/exports/events/?ordering=-title")
    assert ReportFile.objects.filter(kind=ReportKind.LIST_EXPORT).count() == 2
    # Once the first is built, asking again builds afresh.
    ReportFile.objects.filter(pk=job.pk).update(status=ReportFile.Status.DONE)
    third = client.get("/exports/events/?ordering=title")
    assert third.url != first.url
