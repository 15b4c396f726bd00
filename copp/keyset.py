"""Keyset ("seek") paging over a queryset's own order, shared by the API and the pages.

A page after row R is "the rows that sort after R", found with a WHERE on R's
ordering key values, so a deep page costs what the first one does; an OFFSET
makes the database walk and drop every row before the page.

The order is made total by appending ``pk`` (unless it is there already).
NULL sorts as the largest value, PostgreSQL's own rule: ascending keys put
NULLs last, descending ones first. The order is applied explicitly (``NULLS
LAST``/``NULLS FIRST``) on nullable keys only, so SQLite and PostgreSQL list
the same rows in the same order and non-null keys keep a plain ORDER BY that
an index serves.

A cursor names the reference row by its key values, signed (``django.core.signing``,
salted with the list's keys) so a client can neither forge one nor carry one to a
list ordered otherwise; any bad token is a ``BadCursor``, which the doors answer
with a 400 (the API) or the first page (the HTML lists).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db.models import F, Field, Model, OrderBy, Q, QuerySet
from django.db.models.query import ModelIterable

M = TypeVar("M", bound=Model)

# A token longer than this was not made here (a long title as a key compresses well below it).
MAX_CURSOR_LENGTH = 8_000
_SALT = "copp.keyset"
_NOTHING = Q(pk__in=[])


class BadCursor(ValueError):
    """A cursor that is not one of ours, or not for this list."""


class UnsupportedOrdering(ImproperlyConfigured):
    """A list ordered by something a key cannot follow (a random order, a
    multi-valued relation, a raw expression): a programming error."""


@dataclass(frozen=True)
class Key:
    """One column of the order: the ORM path, its direction, whether it can be NULL,
    the field that parses a cursor value, and the attribute of a fetched row holding it."""

    path: str
    descending: bool
    nullable: bool
    field: Any
    attr: str

    @property
    def annotated(self) -> bool:
        return self.attr != self.path or "__" in self.path

    def order_by(self) -> OrderBy | str:
        if not self.nullable:
            return f"-{self.path}" if self.descending else self.path
        if self.descending:
            return F(self.path).desc(nulls_first=True)
        return F(self.path).asc(nulls_last=True)

    def flipped(self) -> Key:
        return replace(self, descending=not self.descending)


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (or, ``backwards``, before) the row with ``values``.

    ``values`` None is the end of the list (its last page, read backwards).
    ``inclusive`` takes the reference row itself too (it leads back to a page
    that came up empty). ``count`` carries the total the first page counted and
    ``position`` the reference row's index, for "rows a–b of n" without a COUNT.
    """

    values: tuple[Any, ...] | None
    backwards: bool = False
    inclusive: bool = False
    count: int | None = None
    position: int | None = None


def by_keys(query: QuerySet[M], keys: list[Any]) -> list[M]:
    """The rows of ``query`` with these primary keys, in the order of ``keys``.

    Rows of a plain query (model instances, no annotations, extra or deferred
    fields) are read by their keys alone, with the query's ``select_related`` and
    ``prefetch_related``: its filters, which chose the keys, would only let the
    planner start from them again (SQLite walked a year of an activity's events to
    find 50 reports it was given the keys of: 8.7 ms, against 3.2 ms by key).
    Any other query is filtered by the keys as it is.
    """
    sql = query.query
    plain = (
        query._iterable_class is ModelIterable  # values() rows: filtered as they are
        and not sql.annotations
        and not sql.extra
        and not sql.extra_tables
        and not sql.combinator
        and sql.deferred_loading == (frozenset(), True)
    )
    if not plain:
        return list(query.filter(pk__in=keys))
    rows = query.model._base_manager.filter(pk__in=keys)
    related = sql.select_related
    if related is True:
        rows = rows.select_related()
    elif related:
        rows = rows.select_related(*_paths(related))
    rows = rows.prefetch_related(*getattr(query, "_prefetch_related_lookups", ()))
    position = {key: i for i, key in enumerate(keys)}
    return sorted(rows.order_by(), key=lambda row: position[row.pk])


def _paths(tree: dict[str, Any], prefix: str = "") -> list[str]:
    """``select_related`` paths of a query's nested ``select_related`` dict."""
    paths: list[str] = []
    for name, below in tree.items():
        paths += _paths(below, f"{prefix}{name}__") if below else [f"{prefix}{name}"]
    return paths


@dataclass(frozen=True)
class Keyset:
    model: type[Model]
    keys: tuple[Key, ...]

    @property
    def fingerprint(self) -> str:
        return ",".join(("-" if k.descending else "") + k.path for k in self.keys)

    def ordered(self, queryset: QuerySet[M]) -> QuerySet[M]:
        """``queryset`` in the keyset's total order, with the related key values annotated."""
        if not queryset.query.standard_ordering:  # a .reverse() is folded into the keys
            queryset = queryset.reverse()
        extra = {k.attr: F(k.path) for k in self.keys if k.annotated}
        if extra:
            queryset = queryset.annotate(**extra)
        return queryset.order_by(*(k.order_by() for k in self.keys))

    def reversed(self, queryset: QuerySet[M]) -> QuerySet[M]:
        """An ``ordered`` queryset the other way round (to read a page backwards)."""
        return queryset.order_by(*(k.flipped().order_by() for k in self.keys))

    def values_of(self, row: Any) -> tuple[Any, ...]:
        """The key of ``row``: a model instance, or a ``values()`` row holding the keys' attributes."""
        if isinstance(row, dict):
            return tuple(row[k.attr] for k in self.keys)
        return tuple(getattr(row, k.attr) for k in self.keys)

    def after(self, values: Sequence[Any], *, inclusive: bool = False) -> Q:
        """Rows that sort after ``values`` (or at them, ``inclusive``)."""
        return _after(self.keys, values, inclusive=inclusive)

    def before(self, values: Sequence[Any], *, inclusive: bool = False) -> Q:
        return _after(tuple(k.flipped() for k in self.keys), values, inclusive=inclusive)

    def key_at(self, ordered: QuerySet[Any], offset: int) -> tuple[Any, ...] | None:
        """The key of the row at ``offset`` of an ``ordered`` queryset (None past its end),
        reading the key columns alone: the rows skipped are neither fetched nor joined
        for what a row shows, which an ``OFFSET`` of whole rows would do."""
        found = list(ordered.values_list(*(k.path for k in self.keys))[offset : offset + 1])
        return tuple(found[0]) if found else None

    @staticmethod
    def rows(query: QuerySet[M], size: int, offset: int = 0) -> list[M]:
        """Rows ``offset`` to ``offset + size`` of an ordered ``query``, found by their
        primary keys first: the filter and the order are planned over a narrow row
        (SQLite chose to scan every activity for 50 wide rows of a region's overdue
        events: 47 ms, against 1 ms for their keys), and the rows themselves, with
        everything they join, are read by primary key, in the same order (:func:`by_keys`)."""
        keys = list(query.values_list("pk", flat=True)[offset : offset + size])
        return by_keys(query, keys) if keys else []

    def page(self, ordered: QuerySet[M], cursor: Cursor, size: int) -> tuple[list[M], bool]:
        """The ``size`` rows the cursor leads to, in the list's order, and whether
        more lie beyond them (after them, or before them when reading backwards).
        ``size + 1`` rows are fetched (``rows``: their keys, then the rows) to see past the page."""
        if cursor.backwards:
            query = self.reversed(ordered)
            if cursor.values is not None:
                query = query.filter(self.before(cursor.values, inclusive=cursor.inclusive))
        else:
            if cursor.values is None:
                raise BadCursor("the end of a list has nothing after it")
            query = ordered.filter(self.after(cursor.values, inclusive=cursor.inclusive))
        rows = self.rows(query, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        if cursor.backwards:
            rows.reverse()
        return rows, more

    # --- tokens ---------------------------------------------------------------------------

    def encode(self, cursor: Cursor) -> str:
        payload: dict[str, Any] = {"v": None if cursor.values is None else [_plain(v) for v in cursor.values]}
        if cursor.backwards:
            payload["b"] = 1
        if cursor.inclusive:
            payload["i"] = 1
        if cursor.count is not None:
            payload["c"] = cursor.count
        if cursor.position is not None:
            payload["p"] = cursor.position
        return signing.dumps(payload, salt=self._salt, compress=True)

    def decode(self, token: str) -> Cursor:
        """The cursor a token names; ``BadCursor`` for anything else."""
        if not token or len(token) > MAX_CURSOR_LENGTH:
            raise BadCursor("empty or too long")
        try:
            payload = signing.loads(token, salt=self._salt)
        except (signing.BadSignature, ValueError, TypeError, OverflowError) as exc:
            raise BadCursor("not signed here, or for another list") from exc
        if not isinstance(payload, dict):
            raise BadCursor("not a cursor")
        raw = payload.get("v")
        values: tuple[Any, ...] | None = None
        if raw is not None:
            if not isinstance(raw, list) or len(raw) != len(self.keys):
                raise BadCursor("keys of another order")
            values = tuple(_parse(key, v) for key, v in zip(self.keys, raw, strict=True))
        backwards = payload.get("b") == 1
        if values is None and not backwards:
            raise BadCursor("the end of a list has nothing after it")
        return Cursor(
            values,
            backwards=backwards,
            inclusive=payload.get("i") == 1,
            count=_count(payload.get("c")),
            position=_count(payload.get("p")),
        )

    @property
    def _salt(self) -> str:
        return f"{_SALT}:{self.model._meta.label_lower}:{self.fingerprint}"


def keyset_of(queryset: QuerySet[Any]) -> Keyset:
    """The keys of ``queryset``'s order (its ``order_by``, else the model's
    ``Meta.ordering``), ending with ``pk``. ``UnsupportedOrdering`` when the order
    is not a list of fields."""
    query = queryset.query
    model = queryset.model
    terms: list[Any] = list(query.order_by) if query.order_by else []
    if not terms and query.default_ordering:
        terms = list(model._meta.ordering)
    keys: list[Key] = []
    for term in terms:
        path, descending = _term(term)
        if not query.standard_ordering:
            descending = not descending
        for key in _expand(queryset, model, path, descending, set()):
            if all(k.path != key.path for k in keys):
                keys.append(key)
    pk_path = model._meta.pk.attname if model._meta.pk is not None else "pk"
    cut = next((i for i, k in enumerate(keys) if k.path in ("pk", pk_path)), None)
    if cut is not None:
        keys = keys[: cut + 1]
    else:
        descending = keys[-1].descending if keys else False
        keys.append(_pk_key(model, descending))
    annotated = [
        replace(k, attr=f"keyset_{i}") if "__" in k.path else k for i, k in enumerate(keys)
    ]  # related values are read from annotations: no query per row
    return Keyset(model, tuple(annotated))


# --- ordering terms --------------------------------------------------------------------------


def _term(term: Any) -> tuple[str, bool]:
    if isinstance(term, str):
        if term == "?" or "." in term:
            raise UnsupportedOrdering(f"cannot page on keys in the order {term!r}")
        return (term[1:], True) if term.startswith("-") else (term.lstrip("+"), False)
    if isinstance(term, OrderBy) and isinstance(term.expression, F):
        return term.expression.name, term.descending
    if isinstance(term, F):
        return term.name, False
    raise UnsupportedOrdering(f"cannot page on keys in the order {term!r}")


def _pk_key(model: type[Model], descending: bool) -> Key:
    pk = model._meta.pk
    assert pk is not None
    return Key(path="pk", descending=descending, nullable=False, field=pk, attr="pk")


def _expand(queryset: QuerySet[Any], model: type[Model], path: str, descending: bool, seen: set[str]) -> list[Key]:
    """``path`` as keys, following Django's own rule: ordering by a relation orders
    by the related model's ``Meta.ordering``, else by its primary key."""
    if path in seen:
        raise UnsupportedOrdering(f"the ordering loops through {path!r}")
    seen = seen | {path}
    annotation = queryset.query.annotations.get(path)
    if annotation is not None:
        return [Key(path, descending, nullable=True, field=annotation.output_field, attr=path)]
    if path == "pk":
        return [_pk_key(model, descending)]
    pieces = path.split("__")
    opts = model._meta
    nullable = False
    for index, name in enumerate(pieces):
        last = index == len(pieces) - 1
        try:
            field: Any = opts.pk if name == "pk" else opts.get_field(name)
        except FieldDoesNotExist as exc:  # a transform such as end_date__year
            raise UnsupportedOrdering(f"cannot page on keys in the order {path!r}") from exc
        assert field is not None
        if not field.is_relation:
            if not last:
                raise UnsupportedOrdering(f"cannot page on keys in the order {path!r}")
            return [Key(path, descending, nullable or bool(field.null), field, _attr_of(path, field))]
        if field.many_to_many or field.one_to_many:
            raise UnsupportedOrdering(f"{path!r} is many rows per row: it cannot order a page")
        nullable = nullable or bool(getattr(field, "null", False)) or not field.concrete
        related = field.related_model
        assert related is not None and not isinstance(related, str)
        is_column = name == getattr(field, "attname", None)  # "organizer_id": the column itself
        if last:
            target = getattr(field, "target_field", related._meta.pk)
            if is_column:
                return [Key(path, descending, nullable, target, field.attname)]
            if related._meta.ordering:
                keys: list[Key] = []
                for term in related._meta.ordering:
                    sub, sub_desc = _term(term)
                    sub_keys = _expand(queryset, related, sub, sub_desc != descending, seen)
                    keys.extend(replace(k, path=f"{path}__{k.path}", nullable=k.nullable or nullable) for k in sub_keys)
                return keys
            if len(pieces) == 1 and field.concrete:
                return [Key(field.attname, descending, nullable, target, field.attname)]
            return [Key(f"{path}__pk", descending, nullable, related._meta.pk, f"{path}__pk")]
        if is_column:
            raise UnsupportedOrdering(f"cannot page on keys in the order {path!r}")
        opts = related._meta
    raise UnsupportedOrdering(f"cannot page on keys in the order {path!r}")  # pragma: no cover


def _attr_of(path: str, field: Field[Any, Any]) -> str:
    if path == "pk":
        return "pk"
    return field.attname if "__" not in path else path


# --- conditions ------------------------------------------------------------------------------


def _equal(key: Key, value: Any) -> Q:
    return Q(**{f"{key.path}__isnull": True}) if value is None else Q(**{key.path: value})


def _beyond(key: Key, value: Any) -> Q | None:
    """Rows strictly past ``value`` on this key alone (NULL is the largest value)."""
    if key.descending:
        return Q(**{f"{key.path}__isnull": False}) if value is None else Q(**{f"{key.path}__lt": value})
    if value is None:
        return None  # nothing is larger than NULL
    past = Q(**{f"{key.path}__gt": value})
    return past | Q(**{f"{key.path}__isnull": True}) if key.nullable else past


def _seek(key: Key, value: Any) -> Q | None:
    """The first key at or past ``value``: redundant with the full condition, but a
    plain range on the leading column, which lets the database seek in its index
    instead of filtering rows from the start."""
    if key.descending:
        return None if value is None else Q(**{f"{key.path}__lte": value})
    if value is None:
        return Q(**{f"{key.path}__isnull": True})
    at = Q(**{f"{key.path}__gte": value})
    return at | Q(**{f"{key.path}__isnull": True}) if key.nullable else at


def _after(keys: Sequence[Key], values: Sequence[Any], *, inclusive: bool) -> Q:
    """(k1, k2, …) past (v1, v2, …) in the keys' directions, spelled out term by
    term since directions may differ: k1 past v1, or k1 = v1 and k2 past v2, …"""
    if len(values) != len(keys):
        raise BadCursor("keys of another order")
    result: Q | None = None
    same = Q()
    for key, value in zip(keys, values, strict=True):
        past = _beyond(key, value)
        if past is not None:
            result = same & past if result is None else result | (same & past)
        same &= _equal(key, value)
    if inclusive:
        result = same if result is None else result | same
    if result is None:
        return _NOTHING
    seek = _seek(keys[0], values[0])
    return result if seek is None else seek & result


# --- values in tokens ------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A key value as JSON: exact (every microsecond of a datetime kept, unlike
    DjangoJSONEncoder), parsed back by the key's field."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise UnsupportedOrdering(f"a key value of type {type(value).__name__} cannot go into a cursor")


def _parse(key: Key, value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, (bool, int, float, str)):
        raise BadCursor("not a key value")
    try:
        return key.field.to_python(value)
    except (ValidationError, TypeError, ValueError, OverflowError) as exc:
        raise BadCursor("not a key value") from exc


def _count(value: Any) -> int | None:
    if value is None:
        return None
    if type(value) is not int or value < 0:
        raise BadCursor("not a count")
    return value
