"""HTML pages of the indicators: list with plan against fact, one indicator's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from indicators.models import Indicator, Target
from indicators.selectors import indicators_of
from roadmap.web import plan_year


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    py = plan_year(request)
    return render(request, "indicators/indicator_list.html", {"py": py, "indicators": indicators_of(py.plan)})


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(
        Indicator.objects.select_related("indicator_set__plan", "parent").prefetch_related("targets", "children"), pk=pk
    )
    history = Target.history.filter(indicator_id=indicator.pk).select_related("history_user").order_by("-history_date")[:50]
    context = {"indicator": indicator, "plan": indicator.indicator_set.plan, "target_history": history}
    return render(request, "indicators/indicator_detail.html", context)
