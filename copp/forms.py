"""Form helpers shared by the HTML pages of every app: Bootstrap classes on widgets,
dd.mm.yyyy and hh:mm inputs, a service's ValidationError put on a form, a styled FilterSet,
and large choices searched as you type (``SearchChoiceField``)."""

from __future__ import annotations

from typing import Any, NamedTuple

import django_filters
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from copp.choices import choice_kind, exact_matches
from copp.text import search_key, truncate_words_at


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
                is_select = hasattr(field, "choices") and not isinstance(field.widget, SearchSelect)
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


# ---------------------------------------------------------------------------
# Large choices searched as you type (copp.choices has the registry and the endpoint)
# ---------------------------------------------------------------------------

TEXT_SUFFIX = "__text"


class SearchValue(NamedTuple):
    """What a ``SearchSelect`` posts: the picked id (may be empty) and the text in the box."""

    pk: str
    text: str


class SearchSelect(forms.Widget):
    """An accessible combobox (WAI-ARIA 1.2 pattern): a text box, a list of at
    most ``copp.choices.LIMIT`` matches fetched as you type by
    ``static/js/search_select.js``, and the picked id in a hidden input named as
    the field. Only the current value's label is rendered, never the options.

    Without JavaScript the text box still works: the field reads a typed name
    (or INN, or number) and accepts it when exactly one allowed row matches.
    """

    template_name = "copp/widgets/search_select.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, kind: str, placeholder: Any = None) -> None:
        super().__init__(attrs)
        self.kind = kind
        self.placeholder = placeholder
        self.choices: Any = ()  # set by ModelChoiceField: its iterator knows the queryset and the label

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name + TEXT_SUFFIX not in data:  # a script or a test posting the id alone
            return data.get(name)
        return SearchValue(str(data.get(name) or "").strip(), str(data.get(name + TEXT_SUFFIX) or ""))

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and name + TEXT_SUFFIX not in data

    def _label_of(self, pk: str) -> str:
        """The label of the row ``pk`` among the field's choices: one query, or none."""
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None or not pk:
            return ""
        try:
            obj = queryset.filter(pk=pk).first()
        except (ValueError, TypeError):
            return ""
        if obj is None:
            return ""
        return str(self.choices.field.label_from_instance(obj))

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, None, attrs)
        if isinstance(value, SearchValue):
            pk, text = value.pk, value.text
        else:
            pk = "" if value in (None, "") else str(value)
            text = self._label_of(pk)
            if not text:
                pk = ""
        widget = context["widget"]
        widget["attrs"].setdefault("placeholder", self.placeholder or _("Start typing a name"))
        widget.update(
            {
                "pk": pk,
                "text": text,
                "text_name": name + TEXT_SUFFIX,
                "url": reverse("choices", kwargs={"kind": self.kind}),
            }
        )
        return context

    def id_for_label(self, id_: str) -> str:
        return id_


class SearchChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A ModelChoiceField over a queryset too large for a ``<select>``.

    ``kind`` names the ``copp.choices`` kind whose queryset function is the one
    the form's queryset comes from. The queryset still decides: an id outside it
    is refused, whatever the browser sent.
    """

    default_error_messages = {
        "not_found": _("Nothing matches “%(text)s”. Start typing and choose from the list."),
        "several": _("Several entries match “%(text)s”. Type more of the name and choose from the list."),
    }

    def __init__(self, *args: Any, kind: str, placeholder: Any = None, **kwargs: Any) -> None:
        # django-filter's ModelChoiceFilter passes these; an empty box means "all".
        kwargs.pop("null_label", None)
        kwargs.pop("null_value", None)
        if placeholder is None and kwargs.get("empty_label") not in (None, "---------"):
            placeholder = kwargs["empty_label"]
        kwargs.setdefault("widget", SearchSelect(kind=kind, placeholder=placeholder))
        super().__init__(*args, **kwargs)
        self.kind = kind

    def to_python(self, value: Any) -> Any:
        if not isinstance(value, SearchValue):
            return super().to_python(value)
        if not value.text.strip():
            return None
        if value.pk:
            picked = super().to_python(value.pk)  # an id outside the queryset: invalid_choice
            if picked is not None and search_key(self.label_from_instance(picked)) == search_key(value.text):
                return picked
        if self.queryset is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        found = exact_matches(choice_kind(self.kind), self.queryset, value.text, label=self.label_from_instance)
        if len(found) == 1:
            return found[0]
        code = "several" if found else "not_found"
        raise forms.ValidationError(self.error_messages[code], code=code, params={"text": value.text.strip()})

    def has_changed(self, initial: Any, data: Any) -> bool:
        if isinstance(data, SearchValue):
            data = data.pk
        return super().has_changed(initial, data)


class SearchChoiceFilter(django_filters.ModelChoiceFilter):
    """django-filter's ModelChoiceFilter with the search-as-you-type field; pass ``kind=``."""

    field_class = SearchChoiceField
