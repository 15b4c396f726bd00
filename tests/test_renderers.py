"""``copp.renderers.WidgetRenderer`` writes the plain widgets exactly as Django's templates do.

Every case renders one widget twice: with Django's own template renderer and
with ours; the output must be the same string. A second check makes sure the
fast path was taken at all (otherwise equality would hold trivially).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from copp.forms import SearchSelect
from copp.renderers import WRITERS, WidgetRenderer

REFERENCE = DjangoTemplates()

HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"

CHOICES: list[Any] = [
    ("", "---------"),
    ("a", "Первый"),
    (1, 2023),
    ("amp&", HOSTILE),
    ("safe", mark_safe("<b>bold</b>")),
    ("lazy", gettext_lazy("Events")),
    (
        "Группа <1>",
        [("g1", "В группе"), ("g2", HOSTILE)],
    ),
    (Decimal("1.50"), "decimal"),
]

ATTRS: list[dict[str, Any]] = [
    {},
    {"class": "form-select", "id": "id_x"},
    {"required": True, "disabled": False, "data-x": HOSTILE, "aria-label": gettext_lazy("Events")},
    {"class": mark_safe("a&b"), "tabindex": 3, "step": Decimal("0.5")},
]

CASES: list[tuple[forms.Widget, Any]] = [
    *[(forms.TextInput(), v) for v in (None, "", "text", HOSTILE, 0, 12345, mark_safe("<i>ok</i>"))],
    *[(forms.NumberInput(), v) for v in (None, 0, -5, 1234567, Decimal("3.14"), 2.5)],
    *[(forms.DateInput(), v) for v in (None, dt.date(2026, 12, 31), "2026-01-01", "bad<")],
    *[(forms.DateInput(format="%d.%m.%Y"), v) for v in (dt.date(2025, 3, 1),)],
    *[(forms.TimeInput(), v) for v in (None, dt.time(9, 30))],
    *[(forms.DateTimeInput(), v) for v in (None, dt.datetime(2026, 12, 2, 23, 59, 59))],
    *[(forms.EmailInput(), v) for v in ("a@b.ru", None)],
    *[(forms.URLInput(), v) for v in ("https://example.org/?a=1&b=2",)],
    *[(forms.TelInput(), v) for v in ("+7 (4872) 00-00-00",)],
    *[(forms.PasswordInput(), v) for v in ("secret",)],
    *[(forms.PasswordInput(render_value=True), v) for v in ("secret",)],
    *[(forms.SearchInput(), v) for v in ("поиск", None)],
    *[(forms.HiddenInput(), v) for v in ("h", None, 5)],
    *[(forms.ColorInput(), v) for v in ("#ff0000",)],
    *[(forms.CheckboxInput(), v) for v in (True, False, None, "on", "")],
    *[(forms.Textarea(), v) for v in (None, "", "line 1\nline 2", HOSTILE, 42, mark_safe("<p>x</p>"))],
    *[(forms.Select(choices=CHOICES), v) for v in (None, "", "a", 1, "1", "g2", "amp&", "nope")],
    *[(forms.Select(choices=[]), v) for v in (None,)],
    *[(forms.Select(choices=[(2024, 2024), (2025, 2025)]), v) for v in (2025,)],
    *[(forms.SelectMultiple(choices=CHOICES), v) for v in (None, [], ["a", "g1"], ["1", "lazy"])],
    *[(forms.NullBooleanSelect(), v) for v in (None, True, False, "unknown")],
]


def _render(widget: forms.Widget, value: Any, attrs: dict[str, Any], renderer: Any) -> str:
    return str(widget.render("field_name", value, attrs=dict(attrs), renderer=renderer))


@pytest.mark.parametrize(("widget", "value"), CASES, ids=[f"{type(w).__name__}-{i}" for i, (w, _v) in enumerate(CASES)])
@pytest.mark.parametrize("attrs", ATTRS, ids=range(len(ATTRS)))
def test_same_html_as_django_templates(widget: forms.Widget, value: Any, attrs: dict[str, Any]) -> None:
    fast = WidgetRenderer()
    for language in ("ru", "en"):
        with override(language):
            assert _render(widget, value, attrs, fast) == _render(widget, value, attrs, REFERENCE)


def test_the_fast_path_is_taken_for_every_plain_widget(monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[str] = []

    def spy(self: Any, template_name: str, context: Any, request: Any = None) -> str:
        rendered.append(template_name)
        return ""

    monkeypatch.setattr(DjangoTemplates, "render", spy)
    for widget, value in CASES:
        _render(widget, value, ATTRS[1], WidgetRenderer())
    assert rendered == []
    assert {w.template_name for w, _v in CASES} <= set(WRITERS)


def test_other_templates_go_to_django(db: Any) -> None:
    """Our own widgets (and a select whose options have their own template) are rendered by templates."""

    class Fancy(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    fancy = Fancy(choices=[("a", "A")])
    assert _render(fancy, "a", {}, WidgetRenderer()) == _render(fancy, "a", {}, REFERENCE)
    search = SearchSelect(kind="municipality")
    html = _render(search, None, {"id": "id_m"}, WidgetRenderer())
    assert html == _render(search, None, {"id": "id_m"}, REFERENCE)
    assert 'role="combobox"' in html


def test_the_project_uses_it() -> None:
    assert settings.FORM_RENDERER == "copp.renderers.WidgetRenderer"


def test_a_real_filter_form_renders_the_same(db: Any) -> None:
    """The events page's filter bar, bound to hostile input, through both renderers."""
    from django.utils import timezone

    from roadmap.events.lists import event_list_filter
    from roadmap.models import User

    user = User.objects.create_superuser("root-renderer", "root@example.org", "x")
    data = {"q": HOSTILE, "report_status": "overdue", "year": "2024", "plan": ""}
    form = event_list_filter(data, user=user, now=timezone.now()).form
    assert isinstance(form.renderer, WidgetRenderer)
    fast = [str(bound) for bound in form]
    form.renderer = REFERENCE
    assert [str(bound) for bound in form] == fast
    assert any("<select" in html for html in fast)
