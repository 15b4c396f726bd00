"""The API's pagination: ``next``/``previous`` are keyset cursors; ``?limit=&offset=``
still work, with caps, and nonsense is a 400.

A client that follows ``next`` never makes the database walk an OFFSET: each
page is the rows after the previous page's last row (``copp.keyset``). The
response keeps its shape, ``{count, next, previous, results}``.

``count`` is counted on the page a walk starts from (no ``cursor``) and carried,
signed, in the cursors, so the pages after it cost no COUNT(*) over millions of
rows: within one walk it is the total as it stood when the walk began.

Kept apart from ``copp.rest``: DRF imports the pagination class while its
``generics`` module is still loading, so this module imports no views.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from copp.keyset import BadCursor, Cursor, Keyset, keyset_of
from roadmap.events.limits import MAX_PAGE_LIMIT

# The deepest ``?offset=`` served: beyond it the database would walk and drop
# more rows than any page is worth. Clients page further by following ``next``.
MAX_PAGE_OFFSET = 10_000


class KeysetPagination(LimitOffsetPagination):
    """``?cursor=`` from the ``next``/``previous`` links, or ``?limit=&offset=``.

    Unlike DRF's own classes, ``limit=abc`` or ``offset=-5`` are refused (400),
    not silently replaced with the defaults; a ``limit`` above ``MAX_PAGE_LIMIT``
    is capped, as DRF documents ``max_limit``. A cursor that is not one of ours,
    or not for this list, is a 400 too.
    """

    max_limit = MAX_PAGE_LIMIT
    cursor_query_param = "cursor"
    template = "rest_framework/pagination/previous_and_next.html"

    keyset: Keyset | None = None
    next_cursor: Cursor | None = None
    previous_cursor: Cursor | None = None
    previous_offset: int | None = None

    def _param(self, request: Request, name: str, *, minimum: int, maximum: int | None) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        raw = raw.strip()
        # isdigit() also takes "²" and other Unicode digits that int() refuses
        if not (raw.isascii() and raw.isdigit()) or int(raw) < minimum:
            raise ValidationError({name: [_("A whole number not less than %(min)s.") % {"min": minimum}]})
        value = int(raw)
        if maximum is not None and value > maximum:
            raise ValidationError({name: [_("Not more than %(max)s.") % {"max": maximum}]})
        return value

    def get_limit(self, request: Request) -> int | None:
        limit = self._param(request, self.limit_query_param, minimum=1, maximum=None)
        if limit is None:
            return self.default_limit
        return min(limit, self.max_limit)

    def get_offset(self, request: Request) -> int:
        raw = request.query_params.get(self.offset_query_param, "").strip()
        if raw.isascii() and raw.isdigit() and int(raw) > MAX_PAGE_OFFSET:
            raise ValidationError(
                {
                    self.offset_query_param: [
                        _(
                            "An offset above %(max)s is not served: follow the “next” link of the previous page "
                            "(a cursor) instead."
                        )
                        % {"max": MAX_PAGE_OFFSET}
                    ]
                }
            )
        return self._param(request, self.offset_query_param, minimum=0, maximum=MAX_PAGE_OFFSET) or 0

    def _cursor(self, request: Request, keyset: Keyset) -> Cursor | None:
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return None
        if self.offset_query_param in request.query_params:
            raise ValidationError({self.cursor_query_param: [_("Give either a cursor or an offset, not both.")]})
        try:
            return keyset.decode(token)
        except BadCursor:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        _(
                            "Not a cursor of this list: use the “next” and “previous” links as given, "
                            "or start again from the first page."
                        )
                    ]
                }
            ) from None

    @staticmethod
    def _lean(view: Any) -> QuerySet[Any] | None:
        """``view.get_count_queryset()`` where the view gives one: the list's rows without
        the joins its rows show (they cost a COUNT(*) or an OFFSET dearly)."""
        counted = getattr(view, "get_count_queryset", None)
        return counted() if counted is not None else None

    def _count(self, ordered: QuerySet[Any], view: Any) -> int:
        """The list's total: of the view's lean rows (``_lean``) where it has them, else of the list."""
        lean = self._lean(view)
        return int((lean if lean is not None else ordered).count())

    def _page_at(self, ordered: QuerySet[Any], keyset: Keyset, view: Any) -> tuple[list[Any], bool]:
        """The rows at ``self.offset`` and whether more follow. Past the first row, the
        key of the row at the offset is found among the view's lean rows (``_lean``) and
        the page is read from that key: two queries, where an OFFSET of whole rows
        fetched and joined every row it skipped."""
        assert self.limit is not None
        if not self.offset:
            rows = keyset.rows(ordered, self.limit + 1)
            return rows[: self.limit], len(rows) > self.limit
        lean = self._lean(view)
        start = keyset.key_at(keyset.ordered(lean) if lean is not None else ordered, self.offset)
        if start is None:
            return [], False
        return keyset.page(ordered, Cursor(start, inclusive=True), self.limit)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        if not isinstance(queryset, QuerySet):  # a list in memory: plain offsets cost nothing
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.keyset = keyset = keyset_of(queryset)
        ordered = keyset.ordered(queryset)
        cursor = self._cursor(request, keyset)
        self.next_cursor = self.previous_cursor = self.previous_offset = None
        if cursor is None:
            self.offset = self.get_offset(request)
            self.count = self._count(ordered, view)
            rows, more_after = self._page_at(ordered, keyset, view)
            more_before = self.offset > 0
            if more_before and not rows:  # an offset past the end: back to the last rows
                self.previous_offset = max(0, min(self.offset, self.count) - self.limit)
        else:
            self.offset = 0
            self.count = cursor.count if cursor.count is not None else self._count(ordered, view)
            rows, more = keyset.page(ordered, cursor, self.limit)
            more_after, more_before = (True, more) if cursor.backwards else (more, True)
        if rows:
            if more_after:
                self.next_cursor = Cursor(keyset.values_of(rows[-1]), count=self.count)
            if more_before:
                self.previous_cursor = Cursor(keyset.values_of(rows[0]), backwards=True, count=self.count)
        elif cursor is not None and cursor.values is not None:
            # Every row past the cursor went away since the link was made: lead back
            # to the reference row and what lies before it.
            self.previous_cursor = Cursor(cursor.values, backwards=True, inclusive=True, count=self.count)
        self.display_page_controls = bool(self.next_cursor or self.previous_cursor or self.previous_offset)
        return rows

    def _url(self) -> str:
        assert self.request is not None  # set by paginate_queryset
        return self.request.build_absolute_uri()

    def _link(self, cursor: Cursor | None) -> str | None:
        if cursor is None or self.keyset is None:
            return None
        url = self._url()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        url = remove_query_param(url, self.offset_query_param)
        return replace_query_param(url, self.cursor_query_param, self.keyset.encode(cursor))

    def get_next_link(self) -> str | None:
        if self.keyset is None:
            return super().get_next_link()  # type: ignore[no-any-return]
        return self._link(self.next_cursor)

    def get_previous_link(self) -> str | None:
        if self.keyset is None:
            return super().get_previous_link()  # type: ignore[no-any-return]
        if self.previous_offset is not None:
            url = replace_query_param(self._url(), self.limit_query_param, self.limit)
            return replace_query_param(url, self.offset_query_param, self.previous_offset)
        return self._link(self.previous_cursor)

    def get_html_context(self) -> Any:
        """The browsable API's links: previous and next only (no page numbers to jump to)."""
        return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link(), "page_links": []}

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = super().get_paginated_response_schema(schema)
        props = response["properties"]
        props["count"]["description"] = (
            "Rows in the list. Counted on the first page of a walk and carried in its cursors."
        )
        props["next"]["example"] = f"http://api.example.org/accounts/?{self.cursor_query_param}=eyJ2Ijp…&limit=100"
        props["previous"]["example"] = f"http://api.example.org/accounts/?{self.cursor_query_param}=eyJ2Ijp…&limit=100"
        return response

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.limit_query_param:
                param["schema"].update({"minimum": 1})
                param["description"] = f"Rows per page; at most {self.max_limit} are returned."
            elif param["name"] == self.offset_query_param:
                param["schema"].update({"minimum": 0, "maximum": MAX_PAGE_OFFSET})
                param["description"] = (
                    f"Rows to skip, at most {MAX_PAGE_OFFSET}; page deeper by following `next`. "
                    "Not together with `cursor`."
                )
        params.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "An opaque position from the `next` or `previous` link of a page; "
                "a cursor not made for this list answers 400.",
                "schema": {"type": "string"},
            }
        )
        return params
