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
from django.utils.translation import gettext_lazy as _lazy

from roadmap.plans.plan_copy import MAX_YEAR, MIN_YEAR, PlanCopyError, plan_copy


class PlanCopyForm(forms.Form):
    key = forms.SlugField(label=_lazy("Ключ нового плана"), max_length=64)
    first_year = forms.IntegerField(label=_lazy("Первый год"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    last_year = forms.IntegerField(label=_lazy("Последний год"), min_value=MIN_YEAR, max_value=MAX_YEAR)


@admin.action(description=_lazy("Начать новый план на основе выбранного"))
def copy_plan(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
    if queryset.count() != 1:
        modeladmin.message_user(request, _("Выберите один план для копирования."), messages.ERROR)
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
                _("План «%(key)s» создан из «%(source)s»: %(summary)s. Цели не заданы: заполните их.")
                % {"key": result.plan.key, "source": source.key, "summary": result.summary()},
                messages.SUCCESS,
            )
            for flagged in result.flagged_deadlines:
                modeladmin.message_user(request, _("Проверьте срок: %(s)s") % {"s": flagged}, messages.WARNING)
            return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Новый план на основе «%(plan)s»") % {"plan": source},
        "opts": modeladmin.model._meta,
        "source": source,
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/roadmap/plan/copy.html", context)
