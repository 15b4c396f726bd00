"""Paging the HTML lists: numbered links for the first pages, keys past them.

``?page=1`` … ``?page=5`` are served with a small OFFSET (at most
``NUMBERED_PAGES - 1`` pages skipped). Further on, «Следующая»/«Предыдущая»
carry a signed cursor (``?after=`` / ``?before=``, ``copp.keyset``): the page
is the rows after (before) the previous page's last (first) row, one indexed
query however deep. «Последняя» reads the list backwards from its end, so the
last page of a national register needs no OFFSET scan either. The cursors also
carry the total counted on the first page and the row's position, so a deep
page shows "rows a–b of n" without a COUNT(*).

Links keep the rest of the query string (the filters). A cursor that is not
ours, or not for this list (its order changed), shows the first page with a
notice, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from copp.keyset import BadCursor, Cursor, Keyset, keyset_of

NUMBERED_PAGES = 5
AFTER = "after"
BEFORE = "before"
PAGE = "page"


M = TypeVar("M", bound=Model)


@dataclass
class KeysetPage:
    """What a list template needs of a page (Django's ``Page`` names where they exist)."""

    object_list: list[Any]
    paginator: Paginator[Any]
    start: int  # rows before this page (carried, so approximate after writes)
    number: int | None  # the page's number while numbered, None past them
    previous_url: str | None = None
    next_url: str | None = None
    first_url: str | None = None
    last_url: str | None = None
    numbered: list[tuple[int, str]] = field(default_factory=list)
    notice: str = ""
    keyset: bool = True  # tells includes/pagination.html which links to draw

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self.previous_url is not None

    def has_next(self) -> bool:
        return self.next_url is not None

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def start_index(self) -> int:
        return self.start + 1 if self.object_list else 0

    def end_index(self) -> int:
        return self.start + len(self.object_list)


class _Links:
    def __init__(self, request: HttpRequest, keyset: Keyset) -> None:
        self.query = request.GET.copy()
        for name in (PAGE, AFTER, BEFORE):
            self.query.pop(name, None)
        self.keyset = keyset

    def url(self, **params: str | int) -> str:
        query = self.query.copy()
        for name, value in params.items():
            query[name] = str(value)
        return f"?{query.urlencode()}" if query else "?"

    def cursor(self, name: str, cursor: Cursor) -> str:
        return self.url(**{name: self.keyset.encode(cursor)})


def _cursor(request: HttpRequest, keyset: Keyset) -> tuple[Cursor | None, str]:
    after, before = request.GET.get(AFTER), request.GET.get(BEFORE)
    if after is None and before is None:
        return None, ""
    try:
        if after is not None and before is not None:
            raise BadCursor("both directions")
        cursor = keyset.decode(after if after is not None else before or "")
        if cursor.backwards != (before is not None):
            raise BadCursor("the other direction")
    except BadCursor:
        return None, _("The page link is out of date or damaged; here is the first page of the list.")
    return cursor, ""


def _number(request: HttpRequest) -> tuple[int, str]:
    raw = request.GET.get(PAGE)
    if raw is None:
        return 1, ""
    raw = raw.strip()
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= NUMBERED_PAGES:
        return int(raw), ""
    return 1, _("Pages past the first %(n)s are reached with «Next»; here is the first page of the list.") % {
        "n": NUMBERED_PAGES
    }


def in_page_order(items: QuerySet[M]) -> QuerySet[M]:
    """``items`` in the total order its pages show them (its order, then ``pk``):
    an export of the list on screen reads its rows through this too."""
    return keyset_of(items).ordered(items)


class _KeysetPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator whose pages are read by their keys first (``Keyset.rows``) and whose
    total is the COUNT(*) of ``counted`` where given: the same rows as its list without
    the joins the rows show (see ``keyset_page``)."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, counted: QuerySet[Any] | None) -> None:
        super().__init__(object_list, per_page)
        self._rows = object_list
        self._counted = counted if counted is not None else object_list

    @cached_property
    def count(self) -> int:
        return self._counted.count()

    def page(self, number: int | str) -> Page[Any]:
        """Django's ``Paginator.page``, its slice read by ``Keyset.rows``."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(Keyset.rows(self._rows, top - bottom, bottom), number, self)


def keyset_page(
    request: HttpRequest, items: QuerySet[Any], per_page: int, *, counted: QuerySet[Any] | None = None
) -> KeysetPage:
    """A page of ``items``; ``counted``, where given, is what the total is counted over:
    the same rows as ``items`` without what makes a row costly to count (a list's
    annotations join tables that a COUNT(*) of 30,000 rows would walk for nothing)."""
    keyset = keyset_of(items)
    ordered = keyset.ordered(items)
    paginator: Paginator[Any] = _KeysetPaginator(ordered, per_page, counted=counted)
    links = _Links(request, keyset)
    cursor, notice = _cursor(request, keyset)
    if cursor is None:
        number, number_notice = _number(request)
        return _numbered(paginator, keyset, links, number, notice or number_notice)
    if cursor.count is not None:
        paginator.__dict__["count"] = cursor.count  # the first page's total: no COUNT(*) here
    rows, more = keyset.page(ordered, cursor, per_page)
    count = paginator.count
    if cursor.backwards:
        more_before, more_after = more, cursor.values is not None
        if cursor.values is None:
            start = count - len(rows)
        elif not more:
            start = 0
        else:
            start = (cursor.position if cursor.position is not None else count) - len(rows)
    else:
        more_before, more_after = True, more
        start = (cursor.position + 1) if cursor.position is not None else 0
    start = max(0, start)
    page = KeysetPage(rows, paginator, start, None, first_url=links.url())
    if rows:
        if more_before:
            page.previous_url = links.cursor(
                BEFORE, Cursor(keyset.values_of(rows[0]), True, count=count, position=start)
            )
        if more_after:
            last = start + len(rows) - 1
            page.next_url = links.cursor(AFTER, Cursor(keyset.values_of(rows[-1]), count=count, position=last))
    elif cursor.values is not None:  # the rows past the link went away: lead back
        page.previous_url = links.cursor(
            BEFORE, Cursor(cursor.values, True, inclusive=True, count=count, position=start)
        )
    if more_after:
        page.last_url = links.cursor(BEFORE, Cursor(None, True, count=count))
    return page


def _numbered(paginator: Paginator[Any], keyset: Keyset, links: _Links, number: int, notice: str) -> KeysetPage:
    django_page = paginator.get_page(number)  # out of range: the last page (at most NUMBERED_PAGES)
    rows = list(django_page.object_list)
    number = django_page.number
    start = django_page.start_index() - 1 if rows else 0
    count = paginator.count
    page = KeysetPage(rows, paginator, start, number, notice=notice, first_url=links.url())
    shown = min(paginator.num_pages, NUMBERED_PAGES)
    page.numbered = [(n, links.url(page=n)) for n in range(1, shown + 1)]
    if django_page.has_previous():
        page.previous_url = links.url(page=number - 1)
    if django_page.has_next():
        if number < NUMBERED_PAGES:
            page.next_url = links.url(page=number + 1)
        else:
            last = start + len(rows) - 1
            page.next_url = links.cursor(AFTER, Cursor(keyset.values_of(rows[-1]), count=count, position=last))
    if paginator.num_pages > NUMBERED_PAGES:
        page.last_url = links.cursor(BEFORE, Cursor(None, True, count=count))
    return page
