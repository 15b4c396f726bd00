"""The sections of a plan data file and who loads them: the public registry and helpers.

A plan file holds the roadmap (``plan``, ``organizations``, ``sections``: loaded by
``roadmap.plans.loader``) and sections other apps own (``indicators`` and its rules,
sources, seasons). An app that owns a section registers it in its ``AppConfig.ready()``::

    register_section_loader("indicators", validate=validate_indicator_config, load=indicators_load, order=10)

``plan_load`` then validates the whole file (every registered ``validate(data)`` returns
its errors, each naming its place) before anything is written, and inside the same
transaction calls every registered ``load(plan, data, result)`` whose section is present,
in ``order``, after the roadmap itself is written. So the roadmap loader never imports the
apps above it. ``LoadResult``, ``sync``, ``text`` and ``upsert`` are the helpers every
section loader shares (and admin or API code that writes the same records).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from roadmap.models import Plan


@dataclass
class LoadResult:
    counts: Counter[str] = field(default_factory=Counter)
    flagged_deadlines: list[str] = field(default_factory=list)
    # Rules of the plan its own planned values break, as sentences (loaded as written).
    warnings: list[str] = field(default_factory=list)

    def note(self, kind: str, outcome: str) -> None:
        self.counts[f"{kind}:{outcome}"] += 1

    @property
    def changed(self) -> bool:
        return any(n for key, n in self.counts.items() if not key.endswith(":unchanged"))

    def summary(self) -> str:
        kinds: dict[str, dict[str, int]] = {}
        for key, n in sorted(self.counts.items()):
            kind, outcome = key.split(":")
            kinds.setdefault(kind, {})[outcome] = n
        return "; ".join(
            f"{kind}: " + ", ".join(f"{outcome} {n}" for outcome, n in outcomes.items())
            for kind, outcomes in kinds.items()
        )


@dataclass(frozen=True)
class SectionLoader:
    """What an app registered for a section of the plan file."""

    name: str
    validate: Callable[[dict[str, Any]], list[str]] | None
    load: Callable[[Plan, dict[str, Any], LoadResult], None] | None
    order: int


_LOADERS: dict[str, SectionLoader] = {}


def register_section_loader(
    name: str,
    *,
    validate: Callable[[dict[str, Any]], list[str]] | None = None,
    load: Callable[[Plan, dict[str, Any], LoadResult], None] | None = None,
    order: int = 100,
) -> None:
    """Register the loader of the top-level section ``name``; registering a name again replaces it
    (``ready()`` may run twice in tests)."""
    _LOADERS[name] = SectionLoader(name, validate, load, order)


def section_loaders() -> list[SectionLoader]:
    """The registered section loaders in their order."""
    return sorted(_LOADERS.values(), key=lambda s: (s.order, s.name))


# Called with (plan=, result=, now=) right after a file's plan record is written, before its
# organisations and sections: roadmap.events recomputes its open events' due moments here.
_PLAN_WRITTEN: list[Callable[..., None]] = []


def register_plan_written(hook: Callable[..., None]) -> None:
    """Call ``hook(plan=..., result=..., now=...)`` each time ``plan_load`` writes a plan."""
    if hook not in _PLAN_WRITTEN:
        _PLAN_WRITTEN.append(hook)


def plan_written_hooks() -> list[Callable[..., None]]:
    return list(_PLAN_WRITTEN)


def text(value: Any) -> str:
    """A value of the file as stripped text; None is empty."""
    return "" if value is None else str(value).strip()


def sync(instance: Any, values: dict[str, Any]) -> bool:
    """Set changed fields on an instance; return whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def upsert(model: Any, result: LoadResult, kind: str, lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """The record matched by ``lookup``, created or updated to ``values``; the outcome is noted in ``result``."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model.objects.create(**lookup, **values)
        result.note(kind, "created")
    elif sync(instance, values):
        instance.save()
        result.note(kind, "updated")
    else:
        result.note(kind, "unchanged")
    return instance
