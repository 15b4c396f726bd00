"""A serializer's representation of ``QuerySet.values()`` rows, for long API lists.

A page of 50 rows through ``ModelSerializer`` builds 50 model instances (and
their related ones), then walks every field of every row through DRF's
attribute lookup: most of a list's time, far more than its SQL. ``ValueRows``
gives the same answer from plain ``values()`` rows: the serializer stays the
definition (its fields, their order, the published schema, the detail view),
and each value is still formatted by the serializer's own field
(``DateTimeField`` in Moscow time, ``TimeField``, ``ChoiceField``…); only the
instance and the lookup machinery are skipped.

Plain fields read the row at their source path (``activity.number`` →
``activity__number``); a related field's id is the row's foreign key value.
Method fields and nested serializers are not guessed: the caller computes
them from the row (``computed``). Tests compare a list's rows with the
serializer's output over the same records, so the two cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.relations import PrimaryKeyRelatedField
from rest_framework.request import Request
from rest_framework.response import Response

Row = Mapping[str, Any]


@dataclass(frozen=True)
class _Column:
    name: str
    key: str
    represent: Callable[[Any], Any] | None  # None: the stored value as it is (an id)


class ValueRows:
    """The rows of ``serializer_class`` read from ``values()`` rows whose keys start with ``prefix``.

    Built once per serializer (building a ``ModelSerializer``'s fields is a
    few milliseconds of model introspection), then used for every request:
    the fields' formatting does not depend on the request. ``computed`` names
    the method and nested fields, whose values ``represent`` is given as
    functions of the row; every other readable field must be a plain field or
    a primary-key relation, else the constructor refuses it (a new field must
    be mapped, not dropped).
    """

    def __init__(
        self,
        serializer_class: type[serializers.Serializer],
        *,
        prefix: str = "",
        computed: Collection[str] = (),
    ) -> None:
        self._order: list[str] = []
        self._columns: dict[str, _Column] = {}
        for field in serializer_class().fields.values():
            if field.write_only:
                continue
            name = field.field_name
            assert name is not None  # bound by serializer.fields
            self._order.append(name)
            if name in computed:
                continue
            if isinstance(field, serializers.SerializerMethodField | serializers.BaseSerializer):
                raise TypeError(f"{serializer_class.__name__}.{name}: name it in computed")
            key = prefix + "__".join(field.source_attrs)
            represent = None if isinstance(field, PrimaryKeyRelatedField) else field.to_representation
            self._columns[name] = _Column(name, key, represent)
        unknown = set(computed) - set(self._order)
        if unknown:
            raise TypeError(f"{serializer_class.__name__} has no fields {sorted(unknown)}")

    @property
    def keys(self) -> list[str]:
        """What ``values()`` must select for the plain fields."""
        return [c.key for c in self._columns.values()]

    def represent(self, row: Row, computed: Mapping[str, Callable[[Row], Any]]) -> dict[str, Any]:
        """``row`` as the serializer represents it; ``computed`` gives the computed fields."""
        out: dict[str, Any] = {}
        for name in self._order:
            column = self._columns.get(name)
            if column is None:
                out[name] = computed[name](row)
                continue
            value = row[column.key]
            out[name] = value if value is None or column.represent is None else column.represent(value)
        return out


_BUILT: dict[type[Any], ValueRows] = {}


def value_rows_of(serializer_class: type[serializers.BaseSerializer[Any]]) -> ValueRows:
    """The ``ValueRows`` of a serializer with plain fields only, built once."""
    rows = _BUILT.get(serializer_class)
    if rows is None:
        if not issubclass(serializer_class, serializers.Serializer):
            raise TypeError(f"{serializer_class.__name__} has no fields to read")
        rows = _BUILT[serializer_class] = ValueRows(serializer_class)
    return rows


def value_rows_list(view: GenericAPIView[Any], request: Request) -> Response:
    """``ListModelMixin.list`` of a view whose serializer has plain fields only,
    answered from ``values()`` rows: the same rows, filters and pagination."""
    rows = value_rows_of(view.get_serializer_class())
    queryset = view.filter_queryset(view.get_queryset()).prefetch_related(None).values(*rows.keys)
    page = view.paginate_queryset(queryset)
    answer = [rows.represent(row, {}) for row in (page if page is not None else queryset)]
    return view.get_paginated_response(answer) if page is not None else Response(answer)
