"""The xlsx templates of the imports, with drop-down lists from the current data.

A template has the kind's columns (required ones marked with *), a hint on
each header cell, an example row and a sheet of explanations. Columns that
take a value from a list (activity numbers, organisations, municipalities,
formats, categories...) offer it as a drop-down, read from the database when
the template is downloaded and kept on a hidden, protected sheet
(«Справочники»): a list typed into the validation itself is limited to 255
characters. The lists are the user's: a coordinator is offered only their own
organisation where only it may be named.

Every value offered is one the import reads back as the same record (a
short name shared by two organisations is offered by its code instead). A
list is *strict* when it is the whole vocabulary (formats, municipalities):
Excel refuses anything else. It only warns where other values are valid too:
an organisation's code, the number of an activity of an archived plan.

The header row is locked (sheet protection without a password: it stops
slips, not people); the cells under it stay editable.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from indicators.models import Indicator, ProgrammeCategory
from indicators.permissions import actual_organization_choices
from indicators.selectors import is_derived_total
from reports.importing import normalise
from reports.models import ImportKind
from reports.resources import FORM_WORDS, FORMAT_WORDS, KIND_WORDS, ImportResource, OrganizationIndex, resource_for
from reports.writer import DropDown, PlainSheet, write_plain
from reports.xlsx_reader import MAX_ROWS
from roadmap.accounts.permissions import event_organizer_choices, in_users_region, region_municipalities
from roadmap.events.participants import CATEGORY_WORDS
from roadmap.models import Activity, Organization

# Rows of the data sheet that carry the drop-downs: every row an import reads.
TEMPLATE_ROWS = MAX_ROWS
# The sheets are named in Russian whatever the language, like the columns:
# formulas of the drop-downs refer to the lists sheet by its name.
DATA_SHEET = "Данные"
NOTES_SHEET = "Пояснения"
LISTS_SHEET = "Справочники"


@dataclass(frozen=True)
class ChoiceList:
    """The values a column offers, and how firmly."""

    values: list[Any]
    # Shown next to the values on the lists sheet (e.g. an activity's name).
    labels: list[str] = field(default_factory=list)
    # True: the whole vocabulary, nothing else is accepted by the import.
    strict: bool = True


def _words(candidates: list[str], accepted: dict[str, Any]) -> ChoiceList:
    """The canonical words of a vocabulary, as long as the import reads them."""
    return ChoiceList([w for w in candidates if normalise(w) in accepted])


def _organisations(query: QuerySet[Organization]) -> ChoiceList:
    """Organisations by a name that finds exactly one, else by code; strict=False: codes work too."""
    index = OrganizationIndex()
    values, labels = [], []
    for org in query.order_by("short_name"):
        if index.by_name.get(normalise(org.short_name)) == {org.pk}:
            values.append(org.short_name)
        elif org.key:
            values.append(org.key)
        else:
            continue  # neither its name nor a code finds it: it cannot be named in a file
        labels.append(org.name)
    return ChoiceList(values, labels, strict=False)


def _everyone(user: Any) -> QuerySet[Organization]:
    """Reference data: every active organisation of the user's region (a partner may be any of them)."""
    return in_users_region(user, Organization.objects.filter(is_active=True, is_group=False))


def _activities(resource: ImportResource) -> ChoiceList:
    """The current plan's activity numbers; another plan's are valid too (strict=False)."""
    if resource.plan is None:
        return ChoiceList([])
    rows = Activity.objects.filter(plan=resource.plan).order_by("number").values_list("number", "name")
    return ChoiceList([n for n, _name in rows], [name for _n, name in rows], strict=False)


def _municipalities(user: Any) -> ChoiceList:
    return ChoiceList(list(region_municipalities(user).values_list("name", flat=True)))


def _indicators(resource: ImportResource) -> ChoiceList:
    """Codes of the current plan's indicators that take typed values (not the sums of rows)."""
    if resource.plan is None:
        return ChoiceList([])
    query = Indicator.objects.filter(indicator_set__plan=resource.plan).select_related("source")
    typed = [i for i in query.order_by("order", "pk") if not is_derived_total(i)]
    return ChoiceList([i.code for i in typed], [i.name for i in typed], strict=False)


def _programme_categories(resource: ImportResource) -> ChoiceList:
    names = ProgrammeCategory.objects.filter(indicator_set__plan=resource.plan).values_list("name", flat=True)
    return ChoiceList(list(names))


PERIODS = ["q1", "q2", "q3", "q4", *(f"m{m:02d}" for m in range(1, 13))]

Lists = Callable[[ImportResource, Any], ChoiceList]

# Per kind: column key -> the list it offers (the resource and the user who downloads it).
LISTS: dict[str, dict[str, Lists]] = {
    ImportKind.ORGANIZATIONS: {
        "kind": lambda r, u: _words(["министерство", "ЦОПП", "колледж", "школа", "работодатель", "другое"], KIND_WORDS),
        "municipality": lambda r, u: _municipalities(u),
    },
    ImportKind.EVENTS: {
        "activity": lambda r, u: _activities(r),
        "organizer": lambda r, u: _organisations(event_organizer_choices(u)),
        "municipality": lambda r, u: _municipalities(u),
        "format": lambda r, u: _words(["очно", "онлайн", "смешанный"], FORMAT_WORDS),
    },
    ImportKind.ACTUALS: {
        "indicator": lambda r, u: _indicators(r),
        "period": lambda r, u: ChoiceList(PERIODS),
        "organization": lambda r, u: _organisations(actual_organization_choices(u)),
    },
    ImportKind.AGREEMENTS: {
        "partner": lambda r, u: _organisations(_everyone(u)),
        # The holder: whoever the user acts for (can_edit_registry_record), as for values.
        "organization": lambda r, u: _organisations(actual_organization_choices(u)),
        "activity": lambda r, u: _activities(r),
    },
    ImportKind.PROGRAMMES: {
        "category": lambda r, u: _programme_categories(r),
        "developer": lambda r, u: _organisations(actual_organization_choices(u)),
        "form": lambda r, u: _words(["очная", "очно-заочная", "заочная", "дистанционная"], FORM_WORDS),
    },
    ImportKind.EVENT_PARTICIPANTS: {
        "category": lambda r, u: ChoiceList(
            [w for w in ["школьник", "студент", "взрослый", "50+"] if w in CATEGORY_WORDS]
        ),
    },
}


def _example(key: str, example: Any, choices: ChoiceList | None) -> Any:
    """The example of a column, or a value of its list when the example is not one the user may use
    (a coordinator's only organisation, a municipality the database does not have)."""
    if choices is None or example in (None, "") or example in choices.values:
        return example
    if len(choices.values) == 1 or choices.strict:
        return choices.values[0]
    return example


def template_lists(resource: ImportResource, user: Any) -> dict[str, ChoiceList]:
    """The drop-down lists of a kind's template for this user, by column key (empty lists left out)."""
    found = {key: make(resource, user) for key, make in LISTS.get(resource.kind, {}).items()}
    return {key: choices for key, choices in found.items() if choices.values}


def import_template(*, kind: str, user: Any) -> bytes:
    """An xlsx template of an import: the expected columns, hints, an example row and drop-down lists.

    Written by the reports' writer (``reports.writer.write_plain``): the same
    text safety, dd.mm.yyyy dates and fonts as the reports.
    """
    resource = resource_for(kind)
    columns = resource.columns
    lists = template_lists(resource, user)
    list_header: list[str] = []
    list_columns: list[list[Any]] = []
    list_widths: list[float] = []
    drop_downs = []
    for index, col in enumerate(columns):
        choices = lists.get(col.key)
        if choices is None:
            continue
        drop_downs.append(
            DropDown(
                column=index,
                sheet=LISTS_SHEET,
                list_column=len(list_columns),
                length=len(choices.values),
                strict=choices.strict,
                error_title=col.header,
                error_message=(
                    _("Choose a value from the list.")
                    if choices.strict
                    else _("This value is not in the list. Keep it only if it is a code or a number the import knows.")
                ),
            )
        )
        list_header.append(col.header)
        list_columns.append(choices.values)
        list_widths.append(32)
        if choices.labels:
            list_header.append("")
            list_columns.append(choices.labels)
            list_widths.append(60)
    hints = []
    for col in columns:
        hint = col.help or ""
        if col.required:
            hint = ("Обязательный столбец. " + hint).strip()
        if col.key in lists:
            hint = (hint + " " + _("Choose from the list in the cell.")).strip()
        hints.append(hint)
    data = PlainSheet(
        title=DATA_SHEET,
        header=[col.header + ("*" if col.required else "") for col in columns],
        rows=[[_example(col.key, col.example, lists.get(col.key)) for col in columns]],
        widths=[max(14, min(45, len(col.header) + 4)) for col in columns],
        comments=hints,
        comment_author="ЦОПП",
        drop_downs=drop_downs,
        data_rows=TEMPLATE_ROWS,
        lock_header=True,
    )
    notes = PlainSheet(
        title=NOTES_SHEET,
        header=["Столбец", "Обязательный", "Пояснение"],
        rows=[
            *([col.header, "да" if col.required else "нет", col.help] for col in columns),
            [],
            ["Заполняйте лист «Данные», начиная со второй строки (строку-пример замените своими данными)."],
            ["Даты вводите как даты Excel, числа — как числа; формулы и объединённые ячейки не допускаются."],
            *(
                [
                    [
                        _(
                            "Columns with a list offer its values in the cell; the lists are on the hidden sheet «%(sheet)s»."
                        )
                        % {"sheet": LISTS_SHEET}
                    ]
                ]
                if lists
                else []
            ),
        ],
        widths=[32, None, 70],
        styled_header=False,
    )
    sheets = [data, notes]
    if lists:
        height = max(len(values) for values in list_columns)
        sheets.append(
            PlainSheet(
                title=LISTS_SHEET,
                header=list_header,
                rows=[[values[r] if r < len(values) else None for values in list_columns] for r in range(height)],
                widths=list_widths,
                styled_header=False,
                hidden=True,
            )
        )
    out = io.BytesIO()
    write_plain(sheets, out)
    return out.getvalue()
