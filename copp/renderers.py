"""The form renderer: Django's, with the plain widgets written straight to HTML.

Every filter bar and form renders its widgets through the form renderer, one
template render per widget and one more per ``<option>``: a list page's nine
filter widgets cost about a third of the page (issue 15). :class:`WidgetRenderer`
writes the widgets whose templates are Django's plain ones (the ``<input>``
family, ``<select>`` with its options, ``<textarea>``) as those templates would,
byte for byte, and hands every other template (our own widgets, the forms'
layouts, the admin's) to Django's template renderer unchanged.

``tests/test_renderers.py`` renders each fast template both ways over many
contexts (optgroups, selected and disabled options, escaping, safe strings,
lazy labels, numbers, booleans) and asserts the same output; if Django's
templates ever change, those tests fail rather than the pages drifting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

_WIDGETS = "django/forms/widgets/"
_OPTION_TEMPLATE = f"{_WIDGETS}select_option.html"
_CONTEXT = Context()  # autoescape on, time zone and localisation as the settings say


def _variable(value: Any) -> str:
    """``{{ value }}``: localised, then escaped unless safe."""
    return str(render_value_in_context(value, _CONTEXT))


def _string(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 - what the filter does
    except (ValueError, TypeError):
        return ""
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs: Mapping[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_variable(name)}" if value is True else f' {_variable(name)}="{_string(value)}"')
    return "".join(parts)


def _input(widget: Mapping[str, Any]) -> str:
    """``django/forms/widgets/input.html`` (and the templates that only include it)."""
    value = widget["value"]
    shown = f' value="{_string(value)}"' if value is not None else ""
    return (
        f'<input type="{_variable(widget["type"])}" name="{_variable(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _option(option: Mapping[str, Any]) -> str:
    """``django/forms/widgets/select_option.html``, as the select includes it (with its newline)."""
    return (
        f'<option value="{_string(option["value"])}"{_attrs(option["attrs"])}>{_variable(option["label"])}</option>\n'
    )


def _select(widget: Mapping[str, Any]) -> str | None:
    """``django/forms/widgets/select.html``; None when an option has a template of its own."""
    parts = [f'<select name="{_variable(widget["name"])}"{_attrs(widget["attrs"])}>']
    groups: Iterable[tuple[Any, Iterable[Mapping[str, Any]], Any]] = widget["optgroups"]
    for group_name, options, _index in groups:
        if group_name:
            parts.append(f'\n  <optgroup label="{_variable(group_name)}">')
        for option in options:
            if option.get("template_name") != _OPTION_TEMPLATE:
                return None
            parts.append(f"\n  {_option(option)}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: Mapping[str, Any]) -> str:
    """``django/forms/widgets/textarea.html``."""
    value = widget["value"]
    text = _variable(value) if value else ""
    return f'<textarea name="{_variable(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'


# input.html and the templates that only include it
_INPUTS = (
    *("input", "text", "number", "email", "url", "tel", "password", "search", "hidden"),
    *("date", "time", "datetime", "color", "checkbox"),
)
WRITERS: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **{f"{_WIDGETS}{name}.html": _input for name in _INPUTS},
    f"{_WIDGETS}select.html": _select,
    f"{_WIDGETS}textarea.html": _textarea,
}


class WidgetRenderer(DjangoTemplates):
    """``FORM_RENDERER``: the templates in :data:`WRITERS` written directly (the
    output of ``DjangoTemplates``, stripped as it strips it), the rest rendered."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        write = WRITERS.get(template_name)
        widget = context.get("widget")
        html = write(widget) if write is not None and isinstance(widget, Mapping) else None
        if html is not None:
            return SafeString(html.strip())
        return str(super().render(template_name, context, request))


__all__ = ["WRITERS", "WidgetRenderer"]
