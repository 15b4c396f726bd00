"""Large choices searched as you type: one registry of choice kinds and one endpoint.

A form field over thousands of rows (municipalities, organisations, the
activities of every plan) is not sent as a ``<select>``: its widget
(``copp.forms.SearchSelect``) asks ``/choices/<kind>/?q=…`` for at most
``LIMIT`` matches. Each kind is registered by the app that owns it with the
very function that gives the form its queryset, so the endpoint offers what
the form accepts and nothing else; the form's queryset stays the validation
authority (a forged id is a form error, whatever the endpoint said).

Matching is on the ``search_text`` column (``copp.text.search_key``): every
word of the query must appear, case-insensitively in Cyrillic too, on SQLite
and PostgreSQL alike; names that start with the query come first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Model, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_GET

from copp.text import search_key

LIMIT = 20
QUERY_MAX_LENGTH = 100
TERMS_MAX = 6
CANDIDATES = 500


@dataclass(frozen=True)
class ChoiceKind:
    """One searchable choice: ``queryset(user)`` is what the form offers and accepts."""

    queryset: Callable[[Any], QuerySet[Any]]
    label: Callable[[Any], str] = str
    detail: Callable[[Any], str] | None = None
    # A query of digits also matches this integer field exactly (an activity's number).
    number_field: str | None = None


_KINDS: dict[str, ChoiceKind] = {}


def register_choice_kind(name: str, kind: ChoiceKind) -> None:
    """Called from the owning app's ``AppConfig.ready``."""
    _KINDS[name] = kind


def choice_kind_names() -> list[str]:
    return sorted(_KINDS)


def choice_kind(name: str) -> ChoiceKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(name) from None


def _number(kind: ChoiceKind, query: str) -> int | None:
    """The query as the kind's number, when it is one (at most 4 digits: a smallint)."""
    digits = query.strip()
    return int(digits) if kind.number_field and digits.isdigit() and len(digits) <= 4 else None


def search(kind: ChoiceKind, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
    """``queryset`` narrowed to the rows matching ``query``, best first, in the
    queryset's own order otherwise. An empty query keeps every row (the first
    ones make a list to browse)."""
    terms = search_key(query).split()[:TERMS_MAX]
    if not terms:
        return queryset
    words = Q()
    for term in terms:
        words &= Q(search_text__contains=term)
    starting = words & Q(search_text__startswith=terms[0])
    first = Case(When(search_text__startswith=terms[0], then=Value(0)), default=Value(1), output_field=IntegerField())
    number = _number(kind, query)
    if number is not None and kind.number_field is not None:
        numbered = Q(**{kind.number_field: number})
        words, starting = words | numbered, starting | numbered
        first = Case(When(numbered, then=Value(-1)), default=first, output_field=IntegerField())
    # Ranking sorts what it is given: give it the first CANDIDATES matches in table
    # order (the scan stops there) and every row that starts with the query (or
    # has its number), not every match of a short query among tens of thousands.
    pool = queryset.filter(words).order_by().values("pk")[:CANDIDATES]
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering or ["pk"])
    return queryset.filter(Q(pk__in=pool) | starting).order_by(first, *ordering)


def exact_matches(
    kind: ChoiceKind, queryset: QuerySet[Any], text: str, *, label: Callable[[Any], str], limit: int = 50
) -> list[Model]:
    """Rows of ``queryset`` whose label (or one of its searched fields: a full
    name, an INN; or its number) equals ``text`` once folded: how a name typed
    without the script, or changed after a pick, is read.

    The candidates are the search's first ``limit`` rows, so the work is bounded.
    """
    wanted = search_key(text)
    if not wanted:
        return []
    found = []
    for obj in search(kind, queryset, text)[:limit]:
        keys = {search_key(label(obj))}
        keys.update(search_key(str(getattr(obj, name, "") or "")) for name in getattr(obj, "SEARCH_SOURCES", ()))
        if kind.number_field:
            keys.add(str(getattr(obj, kind.number_field)))
        if wanted in keys:
            found.append(obj)
    return found


@login_required
@require_GET
def choices_view(request: HttpRequest, kind: str) -> JsonResponse | HttpResponseBadRequest:
    """``{"results": [{"id", "label", "detail"}], "more": bool}`` for ``?q=``."""
    try:
        source = choice_kind(kind)
    except LookupError:
        raise Http404 from None
    query = request.GET.get("q", "")
    if len(query) > QUERY_MAX_LENGTH or "\x00" in query:
        return HttpResponseBadRequest(f"q: at most {QUERY_MAX_LENGTH} characters, no NUL")
    rows = list(search(source, source.queryset(request.user), query)[: LIMIT + 1])
    results = [
        {"id": obj.pk, "label": source.label(obj), "detail": source.detail(obj) if source.detail else ""}
        for obj in rows[:LIMIT]
    ]
    return JsonResponse({"results": results, "more": len(rows) > LIMIT})
