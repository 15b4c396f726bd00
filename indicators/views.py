"""HTML pages of the indicators: plan against fact, one indicator, actual values.

Figures come from ``indicators.selectors.indicator_figures`` (the one place
that computes them); writes go through ``indicators.services``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from copp.keyset import Keyset
from copp.web import paginate, plan_year, requested_plan
from indicators import permissions, services
from indicators.checks import plan_breaches
from indicators.continuity import predecessor_facts
from indicators.derivations import derivation, sources_by_code, unassigned_records
from indicators.forms import ActualForm
from indicators.lists import actual_list_filter, indicator_list_rows
from indicators.memo import current_figures
from indicators.models import Actual, ActualChange, Indicator, IndicatorSource, Target, ValidationRule
from indicators.selectors import (
    actual_history,
    actuals_visible_to,
    visible_indicator_records,
)
from roadmap.accounts.permissions import sees_many_organizations
from roadmap.errors import Refusal, StaleVersion
from roadmap.plans.selectors import is_archive

RECORDS_SHOWN = 50


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    py = plan_year(request)
    rows = indicator_list_rows(py.plan, py.year, now=timezone.now())
    return render(request, "indicators/indicator_list.html", {"py": py, "rows": rows})


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(
        Indicator.objects.select_related("indicator_set__plan", "parent", "source").prefetch_related("children"), pk=pk
    )
    plan = indicator.indicator_set.plan
    py = plan_year(request, plan=plan)
    now = timezone.now()
    figures = current_figures(plan, years=py.years, now=now)  # all rows: a total's derivation reads them
    previous = predecessor_facts([indicator], now=now).get(indicator.pk)
    sources = sources_by_code(indicator)  # read once for the records, the derivation and the unassigned
    visible = visible_indicator_records(request.user, indicator, py.year, sources=sources)
    records = {kind: (Keyset.rows(qs, RECORDS_SHOWN), qs.count()) for kind, qs in visible.items()}
    plan_rules = list(ValidationRule.objects.filter(indicator_set__plan=plan, is_active=True))
    rules = [r for r in plan_rules if indicator.code in (*r.left_codes, *r.right_codes)]
    year_figure = figures.get((indicator.code, py.year))
    how = derivation(indicator, py.year, value=getattr(year_figure, "actual", None), figures=figures, sources=sources)
    scoped: dict[str, Callable[[Any, QuerySet[Any]], QuerySet[Any]]] = {
        "programmes": permissions.visible_programmes,
        "cohorts": permissions.visible_cohorts,
    }
    unassigned = {
        kind: (Keyset.rows(qs, RECORDS_SHOWN), qs.count())
        for kind, query in unassigned_records(indicator, py.year, sources=sources).items()
        for qs in [scoped[kind](request.user, query)]
    }
    row_indicators = {
        i.code: i for i in Indicator.objects.filter(indicator_set=indicator.indicator_set, code__in=how["rows"])
    }
    context = {
        "indicator": indicator,
        "plan": plan,
        "py": py,
        "figures": [figures.get((indicator.code, y)) for y in py.years],
        "previous": previous,
        "previous_years": sorted(previous.actuals.items()) if previous else [],
        "chart_list": []  # a yes/no indicator shows badges by year, not 0/1 bars
        if indicator.is_boolean
        else [
            {
                "id": indicator.pk,
                "years": py.years,
                "target": [_v(figures.get((indicator.code, y)), "target") for y in py.years],
                "actual": [_v(figures.get((indicator.code, y)), "actual") for y in py.years],
            }
        ],
        "records": records,
        "records_limited": not sees_many_organizations(request.user),  # one organisation's records
        "rules": rules,
        "breaches": plan_breaches(plan, years=py.years, codes=[indicator.code], figures=figures, rules=plan_rules),
        "how": how,
        "how_scope": _scope_label(how["scope"]),
        "how_sources": [
            {**d, "scope_label": _scope_label(d["scope"]), "kind_label": _kind_label(d["kind"])} for d in how["sources"]
        ],
        "how_rows": [(row_indicators.get(code), figures.get((code, py.year)), code) for code in how["rows"]],
        "unassigned": unassigned,
        "target_history": Target.history.filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("-history_date")[:30],
        "actual_changes": _visible_changes(request.user, indicator)[:30],
    }
    return render(request, "indicators/indicator_detail.html", context)


def _scope_label(scope: str | None) -> str:
    if scope is None:
        return ""
    if scope == "mixed":
        return _("each row has its own (see below)")
    return str(dict(IndicatorSource.Scope.choices).get(scope, scope))


def _kind_label(kind: str) -> str:
    if kind == "actuals":
        return _("approved values entered by organisations")
    return str(dict(IndicatorSource.Kind.choices).get(kind, kind))


def _v(figure: Any, name: str) -> Any:
    value = getattr(figure, name, None) if figure else None
    return int(value) if isinstance(value, bool) else value


def _visible_changes(user: Any, indicator: Indicator) -> Any:
    """The audit trail of the indicator's values the user may see (drafts of others stay hidden)."""
    visible = actuals_visible_to(user).filter(indicator=indicator)
    return (
        ActualChange.objects.filter(actual__in=visible)
        .select_related("user", "actual__organization")
        .order_by("-at", "-id")
    )


# ---------------------------------------------------------------------------
# Actual values
# ---------------------------------------------------------------------------


def _visible_actual(user: Any, pk: int) -> Actual:
    actual = get_object_or_404(
        actuals_visible_to(user).select_related("indicator__indicator_set__plan", "created_by", "approved_by"), pk=pk
    )
    return actual


@login_required
def actual_list(request: HttpRequest) -> HttpResponse:
    py = plan_year(request)  # ?plan=<key>, else the current plan (an unknown key is a 404)
    plan = py.plan
    filterset = actual_list_filter(request.GET, user=request.user, plan=plan)
    context = {
        "filter": filterset,
        "page": paginate(request, filterset.qs),
        "keep": {"plan": plan.key},
        "py": py,
        "can_review": permissions.can_review_actuals(request.user),
        "can_enter": permissions.actual_organization_choices(request.user).exists(),
    }
    return render(request, "indicators/actual_list.html", context)


@login_required
def actual_create(request: HttpRequest) -> HttpResponse:
    plan = requested_plan(request.GET.get("plan"))  # the plan of the values list it was opened from
    organizations = permissions.actual_organization_choices(request.user)
    if not organizations.exists():
        raise PermissionDenied
    form = ActualForm(request.POST or None, plan=plan, organizations=organizations, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actual = services.actual_create(
                indicator=data["indicator"],
                year=data["year"],
                organization=data["organization"],
                value=data["value"],
                period=data["period"],
                evidence=data["evidence"],
                user=request.user,
                now=timezone.now(),
            )
        except Refusal as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("The value is saved as a draft. Submit it for review when you are sure."))
            return redirect("actual_detail", actual.pk)
    return render(request, "indicators/actual_form.html", {"form": form, "plan": plan, "archive": is_archive(plan)})


@login_required
def actual_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One value: its history, editing while it is a draft or returned, and the review actions."""
    actual = _visible_actual(request.user, pk)
    plan = actual.indicator.indicator_set.plan
    can_enter = permissions.can_enter_actual(request.user, actual.organization_id)
    form = ActualForm(
        request.POST or None,
        plan=plan,
        organizations=permissions.actual_organization_choices(request.user),
        editing=True,
        initial={
            "value": _value_text(actual),
            "evidence": actual.evidence,
            "version": actual.version,
            "indicator_obj": actual.indicator,
        },
    )
    if not actual.was_approved:
        del form.fields["confirm_breaches"]
    if request.method == "POST":
        if not can_enter:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.actual_update(
                    actual=actual,
                    value=data["value"],
                    evidence=data["evidence"],
                    reason=data["reason"],
                    user=request.user,
                    now=timezone.now(),
                    version=data["version"],
                    confirm_breaches=bool(data.get("confirm_breaches")),
                )
            except Refusal as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("The value has been changed."))
                return redirect("actual_detail", actual.pk)
    context = {
        "actual": actual,
        "form": form,
        "history": actual_history(actual),
        "can_enter": can_enter and actual.status in ("draft", "returned"),
        "can_review": permissions.can_review_actuals(request.user),
        "can_reopen": permissions.can_reopen_actual(request.user),
    }
    return render(request, "indicators/actual_detail.html", context)


def _add_error(form: Any, exc: Refusal) -> None:
    """Put a refusal on the field at fault; one about a hidden field (the
    version of a stale form) goes on top of the form, where it is seen."""
    field = form.fields.get(exc.field) if exc.field else None
    form.add_error(exc.field if field is not None and not field.widget.is_hidden else None, exc.message)


def _value_text(actual: Actual) -> str:
    if actual.value_bool is not None:
        return "да" if actual.value_bool else "нет"
    return "" if actual.value_number is None else str(actual.value_number)


ACTIONS: dict[str, tuple[Callable[..., Any], bool, Promise]] = {
    "submit": (services.actual_submit, False, gettext_lazy("The value has been submitted for review.")),
    "approve": (services.actual_approve, False, gettext_lazy("The value is approved: it now counts.")),
    "return": (
        services.actual_return,
        True,
        gettext_lazy("The value has been returned to the organisation with a reason."),
    ),
    "reopen": (services.actual_reopen, True, gettext_lazy("The value is open for correction.")),
}


@login_required
@require_POST
def actual_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actual = _visible_actual(request.user, pk)
    service, needs_reason, done = ACTIONS[action]
    kwargs: dict[str, Any] = {"actual": actual, "user": request.user, "now": timezone.now()}
    version = request.POST.get("version", "")
    # Every action button carries the version it was shown; without one the
    # action could land on a value someone else has changed meanwhile.
    kwargs["version"] = int(version) if version.isdigit() and len(version) < 10 else None
    if needs_reason:
        kwargs["reason"] = request.POST.get("reason", "")
    try:
        if kwargs["version"] is None:
            raise StaleVersion(field="version")
        service(**kwargs)
    except Refusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(done))
    return redirect("actual_detail", actual.pk)


@login_required
@require_POST
def actual_bulk_approve(request: HttpRequest) -> HttpResponse:
    if not permissions.can_review_actuals(request.user):
        raise PermissionDenied
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    result = services.actuals_bulk_approve(actual_ids=ids, user=request.user, now=timezone.now())
    if result.approved:
        messages.success(request, _("Values approved: %(n)s.") % {"n": len(result.approved)})
    for actual_id, reason in result.refused.items():
        messages.error(request, _("Value no. %(id)s is not approved: %(reason)s") % {"id": actual_id, "reason": reason})
    return redirect(request.POST.get("next") or "actual_list")
