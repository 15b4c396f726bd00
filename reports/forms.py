"""Forms of the reports page and the spreadsheet import."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from copp.forms import BootstrapMixin, DateInput
from reports.models import REPORT_CHOICES, ImportKind


class ReportRequestForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=REPORT_CHOICES)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: current data. A date in the past: what was known then."),
    )

    def __init__(self, *args: Any, plan: Any, year: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["year"]).choices = [(y, y) for y in plan.years]
        self.fields["year"].initial = year or min(max(timezone.localdate().year, plan.first_year), plan.last_year)


class ImportForm(BootstrapMixin, forms.Form):
    """Offers only the kinds the user may load (``reports.permissions.importable_kinds``), the first one chosen."""

    kind = forms.ChoiceField(
        label=_("What to import"),
        choices=ImportKind.choices,
        error_messages={"invalid_choice": _("You may not import this kind of data: choose one from the list.")},
    )
    file = forms.FileField(label=_("Excel file (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["kind"])
        field.choices = [(value, label) for value, label in ImportKind.choices if value in kinds]
        field.initial = kinds[0] if kinds else None
