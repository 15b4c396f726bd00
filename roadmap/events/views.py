"""HTML pages of the roadmap: home per role, activities, events (the inbox: roadmap/chase/views.py).

The dashboard, the timeliness table and «my tasks» are pages of ``reports.dashboard.views``.

Views fetch with a permission check, run a form, call a service or a
selector and render; rules and figures live in services and selectors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from copp.files import INLINE_TYPES, serve_file
from copp.forms import apply_errors
from copp.web import paginate, plan_year, today
from roadmap.accounts import permissions
from roadmap.accounts.roles import Role, has_role, sees_every_region, sees_everything
from roadmap.accounts.signed_in import signed_in_user
from roadmap.errors import Conflict, StaleVersion
from roadmap.events import selectors as event_selectors
from roadmap.events import services
from roadmap.events.choices import municipality_choices
from roadmap.events.forms import EventForm, EvidenceForm, ReasonForm, ReportForm
from roadmap.events.lists import activity_list_filter, event_list_counted, event_list_filter
from roadmap.events.memo import current_control_points
from roadmap.events.status import ReportStatus
from roadmap.models import Activity, Event, EventReport, EvidenceFile, Responsibility
from roadmap.plans.activity_status import ACTIVITY_STATUS_CSS, activity_verdict
from roadmap.plans.selectors import plans_ordered, region_plans


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own page; a user without a role is told whom to ask."""
    if has_role(request.user, Role.COORDINATOR) and not sees_everything(request.user):
        return redirect("tasks")
    if sees_everything(request.user):
        return redirect("dashboard")
    return render(request, "roadmap/no_role.html", status=403)


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    py = plan_year(request)
    filterset = activity_list_filter(request.GET, plan=py.plan)
    page = paginate(request, filterset.qs.distinct())
    context = {"py": py, "filter": filterset, "page": page, "keep": {"plan": py.plan.key, "year": py.year}}
    return render(request, "roadmap/activity_list.html", context)


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # The responsible organisations with their municipalities in one query (a
    # municipality read per organisation as the page showed it before).
    responsibilities = Responsibility.objects.select_related("organization__municipality")
    activity = get_object_or_404(
        Activity.objects.select_related("plan", "section").prefetch_related(
            "windows", Prefetch("responsibilities", queryset=responsibilities)
        ),
        pk=pk,
    )
    now = timezone.now()
    today = timezone.localdate(now)  # the Moscow day
    points = current_control_points(activity, today=today, now=now)
    verdict = activity_verdict(points, today=today)
    events = event_selectors.events_list(user=request.user, now=now).filter(activity=activity)
    # The same events without the status and the rows' joins: for the count and the subqueries.
    listed = event_selectors.events_list(user=request.user, now=now, annotated=False).filter(activity=activity)
    context = {
        "activity": activity,
        "points": points,
        "verdict": verdict,
        "verdict_css": ACTIVITY_STATUS_CSS.get(verdict, "") if verdict else "",
        "plan": activity.plan,
        "page": paginate(request, events, counted=listed),
        # The documents of the newest events the reader sees, read in the order of the
        # activity's (activity, last day) index, which stops at the 30th: sorting every
        # document of the activity by its report's filing took 14 ms at national.
        "evidence": permissions.visible_evidence(
            request.user, EvidenceFile.objects.filter(report__event__activity=activity)
        )
        .select_related("report__event")
        .only("original_name", "report__event__title")
        .order_by("-report__event__end_date", "-report__event_id", "uploaded_at", "id")[:30],
        "history": Event.history.filter(id__in=listed.values("id"))
        .select_related("history_user", "organizer")
        .order_by("-history_date")[:20],
    }
    return render(request, "roadmap/activity_detail.html", context)


# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------


def _visible_event(user: Any, pk: int) -> Event:
    """The event if this user may see it; another organisation's is simply not found."""
    query = Event.objects.select_related(
        "activity__plan", "activity__section", "organizer", "municipality", "coordinator", "created_by"
    )
    return get_object_or_404(permissions.visible_events(user, query), pk=pk)


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    filterset = event_list_filter(request.GET, user=request.user, now=now)
    context: dict[str, Any] = {
        "filter": filterset,
        "page": paginate(request, filterset.qs, counted=event_list_counted(filterset, user=request.user, now=now)),
        "keep": {},
        "now": now,
        "several_plans": len(plans_ordered()) > 1,
    }
    return render(request, "roadmap/event_list.html", context)


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    # The activities offered are of the user's region's plans (administrators and the federal level: every plan).
    region_id = None if sees_every_region(request.user) else permissions.user_region_id(request.user)
    plans = region_plans(plans_ordered(), region_id)
    organizers = permissions.event_organizer_choices(request.user)
    if not plans or not organizers.exists():
        raise PermissionDenied
    form = EventForm(
        request.POST or None,
        plans=plans,
        today=today(),
        organizers=organizers,
        municipalities=municipality_choices(request.user),  # what /choices/municipality/ offers
        initial=request.GET.dict(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(user=signed_in_user(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The event is registered. The report is due by %(due)s.")
                % {"due": timezone.localtime(event.due_at).strftime("%d.%m.%Y %H:%M")},
            )
            return redirect("event_detail", event.pk)
    return render(request, "roadmap/event_form.html", {"form": form})


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _visible_event(request.user, pk)
    now = timezone.now()
    report = (
        EventReport.objects.filter(event=event).select_related("submitted_by", "accepted_by", "returned_by").first()
    )
    context = {
        "event": event,
        "report": report,
        "status": event_selectors.event_report_status(event, now) if report is None else _status_of(event, report, now),
        "evidence": report.evidence.select_related("uploaded_by") if report else [],
        "can_report": permissions.can_report_event(request.user, event),
        "can_review": report is not None and permissions.can_review_report(request.user, report),
        "can_change": permissions.can_change_event(request.user, event),
        "can_delete_evidence": report is not None
        and report.status != EventReport.Status.ACCEPTED
        and permissions.can_delete_evidence(request.user, report),
        "evidence_form": EvidenceForm(),
        "preview_types": INLINE_TYPES,
        "image_types": {t for t in INLINE_TYPES if t.startswith("image/")},
        "reason_form": ReasonForm(),
        "history": _event_history(event, report),
        "now": now,
    }
    return render(request, "roadmap/event_detail.html", context)


def _status_of(event: Event, report: EventReport, now: Any) -> ReportStatus:
    event.report = report  # reuse the loaded report instead of a second query
    return event_selectors.event_report_status(event, now)


def _event_history(event: Event, report: EventReport | None) -> list[dict[str, Any]]:
    """What happened to the event and its report, newest first (django-simple-history)."""
    labels = {
        ("event", "+"): _("event registered"),
        ("event", "~"): _("event changed"),
        ("report", "+"): _("report filed"),
        ("report", "~"): _("report changed"),
        ("evidence", "+"): _("file attached: %(name)s"),
        ("evidence", "-"): _("file deleted: %(name)s"),
    }
    rows = [("event", h) for h in event.history.select_related("history_user").order_by("-history_date")[:20]]
    if report is not None:
        rows += [("report", h) for h in report.history.select_related("history_user").order_by("-history_date")[:20]]
        files = EvidenceFile.history.filter(report_id=report.pk, history_type__in=["+", "-"])
        rows += [("evidence", h) for h in files.select_related("history_user").order_by("-history_date")[:20]]
    return sorted(
        (
            {
                "at": h.history_date,
                "user": h.history_user,
                "status": getattr(h, "status", ""),
                "what": _history_label(labels, kind, h),
            }
            for kind, h in rows
        ),
        key=lambda row: row["at"],
        reverse=True,
    )


def _history_label(labels: dict[tuple[str, str], str], kind: str, row: Any) -> str:
    label = labels.get((kind, row.history_type), _("deleted"))
    return label % {"name": row.original_name} if kind == "evidence" else label


@login_required
def event_report(request: HttpRequest, pk: int) -> HttpResponse:
    """File the report (or correct a returned one), with evidence files in the same form."""
    event = _visible_event(request.user, pk)
    if not permissions.can_report_event(request.user, event):
        raise PermissionDenied
    report = EventReport.objects.filter(event=event).first()
    initial = (
        ({n: getattr(report, n) for n in services.REPORT_FIELDS} | {"version": report.version}) if report else None
    )
    form = ReportForm(request.POST or None, initial=initial)
    evidence_form = EvidenceForm(request.POST or None, request.FILES or None, required=False)
    if request.method == "POST" and form.is_valid() and evidence_form.is_valid():
        try:
            report = _save_report(
                request, event, report, form.cleaned_data | {"participants": form.participants_payload()}
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The report has been sent. Thank you!"))
            _add_evidence(request, report, evidence_form)
            return _redirect(request, "event_detail", event.pk)
    listed = report.participants.count() if report is not None else 0
    context = {"event": event, "report": report, "form": form, "evidence_form": evidence_form, "listed": listed}
    return render(request, "roadmap/event_report_form.html", context)


def _redirect(request: HttpRequest, name: str, *args: Any) -> HttpResponse:
    """A redirect that htmx follows with a full page load (HX-Redirect)."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse(name, args=args)
        return response
    return redirect(name, *args)


def _save_report(request: HttpRequest, event: Event, report: EventReport | None, data: dict[str, Any]) -> EventReport:
    """File the first report, or correct the one the form was opened on.

    The form carries the version of the report it shows; a form without one
    was opened to file the first report. If a report exists by now, that form
    is refused as "already filed" -- never turned into a correction that
    silently overwrites what someone else has just sent.
    """
    payload = services.ReportData(
        **{name: data[name] for name in services.REPORT_FIELDS}, participants=data.get("participants")
    )
    version, now = data.get("version"), timezone.now()
    if report is None:
        return services.event_report_submit(user=signed_in_user(request), event=event, data=payload, now=now)
    if version is None:
        raise Conflict(services.REPORT_EXISTS_MESSAGE)
    return services.event_report_resubmit(
        user=signed_in_user(request), report=report, data=payload, now=now, expected_version=version
    )


def _add_evidence(request: HttpRequest, report: EventReport, form: EvidenceForm) -> bool:
    """Attach the form's files, all or none; the refusals go to the page's messages.

    With the report form the report is saved first and kept whatever the
    files: it is due by a deadline, and the files can be attached again from
    the event page.
    """
    uploads = form.uploads()
    if not uploads:
        return True
    try:
        added = services.evidence_add_many(user=signed_in_user(request), report=report, uploads=uploads)
    except (ValidationError, Conflict) as exc:
        messages.error(request, _("No files were attached."))
        for text in exc.messages if isinstance(exc, ValidationError) else [str(exc)]:
            messages.error(request, text)
        return False
    messages.success(
        request,
        ngettext("%(count)d file attached.", "%(count)d files attached.", len(added)) % {"count": len(added)},
    )
    return True


@login_required
@require_POST
def event_evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach files to the report from the event page: each row's files with that row's document type."""
    event = _visible_event(request.user, pk)
    report = get_object_or_404(EventReport, event=event)
    if not permissions.can_report_event(request.user, event):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        _add_evidence(request, report, form)
    else:
        messages.error(request, _("Choose files to upload."))
    return redirect("event_detail", event.pk)


@login_required
@require_POST
def event_evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an evidence file (the button on the event page); another organisation's file is not found."""
    query = EvidenceFile.objects.select_related("report__event")
    evidence = get_object_or_404(permissions.visible_evidence(request.user, query), pk=pk)
    event_id, name = evidence.report.event_id, evidence.original_name
    try:
        services.evidence_delete(user=signed_in_user(request), evidence=evidence)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("File “%(name)s” deleted.") % {"name": name})
    return redirect("event_detail", event_id)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    evidence = get_object_or_404(permissions.visible_evidence(request.user), pk=pk)
    return serve_file(evidence.file, filename=evidence.original_name)


@login_required
def evidence_preview(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file shown in the browser when its bytes are an image or a PDF; downloaded otherwise."""
    evidence = get_object_or_404(permissions.visible_evidence(request.user), pk=pk)
    return serve_file(evidence.file, filename=evidence.original_name, inline=True)


@login_required
@require_POST
def event_review(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Accept or return a report (ЦОПП and ministry staff)."""
    event = _visible_event(request.user, pk)
    report = get_object_or_404(EventReport.objects.select_related("event__activity__plan"), event=event)
    form = ReasonForm(request.POST)
    form.fields["reason"].required = action == "return"
    try:
        if not form.is_valid():
            raise ValidationError(_("Say what needs to be corrected."))
        version, now = form.cleaned_data.get("version"), timezone.now()
        if version is None:  # every review button carries the version it was shown
            raise StaleVersion()
        if action == "accept":
            services.event_report_accept(user=signed_in_user(request), report=report, now=now, expected_version=version)
            messages.success(request, _("The report is accepted: its figures count in the indicators."))
        else:
            reason = form.cleaned_data["reason"]
            services.event_report_return(
                user=signed_in_user(request), report=report, reason=reason, now=now, expected_version=version
            )
            messages.success(request, _("The report is returned for revision; the coordinator will be notified."))
    except (ValidationError, Conflict) as exc:
        messages.error(request, "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    return redirect("event_detail", event.pk)


@login_required
@require_POST
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _visible_event(request.user, pk)
    form = ReasonForm(request.POST)
    try:
        form.is_valid()  # a missing reason is the service's to explain
        reason, version = form.cleaned_data.get("reason", ""), form.cleaned_data.get("version")
        if version is None:  # the cancel form carries the version of the event it was shown
            raise StaleVersion()
        services.event_cancel(
            user=signed_in_user(request), event=event, reason=reason, now=timezone.now(), expected_version=version
        )
        messages.success(request, _("The event is cancelled: no report is needed for it."))
    except (ValidationError, Conflict) as exc:
        messages.error(request, "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    return redirect("event_detail", event.pk)
