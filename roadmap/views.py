from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from indicators.selectors import indicators_of
from roadmap.selectors import activities_of, current_plan


@login_required
def home(request: HttpRequest) -> HttpResponse:
    plan = current_plan()
    return render(
        request,
        "roadmap/home.html",
        {"plan": plan, "activities": activities_of(plan), "indicators": indicators_of(plan)},
    )
