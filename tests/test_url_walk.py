"""Every URL pattern × role × method keeps the visibility rules (issue 16, contract).

The walk resolves every pattern of the project (web, API, admin) and calls it
as an anonymous visitor, the coordinators of the owning and of another
organisation, ЦОПП staff, ministry staff and an administrator, with every
method the view allows, on objects owned by one organisation. It asserts:

- no answer is a server error;
- anonymous visitors get the login redirect, 401 or 403 (``public`` rules
  excepted: the login page and the published API schema);
- the other organisation's coordinator never receives the owner's data (every
  record of the owner carries ``SECRET``), never changes a row of our tables
  (fingerprint of every table of roadmap, indicators and reports, taken inside
  the request's transaction before it is rolled back), and gets 404 wherever
  the URL names one of the owner's objects;
- those who may see an object do not get 404 for it (so the ids are right and
  a 404 above means something);
- the admin is closed to everyone but staff;
- the ministry staff of another region (``other_region``) are kept out like
  the other organisation's coordinator; the federal level reads everything.

A pattern without an entry in ``RULES`` (or, for the admin, a model without
an entry in ``ADMIN_OBJECTS``) fails: a URL added later must say which object
it names and who may see it.

In ``tests/world.py`` organisation B owns the marked data, so here the owner
is B's coordinator and the other organisation's coordinator is A's.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from copp.choices import choice_kind_names
from reports.exports import LIST_EXPORTS
from tests.world import SECRET, Registries, World, add_registries, build_world

OUR_APPS = ("roadmap", "indicators", "reports")
ROLES = ("anonymous", "owner", "intruder", "copp", "ministry", "admin", "federal", "other_region")
SEES_OWNERS_DATA = ("owner", "copp", "ministry", "admin", "federal")
# Kept away from the owner's data: the other organisation's coordinator, and the
# ministry staff of another region (region scope).
INTRUDERS = ("intruder", "other_region")
LOGIN_PATHS = ("/login/", "/admin/login/")
WRITE_METHODS = ("post", "put", "patch", "delete")


# --- the patterns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the route text of an unnamed pattern
    route: str
    name: str | None
    callback: Any
    kwargs: tuple[str, ...]
    positional: int

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")


def _routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace])) or None
                walk(p.url_patterns, prefix + str(p.pattern), ns)
                continue
            assert isinstance(p, URLPattern)
            route = prefix + str(p.pattern)
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            regex = p.pattern.regex
            names = tuple(regex.groupindex)
            positional = 0 if names else regex.groups
            found.append(Route(name or route, route, name, p.callback, names, positional))

    walk(get_resolver().url_patterns, "", None)
    return found


ROUTES = _routes()


def _methods(route: Route) -> list[str]:
    """Every method the view answers: DRF action maps, class-based views' handlers;
    function views (and the admin's) take GET and POST."""
    callback = route.callback
    actions = getattr(callback, "actions", None)
    if actions:
        return [m for m in ("get", "post", "put", "patch", "delete") if m in actions]
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        return [
            m
            for m in ("get", "post", "put", "patch", "delete")
            if m in view_class.http_method_names and hasattr(view_class, m)
        ]
    return ["get", "post"]


# --- what each pattern names ------------------------------------------------------------------------


@dataclass
class Objects:
    """The owner's objects (and reference data) the URLs are filled with."""

    world: World
    registries: Registries
    event: Any  # with an accepted report and evidence
    event_without_report: Any
    evidence: Any
    actual: Any
    notification: Any
    report_file: Any
    import_job: Any
    category: Any
    report_settings: Any


Kwargs = Callable[[Objects], list[dict[str, Any]]]


@dataclass(frozen=True)
class Rule:
    kwargs: Kwargs = lambda o: [{}]
    query: Callable[[Objects], dict[str, Any]] = lambda o: {}
    owned: bool = False  # the URL names the owner's object: the other organisation gets 404
    public: bool = False  # anonymous visitors may use it
    seen_by: tuple[str, ...] = SEES_OWNERS_DATA  # who reads the named object (GET is not 404)
    seen_variants: int = 99  # how many of the kwargs variants those users read (a missing report is a 404)


def _events(o: Objects) -> list[dict[str, Any]]:
    return [{"pk": o.event.pk}, {"pk": o.event_without_report.pk}]


def _year(o: Objects) -> dict[str, Any]:
    return {"year": o.registries.year}


EVENT = Rule(_events, owned=True)
EVENT_REPORT = Rule(_events, owned=True, seen_variants=1)
ACTUAL = Rule(lambda o: [{"pk": o.actual.pk}], owned=True)
EVIDENCE = Rule(lambda o: [{"pk": o.evidence.pk}], owned=True)
NOTIFICATION = Rule(lambda o: [{"pk": o.notification.pk}], owned=True, seen_by=("owner",))
REPORT_FILE = Rule(lambda o: [{"pk": o.report_file.pk}], owned=True, seen_by=("copp", "ministry", "admin", "federal"))
IMPORT_JOB = Rule(lambda o: [{"pk": o.import_job.pk}], owned=True, seen_by=("owner", "copp", "admin"))
INDICATOR_CODE = Rule(lambda o: [{"code": o.world.indicator.code}], query=_year)

RULES: dict[str, Rule] = {
    # web: roadmap
    "login": Rule(public=True),
    "logout": Rule(public=True),
    "home": Rule(),
    "dashboard": Rule(),
    "dashboard_body": Rule(query=lambda o: {"since": "0"}),
    "timeliness": Rule(),
    "tasks": Rule(),
    "region_comparison": Rule(),
    "inbox": Rule(),
    "profile": Rule(),
    "activity_list": Rule(),
    "activity_detail": Rule(lambda o: [{"pk": o.world.activity.pk}]),
    "event_list": Rule(),
    "event_create": Rule(),
    "event_detail": EVENT,
    "event_report": EVENT,
    "event_evidence_add": EVENT,
    "event_accept": EVENT,
    "event_return": EVENT,
    "event_cancel": EVENT,
    "evidence_download": EVIDENCE,
    "evidence_preview": EVIDENCE,
    "protected_file": Rule(lambda o: [{"name": o.evidence.file.name}], owned=True),
    "event_evidence_delete": EVIDENCE,
    # web: indicators
    "indicator_list": Rule(),
    "indicator_detail": Rule(lambda o: [{"pk": i.pk} for i in o.registries.indicators.values()], query=_year),
    "actual_list": Rule(),
    "actual_create": Rule(),
    "actual_bulk_approve": Rule(),
    "actual_detail": ACTUAL,
    "actual_submit": ACTUAL,
    "actual_approve": ACTUAL,
    "actual_return": ACTUAL,
    "actual_reopen": ACTUAL,
    # web: reports
    "report_list": Rule(),
    "report_detail": REPORT_FILE,
    "report_download": REPORT_FILE,
    "report_rebuild": REPORT_FILE,
    "import_start": Rule(),
    "import_detail": IMPORT_JOB,
    "import_template": Rule(lambda o: [{"kind": "events"}]),
    # every list page's export, with the page's own rules (the timeliness table: staff only)
    "list_export": Rule(lambda o: [{"name": name} for name in LIST_EXPORTS]),
    # API: the published schema is public on purpose (schemathesis and client generators read it)
    "schema": Rule(public=True),
    "api-docs": Rule(public=True),
    "api-redoc": Rule(public=True),
    # monitoring probes it without signing in; it names no record
    "health": Rule(public=True),
    "favicon": Rule(public=True),
    # large choices searched as you type: each kind offers what its form accepts
    "choices": Rule(lambda o: [{"kind": kind} for kind in choice_kind_names()]),
    "password_reset": Rule(public=True),
    "password_reset_done": Rule(public=True),
    "password_reset_confirm": Rule(lambda o: [{"uidb64": "MQ", "token": "set-password"}], public=True),
    "password_reset_complete": Rule(public=True),
    "password_change": Rule(),
    "activity-list": Rule(),
    "activity-detail": Rule(lambda o: [{"number": o.world.activity.number}]),
    "organization-list": Rule(),
    "organization-detail": Rule(lambda o: [{"pk": o.world.org_b.pk}]),  # reference data: everyone reads it
    "event-list": Rule(query=lambda o: {"limit": "500"}),
    "event-timeliness": Rule(),
    "event-detail": EVENT,
    "event-report": EVENT_REPORT,
    "event-accept-report": EVENT,
    "event-return-report": EVENT,
    "event-add-evidence": EVENT,
    "event-delete-evidence": Rule(lambda o: [{"pk": o.event.pk, "evidence_id": o.evidence.pk}], owned=True),
    "event-cancel": EVENT,
    "notification-list": Rule(),
    "notification-read-all": Rule(),
    "notification-unread-count": Rule(),
    "notification-detail": NOTIFICATION,
    "notification-read": NOTIFICATION,
    "indicator-list": Rule(),
    "indicator-detail": INDICATOR_CODE,
    "indicator-progress": INDICATOR_CODE,
    "indicator-records": Rule(lambda o: [{"code": i.code} for i in o.registries.indicators.values()], query=_year),
    "actual-list": Rule(query=lambda o: {"limit": "500"}),
    "actual-bulk-approve": Rule(),
    "actual-detail": ACTUAL,
    "actual-submit": ACTUAL,
    "actual-approve": ACTUAL,
    "actual-return-": ACTUAL,
    "actual-reopen": ACTUAL,
    "actual-history": ACTUAL,
    "figure-list": Rule(query=_year),
    "consistency-list": Rule(query=lambda o: {"source": "actual", **_year(o)}),
    "partner-agreement-list": Rule(query=lambda o: {"limit": "500"}),
    "partner-agreement-detail": Rule(lambda o: [{"pk": o.registries.agreement.pk}], owned=True),
    "programme-list": Rule(query=lambda o: {"limit": "500"}),
    "programme-detail": Rule(lambda o: [{"pk": o.registries.programme.pk}], owned=True),
    "programme-cohort-list": Rule(query=lambda o: {"limit": "500"}),
    "programme-cohort-detail": Rule(lambda o: [{"pk": o.registries.cohort.pk}], owned=True),
    "programme-category-list": Rule(),
    "programme-category-detail": Rule(lambda o: [{"pk": o.category.pk}]),
    # the federal comparison: the federal level and administrators only (others 403)
    "region-list": Rule(),
    "region-detail": Rule(lambda o: [{"pk": o.world.plan.region_id}]),
    "region-comparison": Rule(query=_year),
}

# The admin: the object each of our ModelAdmins is walked with (the owner's where it has one).
ADMIN_OBJECTS: dict[str, Callable[[Objects], Any]] = {
    "roadmap.region": lambda o: o.world.plan.region,
    "roadmap.municipality": lambda o: o.world.org_b.municipality,
    "roadmap.organization": lambda o: o.world.org_b,
    "roadmap.user": lambda o: o.world.coord_b,
    "roadmap.plan": lambda o: o.world.plan,
    "roadmap.section": lambda o: o.world.activity.section,
    "roadmap.activity": lambda o: o.world.activity,
    "roadmap.event": lambda o: o.event,
    "roadmap.eventreport": lambda o: o.event.report,
    "roadmap.notification": lambda o: o.notification,
    "indicators.indicatorset": lambda o: o.world.indicator.indicator_set,
    "indicators.indicator": lambda o: o.world.indicator,
    "indicators.target": lambda o: o.world.indicator.targets.first(),
    "indicators.validationrule": lambda o: apps.get_model("indicators", "ValidationRule").objects.first(),
    "indicators.indicatorsource": lambda o: apps.get_model("indicators", "IndicatorSource").objects.first(),
    "indicators.programmecategory": lambda o: o.category,
    "indicators.partneragreement": lambda o: o.registries.agreement,
    "indicators.educationalprogramme": lambda o: o.registries.programme,
    "indicators.programmecohort": lambda o: o.registries.cohort,
    "indicators.actual": lambda o: o.actual,
    "reports.reportfile": lambda o: o.report_file,
    "reports.importjob": lambda o: o.import_job,
    "reports.reportsettings": lambda o: o.report_settings,
}


def _admin_model(route: Route) -> tuple[str, str] | None:
    parts = route.route.split("/")
    if len(parts) > 3 and parts[1] and parts[2] and not parts[1].startswith(("^", "(", "<")):
        return parts[1], parts[2]
    return None


def _admin_requests(route: Route, o: Objects) -> list[tuple[str, bool]]:
    """(URL, names an object of ours) for an admin pattern."""
    model = _admin_model(route)
    ours = model is not None and model[0] in OUR_APPS
    obj = ADMIN_OBJECTS[".".join(model)](o) if ours else None
    object_id = str(obj.pk) if obj is not None else "1"
    if route.key == "admin:view_on_site":
        from django.contrib.contenttypes.models import ContentType

        ct = ContentType.objects.get_for_model(o.event)
        return [(reverse(route.key, kwargs={"content_type_id": ct.pk, "object_id": o.event.pk}), True)]
    if route.key == "admin:app_list":
        return [(reverse(route.key, kwargs={"app_label": label}), False) for label in OUR_APPS]
    if route.name is None and route.route.endswith("(?P<url>.*)$"):
        return [("/admin/no-such-page/", False)]
    if route.name is None:  # <path:object_id>/ redirects to the change page
        return [(f"/admin/{model[0]}/{model[1]}/{object_id}/", True)]
    if route.positional == 2:  # django-simple-history: <object_id>/history/<history_id>/
        record = type(obj).history.filter(**{type(obj)._meta.pk.attname: obj.pk}).first()
        return [(reverse(route.key, args=[obj.pk, record.history_id]), True)]
    if "kind" in route.kwargs:
        return [(reverse(route.key, kwargs={"kind": "events"}), False)]
    if "pk" in route.kwargs:
        return [(reverse(route.key, kwargs={"pk": object_id}), True)]
    if "object_id" in route.kwargs:
        return [(reverse(route.key, kwargs={"object_id": object_id}), True)]
    if route.key == "admin:auth_user_password_change":
        return [(reverse(route.key, kwargs={"id": o.world.coord_b.pk}), True)]
    assert not route.kwargs and not route.positional, f"{route.key}: fill its arguments in _admin_requests"
    return [(reverse(route.key), False)]


# --- the world, built once for the module -------------------------------------------------------------


@dataclass
class Walk:
    objects: Objects
    clients: dict[str, Client]
    fingerprint: dict[str, tuple[int, str]]
    cookies: dict[str, str] = field(default_factory=dict)


def _our_tables() -> list[str]:
    tables = set()
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.add(model._meta.db_table)
    return sorted(tables)


TABLES = _our_tables()


def fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row of every table of our apps."""
    result = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            rows = cursor.fetchall()
            result[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


def _build(world: World) -> Objects:
    from indicators.models import ProgrammeCategory
    from reports.models import ImportJob, ReportFile, ReportSettings
    from roadmap.models import EventReport, EvidenceFile, Notification

    registries = add_registries(world)
    with_report = next(e for e in world.events_b if EventReport.objects.filter(event=e, status="accepted").exists())
    without = next(e for e in world.events_b if not EventReport.objects.filter(event=e).exists())
    report_file = ReportFile(
        kind=ReportFile._meta.get_field("kind").choices[0][0],
        plan=world.plan,
        year=registries.year,
        status=ReportFile.Status.DONE,
        requested_by=world.copp,
    )
    report_file.file.save("walk.xlsx", ContentFile(b"PK\x03\x04" + SECRET.encode()), save=False)
    report_file.save()
    job = ImportJob.objects.create(
        kind="events",
        user=world.coord_b,
        original_name=f"{SECRET}.xlsx",
        status=ImportJob.Status.READY,
        payload=[],
        counts={},
    )
    # The other organisation's own unread notices would change when it marks them read.
    Notification.objects.filter(user=world.coord_a).update(read_at=timezone.now())
    settings_row, _ = ReportSettings.objects.get_or_create(plan=world.plan)
    return Objects(
        world=world,
        registries=registries,
        event=with_report,
        event_without_report=without,
        evidence=EvidenceFile.objects.filter(report__event=with_report).first(),
        actual=world.actuals_b[0],
        notification=Notification.objects.filter(user=world.coord_b).first(),
        report_file=report_file,
        import_job=job,
        category=ProgrammeCategory.objects.filter(indicator_set__plan=world.plan).first(),
        report_settings=settings_row,
    )


@pytest.fixture(scope="module")
def walk(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walk]:
    from roadmap.models import Plan, Region
    from roadmap.plans.loader import plan_load
    from roadmap.tests.factories import OrganizationFactory, UserFactory

    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")), DASHBOARD_REFRESH="inline")
    with media, django_db_blocker.unblock(), transaction.atomic():
        plan_load()
        world = build_world(Plan.objects.get(key="tula-2714-2022"))
        objects = _build(world)
        users = {
            "owner": world.coord_b,
            "intruder": world.coord_a,
            "copp": world.copp,
            "ministry": world.ministry,
            "admin": UserFactory(role="admin"),
            "federal": UserFactory(role="federal"),
            "other_region": UserFactory(
                role="ministry",
                organization=OrganizationFactory(
                    kind="ministry", region=Region.objects.create(name="Другой регион", key="walk-other")
                ),
            ),
        }
        clients = {"anonymous": Client(raise_request_exception=False)}
        for role, user in users.items():
            clients[role] = Client(raise_request_exception=False)
            clients[role].force_login(user)
        cookies = {role: client.cookies.output(header="", sep=";") for role, client in clients.items()}
        yield Walk(objects, clients, fingerprint(), cookies)
        transaction.set_rollback(True)


# --- the walk --------------------------------------------------------------------------------------------


def _content(response: Any) -> str:
    if getattr(response, "streaming", False):
        # The test client closes the response (and its file) once this is consumed;
        # closing it here would send request_finished and close the connection.
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    if body.startswith(b"PK\x03\x04"):  # an xlsx (a zip): its sheets' and strings' XML is what it tells
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                body = b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".xml"))
        except zipfile.BadZipFile:
            pass  # not a zip after all: read as it is
    return body.decode("utf-8", errors="replace")


def _redirects_to_login(response: Any) -> bool:
    location = response.headers.get("Location", "")
    return response.status_code == 302 and location.split("?")[0].endswith(LOGIN_PATHS)


def _call(walk: Walk, role: str, method: str, url: str, query: dict[str, Any]) -> tuple[Any, str, bool]:
    """One request in a transaction rolled back afterwards; whether our tables changed
    is read inside it (for the other organisation and anonymous visitors)."""
    client = walk.clients[role]
    # Every request starts from the signed-in session (a walked logout or a
    # message cookie must not leak into the next request).
    client.cookies = SimpleCookie(walk.cookies[role])
    with transaction.atomic():
        if method == "get":
            response = client.get(url, query)
        elif method == "post":
            response = client.post(url + _qs(query), {})
        else:
            response = getattr(client, method)(url + _qs(query), "{}", content_type="application/json")
        content = _content(response)
        changed = role in (*INTRUDERS, "anonymous") and fingerprint() != walk.fingerprint
        transaction.set_rollback(True)
    return response, content, changed


def _qs(query: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(query) if query else ""


def _requests(route: Route, o: Objects) -> list[tuple[str, dict[str, Any], bool, Rule, bool]]:
    """(URL, query, names the owner's object, rule, its readers must find it) per variant."""
    if route.is_admin:
        model = _admin_model(route)
        ours = model is not None and model[0] in OUR_APPS
        if ours:
            assert ".".join(model) in ADMIN_OBJECTS, f"{route.key}: no entry in ADMIN_OBJECTS for {'.'.join(model)}"
        public = route.key in ("admin:login", "admin:logout")
        return [(url, {}, owned and ours, Rule(public=public), False) for url, owned in _admin_requests(route, o)]
    rule = RULES[route.key]
    return [
        (reverse(route.name, kwargs=kw), rule.query(o), rule.owned, rule, n < rule.seen_variants)
        for n, kw in enumerate(rule.kwargs(o))
    ]


def _check(walk: Walk, route: Route) -> tuple[list[str], list[str]]:
    """Failures, and the server errors listed in KNOWN (fixed by other parts of issue 16)."""
    o = walk.objects
    failures, known = [], []
    # Other apps' ModelAdmins (auth, tokens, celery beat, axes…) are walked for "closed
    # to non-staff" only; the administrator's pages are theirs to test.
    model = _admin_model(route)
    admin_of_others = route.is_admin and model is not None and model[0] not in OUR_APPS
    for url, query, owned, rule, readable in _requests(route, o):
        for role in ROLES:
            if role == "admin" and admin_of_others:
                continue
            for method in _methods(route):
                response, content, changed = _call(walk, role, method, url, query)
                status = response.status_code
                where = f"{role} {method.upper()} {url}{_qs(query)} -> {status}"
                if status >= 500:
                    (known if (route.key, method) in KNOWN else failures).append(f"{where}: server error")
                    continue
                if route.is_admin and role not in ("admin", "anonymous") and not rule.public:
                    if not _redirects_to_login(response):
                        failures.append(f"{where}: the admin must send non-staff users to its login")
                if role == "anonymous" and not rule.public:
                    if status not in (401, 403) and not _redirects_to_login(response):
                        failures.append(f"{where}: anonymous must get the login redirect, 401 or 403")
                if changed:
                    failures.append(f"{where}: changed our tables")
                if role in INTRUDERS:
                    if SECRET in content:
                        failures.append(f"{where}: the other organisation received the owner's data")
                    if owned and not route.is_admin and status not in (404, 405):
                        failures.append(f"{where}: the other organisation must get 404 for the owner's object")
                if owned and readable and method == "get" and role in rule.seen_by and status == 404:
                    failures.append(f"{where}: {role} may see this object (wrong id in the walk's registry?)")
    return failures, known


# Real server errors the walk finds that other parts of issue 16 fix, by (pattern, method).
# The test of such a pattern is an expected failure, strictly: once the error is
# gone, the entry must go too.
# Server errors known and owned elsewhere, as (pattern, method): reason. Each
# becomes a strict xfail, so a fix shows up as a failure until it is removed.
KNOWN: dict[tuple[str, str], str] = {}


def _param(route: Route) -> Any:
    reasons = [reason for (key, _), reason in KNOWN.items() if key == route.key]
    marks = [pytest.mark.xfail(strict=True, reason="; ".join(reasons))] if reasons else []
    return pytest.param(route, id=route.key, marks=marks)


def test_it_has_a_rule_for_every_url_pattern() -> None:
    missing = [r.key for r in ROUTES if not r.is_admin and r.key not in RULES]
    assert not missing, f"URL patterns without a visibility rule in tests/test_url_walk.py RULES: {missing}"
    ours = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry if m._meta.app_label in OUR_APPS}
    assert ours <= set(ADMIN_OBJECTS), (
        f"ModelAdmins without an object in ADMIN_OBJECTS: {sorted(ours - set(ADMIN_OBJECTS))}"
    )
    assert not set(RULES) - {r.key for r in ROUTES}, "rules of patterns that are gone"


@pytest.mark.django_db
@pytest.mark.parametrize("route", [_param(r) for r in ROUTES])
def test_it_keeps_the_rules_on_every_door(walk: Walk, route: Route) -> None:
    if not route.is_admin and route.key not in RULES:
        pytest.fail(f"{route.key} ({route.route}) has no visibility rule in RULES")
    failures, known = _check(walk, route)
    assert not failures, "\n".join(failures)
    assert not known, "known server errors (see KNOWN):\n" + "\n".join(known)


@pytest.mark.django_db
def test_it_notices_a_changed_row_of_our_tables(walk: Walk) -> None:
    """The detector behind "changes nothing" itself: one changed title is seen."""
    from roadmap.models import Event

    with transaction.atomic():
        Event.objects.filter(pk=walk.objects.event.pk).update(title="изменено")
        changed = fingerprint()
        transaction.set_rollback(True)
    assert changed["roadmap_event"] != walk.fingerprint["roadmap_event"]
    assert fingerprint() == walk.fingerprint


@pytest.mark.django_db
def test_it_walks_the_owners_objects_with_data_the_other_organisation_must_not_see(walk: Walk) -> None:
    """The walk's objects carry SECRET where they are read, so "never receives A's data" can fail."""
    o = walk.objects
    for url in (
        f"/api/v1/events/{o.event.pk}/",
        f"/api/v1/partner-agreements/{o.registries.agreement.pk}/",
        f"/api/v1/notifications/{o.notification.pk}/",
        f"/imports/{o.import_job.pk}/",
    ):
        response, content, _ = _call(walk, "owner", "get", url, {})
        assert response.status_code == 200 and SECRET in content, url
