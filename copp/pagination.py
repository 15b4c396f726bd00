"""The API's pagination: ``?limit=&offset=`` with a cap, and a 400 for nonsense.

Kept apart from ``copp.rest``: DRF imports the pagination class while its
``generics`` module is still loading, so this module imports no views.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from roadmap.events.limits import MAX_PAGE_LIMIT

# An offset beyond every table we hold; larger ones are typos or probes.
MAX_PAGE_OFFSET = 2**31 - 1


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """``?limit=&offset=`` that refuse what is not a number instead of guessing.

    DRF's own class silently replaces ``limit=abc`` or ``offset=-5`` with the
    defaults; a client sending those has a bug it should hear about (400). A
    ``limit`` above ``MAX_PAGE_LIMIT`` is capped, as DRF documents ``max_limit``.
    """

    max_limit = MAX_PAGE_LIMIT

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
        return self._param(request, self.offset_query_param, minimum=0, maximum=MAX_PAGE_OFFSET) or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.limit_query_param:
                param["schema"].update({"minimum": 1})
                param["description"] = f"Rows per page; at most {self.max_limit} are returned."
            elif param["name"] == self.offset_query_param:
                param["schema"].update({"minimum": 0, "maximum": MAX_PAGE_OFFSET})
        return params
