"""The admin's door to ``roadmap.plans.plan_copy``: an action on plans with a form asking the key and the years."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roadmap.plans.plan_copy import MAX_YEAR, MIN_YEAR, PlanCopyError, plan_copy


class PlanCopyForm(forms.Form):
    key = forms.SlugField(label=gettext_lazy("Key of the new plan"), max_length=64)
    first_year = forms.IntegerField(label=gettext_lazy("First year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    last_year = forms.IntegerField(label=gettext_lazy("Last year"), min_value=MIN_YEAR, max_value=MAX_YEAR)


@admin.action(description=gettext_lazy("Start a new plan based on the selected one"))
def copy_plan(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
    if queryset.count() != 1:
        modeladmin.message_user(request, _("Select exactly one plan to copy."), messages.ERROR)
        return None
    source = queryset.get()
    form = PlanCopyForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        try:
            result = plan_copy(source_key=source.key, **form.cleaned_data)
        except PlanCopyError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            modeladmin.message_user(
                request,
                _("Plan “%(key)s” was created from “%(source)s”: %(summary)s. Targets are not set: fill them in.")
                % {"key": result.plan.key, "source": source.key, "summary": result.summary()},
                messages.SUCCESS,
            )
            for flagged in result.flagged_deadlines:
                modeladmin.message_user(request, _("Check the deadline: %(s)s") % {"s": flagged}, messages.WARNING)
            return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("New plan based on “%(plan)s”") % {"plan": source},
        "opts": modeladmin.model._meta,
        "source": source,
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/roadmap/plan/copy.html", context)
