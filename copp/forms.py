"""Form helpers shared by the HTML pages of every app: Bootstrap classes on widgets,
dd.mm.yyyy and hh:mm inputs, a service's ValidationError put on a form, a styled FilterSet."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms

from copp.text import truncate_words_at


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


FILTER_LABEL_LIMIT = 90


class StyledFilterSet(django_filters.FilterSet):
    """A FilterSet whose form carries Bootstrap's classes."""

    @property
    def form(self) -> Any:
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                is_select = hasattr(field, "choices")
                if type(field.widget) is forms.Select:  # long names shortened at a word, full text on hover
                    short = ShortLabelSelect(attrs=field.widget.attrs, limit=FILTER_LABEL_LIMIT)
                    short.choices = field.widget.choices
                    short.is_required = field.widget.is_required
                    field.widget = short
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


class ShortLabelSelect(forms.Select):
    """A drop-down whose long option labels are shortened at a word boundary with
    «…»; the full label stays in the option's ``title`` (shown on hover)."""

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = (), *, limit: int = 100) -> None:
        super().__init__(attrs, choices)
        self.limit = limit

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: Any,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        full = str(option["label"])
        short = truncate_words_at(full, self.limit)
        if short != full:
            option["label"] = short
            option["attrs"] = {**option["attrs"], "title": full}
        return option
