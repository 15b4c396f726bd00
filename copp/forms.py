"""Form helpers shared by the HTML pages of every app: Bootstrap classes on widgets,
dd.mm.yyyy and hh:mm inputs, a service's ValidationError put on a form, a styled FilterSet."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms


class BootstrapMixin:
    """Give every widget Bootstrap's classes (errors are marked by ``{% field %}``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class DateInput(forms.DateInput):
    """A date typed as дд.мм.гггг whatever the browser's own locale (a native
    picker would show mm/dd/yyyy on an English system)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "placeholder": "дд.мм.гггг",
            "inputmode": "numeric",
            "autocomplete": "off",
            "pattern": r"\d{2}\.\d{2}\.\d{4}",
            "title": "дд.мм.гггг",
        }
        super().__init__({**defaults, **(attrs or {})}, format="%d.%m.%Y")


class TimeInput(forms.TimeInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"placeholder": "чч:мм", "inputmode": "numeric", "autocomplete": "off"}
        super().__init__({**defaults, **(attrs or {})}, format="%H:%M")


class StyledFilterSet(django_filters.FilterSet):
    """A FilterSet whose form carries Bootstrap's classes."""

    @property
    def form(self) -> Any:
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                is_select = hasattr(field, "choices")
                field.widget.attrs.setdefault("class", "form-select" if is_select else "form-control")
            form._styled = True
        return form


def apply_errors(form: forms.Form, error: Any) -> None:
    """Put a service's ValidationError on the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages if hasattr(error, "messages") else [str(error)])
