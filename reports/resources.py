"""What each spreadsheet import expects and how its rows become records.

One resource per kind: its columns (Russian headers, the template's example
row) and how codes and names are resolved to records (codes by code, names by
normalised name), in a fixed number of queries whatever the number of rows.

The rules are not here. Events, event reports and actual values are checked
and written by their apps' bulk services (``roadmap.events.services.events_import``,
``event_reports_import``, ``indicators.services.actuals_import``), which share
the validation, permission, version and history rules of the single-object
services the web pages and the API call. The pipeline around the resources is
in ``reports/importing.py``; the dry run and confirm in ``reports/services.py``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, ClassVar

from django.db.models import Q
from simple_history.utils import bulk_update_with_history

from indicators import registries
from indicators.models import (
    EducationalProgramme,
    Indicator,
    PartnerAgreement,
    ProgrammeCategory,
)
from indicators.permissions import can_edit_registry_record
from indicators.services import ActualRow, actuals_import
from reports.importing import Col, ColType, Errors, ImportRefused, Item, normalise
from reports.models import ImportKind
from roadmap.accounts.permissions import in_users_region, region_municipalities, user_region_id
from roadmap.accounts.roles import Role, has_role, sees_every_region
from roadmap.events.limits import MAX_PARTICIPANTS
from roadmap.events.services import (
    BulkOutcome,
    EventRow,
    ReportRow,
    event_reports_import,
    events_import,
)
from roadmap.models import (
    REPORT_FIGURE_FIELDS,
    Activity,
    Event,
    Municipality,
    Organization,
    Plan,
)
from roadmap.plans.selectors import (
    current_plan,
    out_of_plans_message,
    plan_for_dates,
    plan_for_year,
    plan_periods_text,
    plan_years_text,
    plans_ordered,
)


class OrganizationIndex:
    """Organisations by code (key) and by normalised short or full name."""

    def __init__(self) -> None:
        self.by_key: dict[str, int] = {}
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.names: dict[int, str] = {}
        for pk, key, short, full in Organization.objects.values_list("id", "key", "short_name", "name"):
            if key:
                self.by_key[key.lower()] = pk
            self.by_name[normalise(short)].add(pk)
            self.by_name[normalise(full)].add(pk)
            self.names[pk] = short

    def find(self, text: Any) -> tuple[int | None, str | None]:
        if text is None:
            return None, None
        raw = str(text).strip()
        pk = self.by_key.get(raw.lower())
        if pk is not None:
            return pk, None
        found = self.by_name.get(normalise(raw), set())
        if len(found) == 1:
            return next(iter(found)), None
        if len(found) > 1:
            return None, f"наименованию «{raw}» соответствует несколько организаций: укажите код"
        return None, f"организация «{raw}» не найдена (укажите код или наименование как в справочнике)"


class ImportResource:
    kind: ClassVar[str]
    columns: ClassVar[list[Col]]
    key_columns: ClassVar[tuple[str, ...]]
    # Whether a confirmed import keeps its file (False: personal data not kept once loaded).
    keeps_file: ClassVar[bool] = True

    def __init__(self, plan: Plan | None = None, *, now: dt.datetime | None = None) -> None:
        self.plan = plan or current_plan()
        self.user: Any = None  # who imports: set by ``resolve``
        # The moment rules are judged at (e.g. "has the event ended?").
        self.now = now or dt.datetime.now(tz=dt.UTC)

    # -- permission --------------------------------------------------------
    @classmethod
    def may_import(cls, user: Any) -> bool:
        """Whether the user may use this import at all (rows are checked too)."""
        return has_role(user, Role.COPP, Role.ADMIN, Role.COORDINATOR)

    def header(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)

    def describe(self, key: tuple[Any, ...]) -> str:
        return ", ".join(str(k) for k in key)

    # -- to be provided by each kind --------------------------------------
    def resolve(self, rows: list[tuple[int, dict[str, Any]]], *, user: Any, errors: Errors) -> list[Item]:
        raise NotImplementedError

    def existing(self, items: list[Item]) -> dict[tuple[Any, ...], Any]:
        raise NotImplementedError

    def check_existing(self, items: list[Item], errors: Errors) -> None:
        """Refuse rows whose existing record may not be changed by an import."""

    def write(self, items: list[Item], *, user: Any, now: dt.datetime) -> None:
        raise NotImplementedError

    def example(self) -> list[Any]:
        return [c.example for c in self.columns]

    def _org(self, index: OrganizationIndex, row: int, column: str, text: Any, errors: Errors) -> int | None:
        pk, problem = index.find(text)
        if problem:
            errors.add(row, self.header(column), problem)
        return pk


# --- organisations -------------------------------------------------------------------

KIND_WORDS = (
    {normalise(label): value for value, label in Organization.Kind.choices}
    | {v: v for v in Organization.Kind.values}
    | {"колледж": "college", "школа": "school", "работодатель": "employer", "партнер": "employer", "цопп": "copp"}
)


class OrganizationImport(ImportResource):
    kind = ImportKind.ORGANIZATIONS
    columns: ClassVar[list[Col]] = [
        Col("key", "Код", required=False, example="college-12", max_length=64, help="латиница, цифры, дефис"),
        Col(
            "kind", "Вид", example="College (ГПОУ ТО)", help="министерство, ЦОПП, колледж, школа, работодатель, другое"
        ),
        Col("short_name", "Краткое наименование", example="ГПОУ ТО «Тульский колледж № 12»", max_length=255),
        Col(
            "name",
            "Полное наименование",
            example="государственное профессиональное образовательное учреждение Тульской области «Тульский колледж № 12»",
            max_length=500,
        ),
        Col("municipality", "Муниципальное образование", required=False, example="город Тула"),
        Col("inn", "ИНН", required=False, example="7100000000", max_length=12),
        Col("address", "Адрес", required=False, example="г. Тула, ул. Примерная, д. 1", max_length=500),
        Col("phone", "Телефон", required=False, example="8 (4872) 00-00-00", max_length=100),
        Col("email", "E-mail", ColType.EMAIL, required=False, example="college12@example.org"),
        Col("head_name", "Руководитель", required=False, example="И.И. Иванов", max_length=255),
        Col("head_email", "E-mail руководителя", ColType.EMAIL, required=False, example="director@example.org"),
    ]
    key_columns = ("key",)

    @classmethod
    def may_import(cls, user: Any) -> bool:
        # The register of organisations is kept by ЦОПП and administrators.
        return has_role(user, Role.COPP, Role.ADMIN)

    def resolve(self, rows: list[tuple[int, dict[str, Any]]], *, user: Any, errors: Errors) -> list[Item]:
        index = OrganizationIndex()
        # The user's region only: its municipalities, its organisations (another region's is refused below).
        municipalities = {normalise(n): pk for pk, n in region_municipalities(user).values_list("id", "name")}
        items = []
        for row, v in rows:
            ok = True
            kind = KIND_WORDS.get(normalise(v["kind"]))
            if kind is None:
                errors.add(row, self.header("kind"), f"неизвестный вид «{v['kind']}»")
                ok = False
            municipality_id = None
            if v.get("municipality"):
                municipality_id = municipalities.get(normalise(v["municipality"]))
                if municipality_id is None:
                    errors.add(
                        row, self.header("municipality"), f"муниципальное образование «{v['municipality']}» не найдено"
                    )
                    ok = False
            key = (v.get("key") or "").strip().lower() or None
            if key is not None and not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in key):
                errors.add(row, self.header("key"), f"код «{key}»: только латинские буквы, цифры, дефис")
                ok = False
            # Match: by code when given, otherwise by normalised name.
            match = index.by_key.get(key) if key else None
            if match is None and key is None:
                found = index.by_name.get(normalise(v["short_name"]), set()) | index.by_name.get(
                    normalise(v["name"]), set()
                )
                if len(found) > 1:
                    errors.add(
                        row,
                        self.header("short_name"),
                        "наименование совпадает с несколькими организациями: укажите код",
                    )
                    ok = False
                match = next(iter(found)) if len(found) == 1 else None
            if not ok:
                continue
            fields = {
                "kind": kind,
                "short_name": v["short_name"],
                "name": v["name"],
                "municipality_id": municipality_id,
                **{f: v.get(f) or "" for f in ("inn", "address", "phone", "email", "head_name", "head_email")},
            }
            if key:
                fields["key"] = key
            identity = ("id", match) if match else ("key", key) if key else ("name", normalise(v["short_name"]))
            items.append(Item(row=row, key=identity, fields=fields))
        matched = [i.key[1] for i in items if i.key[0] == "id"]
        own = set(in_users_region(user, Organization.objects.filter(pk__in=matched)).values_list("pk", flat=True))
        for item in [i for i in items if i.key[0] == "id" and i.key[1] not in own]:
            errors.add(item.row, self.header("key"), "организация другого региона")
            items.remove(item)
        region_id = None if sees_every_region(user) else user_region_id(user)
        for item in items:
            if item.key[0] != "id" and region_id is not None:
                item.fields["region_id"] = region_id  # a new organisation is of the importer's region
        return items

    def describe(self, key: tuple[Any, ...]) -> str:
        return f"та же организация ({key[1]})"

    def existing(self, items: list[Item]) -> dict[tuple[Any, ...], Any]:
        ids = [i.key[1] for i in items if i.key[0] == "id"]
        return {("id", o.pk): o for o in Organization.objects.filter(pk__in=ids)}

    def write(self, items: list[Item], *, user: Any, now: dt.datetime) -> None:
        new = [Organization(**i.fields) for i in items if i.action == "created"]
        Organization.objects.bulk_create(new, batch_size=500)
        changed = [i for i in items if i.action == "updated"]
        for item in changed:
            for name in item.changed:
                setattr(item.instance, name, item.fields[name])
        fields = sorted({n for i in changed for n in i.changed})
        if changed:
            Organization.objects.bulk_update([i.instance for i in changed], fields, batch_size=500)


class ServiceBackedImport(ImportResource):
    """A kind whose rules live in its app's bulk service.

    ``resolve`` only turns codes and names into records (an import's own job);
    the bulk service then applies the web's and API's rules to every row, once
    in the dry run (``check_existing``) and again, on locked rows, when the
    import is confirmed (``write``). Its problems come back by row and field.
    """

    # model field named by the service -> column key of this import
    field_columns: ClassVar[dict[str, str]] = {}

    def run(self, items: list[Item], *, user: Any, now: dt.datetime, commit: bool) -> BulkOutcome:
        raise NotImplementedError

    def column_of(self, name: str) -> str:
        key = self.field_columns.get(name, name)
        return self.header(key) if any(c.key == key for c in self.columns) else ""

    def check_existing(self, items: list[Item], errors: Errors) -> None:
        outcome = self.run(items, user=self.user, now=self.now, commit=False)
        self.apply(outcome, items, errors)

    def apply(self, outcome: BulkOutcome, items: list[Item], errors: Errors) -> None:
        for problem in outcome.problems:
            errors.add(problem.row, self.column_of(problem.field), problem.message)
        for item in items:
            if item.row in outcome.actions:
                item.action, item.changed = outcome.actions[item.row][0], list(outcome.actions[item.row][1])

    def write(self, items: list[Item], *, user: Any, now: dt.datetime) -> None:
        outcome = self.run(items, user=user, now=now, commit=True)
        if outcome.problems:  # the rows changed between the check and the locks
            errors = Errors()
            self.apply(outcome, items, errors)
            raise ImportRefused(list(errors))


# --- actual values -------------------------------------------------------------------


class ActualImport(ServiceBackedImport):
    kind = ImportKind.ACTUALS
    columns: ClassVar[list[Col]] = [
        Col("indicator", "Код показателя", example="3", help="как в приказе: 3, 3.1, 4.2"),
        Col("year", "Год", ColType.INT, example=2024),
        Col("period", "Период", required=False, example="", help="пусто — год; q1–q4 — квартал; m01–m12 — месяц"),
        Col("organization", "Организация", example="copp", help="код или наименование"),
        Col(
            "value", "Значение", ColType.VALUE, example=120, help="целое число; для показателей да/нет — «да» или «нет»"
        ),
        Col("evidence", "Подтверждение", required=False, example="Журнал консультаций"),
        Col(
            "reason",
            "Причина изменения",
            required=False,
            example="",
            max_length=1000,
            help="обязательна, если меняется значение, которое уже утверждалось",
        ),
    ]
    key_columns = ("indicator", "year", "period", "organization")

    def resolve(self, rows: list[tuple[int, dict[str, Any]]], *, user: Any, errors: Errors) -> list[Item]:
        self.user = user
        plans = plans_ordered()
        if not plans:
            errors.add(0, "", "план не загружен")
            return []
        # A value's plan is the one whose years hold its year (an archived
        # plan's values load as well); the code is read within that plan.
        indicators = {
            (i.indicator_set.plan_id, i.code): i
            for i in Indicator.objects.select_related("indicator_set__plan", "source")
        }
        index = OrganizationIndex()
        items = []
        for row, v in rows:
            code = str(v["indicator"]).strip().rstrip(".")
            plan = plan_for_year(v["year"], plans=plans) if isinstance(v["year"], int) else None
            indicator = indicators.get((plan.pk, code)) if plan is not None else None
            if plan is None:
                errors.add(
                    row, self.header("year"), f"{v['year']} — вне периода дорожных карт ({plan_periods_text(plans)})"
                )
            elif indicator is None:
                errors.add(
                    row,
                    self.header("indicator"),
                    f"нет показателя с кодом «{v['indicator']}» в плане {plan_years_text(plan)}",
                )
            org_id = self._org(index, row, "organization", v["organization"], errors)
            if org_id is None or indicator is None:
                continue
            period = normalise(v.get("period"))
            items.append(
                Item(
                    row=row,
                    key=(indicator.pk, v["year"], period, org_id),
                    fields={
                        "indicator": indicator,
                        "value": v["value"],
                        "evidence": v.get("evidence") or "",
                        "reason": v.get("reason") or "",
                    },
                )
            )
        self._codes = {i.pk: code for (_plan_id, code), i in indicators.items()}
        self._names = index.names
        return items

    def describe(self, key: tuple[Any, ...]) -> str:
        codes = getattr(self, "_codes", {})
        names = getattr(self, "_names", {})
        period = f", {key[2]}" if key[2] else ""
        return f"показатель {codes.get(key[0], key[0])}, {key[1]}{period}, {names.get(key[3], key[3])}"

    def existing(self, items: list[Item]) -> dict[tuple[Any, ...], Any]:
        return {}  # the service matches the stored values

    def run(self, items: list[Item], *, user: Any, now: dt.datetime, commit: bool) -> BulkOutcome:
        rows = [
            ActualRow(
                row=i.row,
                indicator=i.fields["indicator"],
                year=i.key[1],
                period=i.key[2],
                organization_id=i.key[3],
                value=i.fields["value"],
                evidence=i.fields["evidence"],
                reason=i.fields["reason"],
            )
            for i in items
        ]
        return actuals_import(user=user, rows=rows, now=now, commit=commit)


# --- events --------------------------------------------------------------------------

FORMAT_WORDS = {
    "очно": "in_person",
    "очный": "in_person",
    "онлайн": "online",
    "дистанционно": "online",
    "смешанный": "mixed",
    "смешанно": "mixed",
    **{v: v for v in Event.Format.values},
}


class EventImport(ServiceBackedImport):
    kind = ImportKind.EVENTS
    columns: ClassVar[list[Col]] = [
        Col("activity", "№ мероприятия дорожной карты", ColType.INT, example=14),
        Col("organizer", "Организатор", example="tgmk", help="код или наименование"),
        Col("title", "Название", example="Профессиональная проба «Сварщик»", max_length=500),
        Col("start_date", "Дата начала", ColType.DATE, example=dt.date(2024, 10, 15)),
        Col("end_date", "Дата окончания", ColType.DATE, required=False, example=dt.date(2024, 10, 15)),
        Col("municipality", "Муниципальное образование", required=False, example="город Тула"),
        Col("place", "Место проведения", required=False, example="г. Тула, ул. Примерная, д. 1", max_length=500),
        Col("format", "Формат", required=False, example="очно", help="очно, онлайн, смешанный"),
        Col(
            "planned_participants",
            "Планируемое число участников",
            ColType.INT,
            required=False,
            example=25,
            max_value=MAX_PARTICIPANTS,
        ),
        Col(
            "responsible_email",
            "E-mail ответственного",
            ColType.EMAIL,
            required=False,
            example="coordinator@example.org",
        ),
    ]
    key_columns = ("activity", "organizer", "title", "start_date")
    field_columns: ClassVar[dict[str, str]] = {"municipality_id": "municipality", "event": "title"}

    def resolve(self, rows: list[tuple[int, dict[str, Any]]], *, user: Any, errors: Errors) -> list[Item]:
        self.user = user
        plans = plans_ordered()
        if not plans:
            errors.add(0, "", "план не загружен")
            return []
        # Each row's plan is the one whose period holds its first day; the
        # activity number is read within that plan (an archived plan's events
        # load as well as the current one's).
        activities = {(a.plan_id, a.number): a for a in Activity.objects.select_related("plan")}
        municipalities = {normalise(n): pk for pk, n in Municipality.objects.values_list("id", "name")}
        index = OrganizationIndex()
        items = []
        for row, v in rows:
            ok = True
            plan = plan_for_dates(v["start_date"], v.get("end_date"), plans=plans)
            activity = activities.get((plan.pk, v["activity"])) if plan is not None else None
            if plan is None:
                errors.add(row, self.header("start_date"), out_of_plans_message(v["start_date"], plans))
                ok = False
            elif activity is None:
                errors.add(
                    row,
                    self.header("activity"),
                    f"в дорожной карте {plan_years_text(plan)} нет мероприятия № {v['activity']}",
                )
                ok = False
            org_id = self._org(index, row, "organizer", v["organizer"], errors)
            if org_id is None:
                ok = False
            municipality_id = None
            if v.get("municipality"):
                municipality_id = municipalities.get(normalise(v["municipality"]))
                if municipality_id is None:
                    errors.add(
                        row, self.header("municipality"), f"муниципальное образование «{v['municipality']}» не найдено"
                    )
                    ok = False
            fmt: str | None = Event.Format.IN_PERSON
            if v.get("format"):
                fmt = FORMAT_WORDS.get(normalise(v["format"]))
                if fmt is None:
                    errors.add(
                        row, self.header("format"), f"неизвестный формат «{v['format']}»: очно, онлайн или смешанный"
                    )
                    ok = False
            if not ok:
                continue
            assert activity is not None  # a row without its activity is refused above
            start = v["start_date"]
            items.append(
                Item(
                    row=row,
                    key=(activity.pk, org_id, normalise(v["title"]), start),
                    fields={
                        "activity": activity,
                        "title": v["title"],
                        "end_date": v.get("end_date") or start,
                        "municipality_id": municipality_id,
                        "place": v.get("place") or "",
                        "format": fmt,
                        "planned_participants": v.get("planned_participants"),
                        "responsible_email": v.get("responsible_email") or "",
                    },
                )
            )
        return items

    def describe(self, key: tuple[Any, ...]) -> str:
        return f"то же мероприятие «{key[2]}» {key[3]:%d.%m.%Y}"

    def existing(self, items: list[Item]) -> dict[tuple[Any, ...], Any]:
        if not items:
            return {}
        qs = Event.objects.filter(
            activity_id__in={i.key[0] for i in items},
            organizer_id__in={i.key[1] for i in items},
            start_date__in={i.key[3] for i in items},
        )
        return {(e.activity_id, e.organizer_id, normalise(e.title), e.start_date): e for e in qs}

    def run(self, items: list[Item], *, user: Any, now: dt.datetime, commit: bool) -> BulkOutcome:
        rows = [
            EventRow(row=i.row, organizer_id=i.key[1], start_date=i.key[3], event=i.instance, **i.fields) for i in items
        ]
        return events_import(user=user, rows=rows, now=now, commit=commit)


# --- registries ----------------------------------------------------------------------


class RegistryImport(ImportResource):
    """Agreements and programmes: the rules and the write belong to ``indicators.registries``."""

    def _rules_hold(self, record: Any, row: int, errors: Errors) -> bool:
        """Report the registry rules a row breaks (no query); the columns already reported are not repeated."""
        reported = {e.column for e in errors if e.row == row}
        problems = registries.registry_errors(record)
        for name, messages in problems.items():
            name = name.removesuffix("_id")
            column = self.header(name) if any(c.key == name for c in self.columns) else ""
            if column not in reported or not column:
                errors.add(row, column, "; ".join(messages))
        return not problems


def _registry_rows(items: list[Item], key_values: Any) -> list[registries.RegistryRow]:
    """New rows with their key, changed rows with only their changes; unchanged rows are not written."""
    rows = []
    for item in items:
        if item.action == "created":
            rows.append(registries.RegistryRow(values={**key_values(item), **item.fields}, label=item.row))
        elif item.action == "updated":
            changes = {name: item.fields[name] for name in item.changed}
            rows.append(registries.RegistryRow(values=changes, record=item.instance, label=item.row))
    return rows


class AgreementImport(RegistryImport):
    kind = ImportKind.AGREEMENTS
    columns: ClassVar[list[Col]] = [
        Col("partner", "Партнёр", example="ООО «Пример»", help="код или наименование организации-партнёра"),
        Col("organization", "Организация", example="copp", help="ЦОПП или колледж, заключивший соглашение"),
        Col("number", "Номер", example="15/24", max_length=100),
        Col("date", "Дата", ColType.DATE, example=dt.date(2024, 3, 1)),
        Col("valid_from", "Действует с", ColType.DATE, example=dt.date(2024, 3, 1)),
        Col("valid_to", "Действует по", ColType.DATE, required=False, example=dt.date(2026, 12, 31)),
        Col("subject", "Предмет", example="Организация практики и стажировок"),
        Col("activity", "№ мероприятия дорожной карты", ColType.INT, required=False, example=3),
    ]
    key_columns = ("organization", "number", "date")

    def resolve(self, rows: list[tuple[int, dict[str, Any]]], *, user: Any, errors: Errors) -> list[Item]:
        index = OrganizationIndex()
        activities = dict(Activity.objects.filter(plan=self.plan).values_list("number", "id")) if self.plan else {}
        items = []
        for row, v in rows:
            ok = True
            partner_id = self._org(index, row, "partner", v["partner"], errors)
            org_id = self._org(index, row, "organization", v["organization"], errors)
            if partner_id is None or org_id is None:
                ok = False
            elif not can_edit_registry_record(user, org_id):
                errors.add(row, self.header("organization"), "вы можете загружать соглашения только своей организации")
                ok = False
            activity_id = None
            if v.get("activity") is not None:
                activity_id = activities.get(v["activity"])
                if activity_id is None:
                    errors.add(row, self.header("activity"), f"в дорожной карте нет мероприятия № {v['activity']}")
                    ok = False
            key = (org_id, str(v["number"]).strip(), v["date"])
            fields = {
                "partner_id": partner_id,
                "valid_from": v["valid_from"],
                "valid_to": v.get("valid_to"),
                "subject": v["subject"],
                "activity_id": activity_id,
            }
            # The rules of the registry service, as the confirm will apply them.
            record = PartnerAgreement(organization_id=key[0], number=key[1], date=key[2], **fields)  # type: ignore[misc]  # None when not found: checked, then refused
            if not self._rules_hold(record, row, errors) or not ok:
                continue
            items.append(Item(row=row, key=key, fields=fields))
        return items

    def describe(self, key: tuple[Any, ...]) -> str:
        return f"соглашение № {key[1]} от {key[2]:%d.%m.%Y}"

    def existing(self, items: list[Item]) -> dict[tuple[Any, ...], Any]:
        qs = PartnerAgreement.objects.filter(
            organization_id__in={i.key[0] for i in items}, number__in={i.key[1] for i in items}
        )
        return {(a.organization_id, a.number, a.date): a for a in qs}

    def write(self, items: list[Item], *, user: Any, now: dt.datetime) -> None:
        registries.agreements_import(
            user=user,
            rows=_registry_rows(items, lambda i: {"organization_id": i.key[0], "number": i.key[1], "date": i.key[2]}),
        )


FORM_WORDS = {
    "очная": "full_time",
    "очно-заочная": "mixed",
    "заочная": "extramural",
    "дистанционная": "distance",
    **{v: v for v in EducationalProgramme.Form.values},
}


class ProgrammeImport(RegistryImport):
    kind = ImportKind.PROGRAMMES
    columns: ClassVar[list[Col]] = [
        Col("name", "Наименование программы", example="Оператор станков с ЧПУ"),
        Col(
            "category",
            "Категория",
            example="программы профессионального обучения",
            help="код или наименование категории",
        ),
        Col("developer", "Разработчик", example="copp", help="код или наименование организации"),
        Col("approved_on", "Дата утверждения", ColType.DATE, example=dt.date(2024, 2, 1)),
        Col("hours", "Объём, часов", ColType.INT, example=72),
        Col(
            "form",
            "Форма обучения",
            required=False,
            example="очная",
            help="очная, очно-заочная, заочная, дистанционная",
        ),
    ]
    key_columns = ("developer", "name", "approved_on")

    def resolve(self, rows: list[tuple[int, dict[str, Any]]], *, user: Any, errors: Errors) -> list[Item]:
        index = OrganizationIndex()
        categories: dict[str, int] = {}
        for pk, code, name in ProgrammeCategory.objects.filter(indicator_set__plan=self.plan).values_list(
            "id", "key", "name"
        ):
            categories[code.lower()] = pk
            categories[normalise(name)] = pk
        items = []
        for row, v in rows:
            ok = True
            category_id = categories.get(str(v["category"]).strip().lower()) or categories.get(normalise(v["category"]))
            if category_id is None:
                errors.add(row, self.header("category"), f"категория «{v['category']}» не найдена")
                ok = False
            developer_id = self._org(index, row, "developer", v["developer"], errors)
            if developer_id is None:
                ok = False
            elif not can_edit_registry_record(user, developer_id):
                errors.add(row, self.header("developer"), "вы можете загружать программы только своей организации")
                ok = False
            form: str | None = EducationalProgramme.Form.FULL_TIME
            if v.get("form"):
                form = FORM_WORDS.get(normalise(v["form"]))
                if form is None:
                    errors.add(row, self.header("form"), f"неизвестная форма обучения «{v['form']}»")
                    ok = False
            key = (developer_id, normalise(v["name"]), v["approved_on"])
            fields = {"name": v["name"], "category_id": category_id, "hours": v["hours"], "form": form}
            # The rules of the registry service, as the confirm will apply them.
            record = EducationalProgramme(developer_id=developer_id, approved_on=key[2], **fields)  # type: ignore[misc]  # None when not found: checked, then refused
            if not self._rules_hold(record, row, errors) or not ok:
                continue
            items.append(Item(row=row, key=key, fields=fields))
        return items

    def describe(self, key: tuple[Any, ...]) -> str:
        return f"программа «{key[1]}» от {key[2]:%d.%m.%Y}"

    def existing(self, items: list[Item]) -> dict[tuple[Any, ...], Any]:
        qs = EducationalProgramme.objects.filter(
            Q(developer_id__in={i.key[0] for i in items}) & Q(approved_on__in={i.key[2] for i in items})
        )
        return {(p.developer_id, normalise(p.name), p.approved_on): p for p in qs}

    def write(self, items: list[Item], *, user: Any, now: dt.datetime) -> None:
        registries.programmes_import(
            user=user, rows=_registry_rows(items, lambda i: {"developer_id": i.key[0], "approved_on": i.key[2]})
        )


def _update_changed(items: list[Item], model: Any, actor: Any) -> None:
    changed = [i for i in items if i.action == "updated"]
    if not changed:
        return
    for item in changed:
        for name in item.changed:
            setattr(item.instance, name, item.fields[name])
    fields = sorted({n for i in changed for n in i.changed})
    bulk_update_with_history([i.instance for i in changed], model, fields, batch_size=500, default_user=actor)


class EventReportImport(ServiceBackedImport):
    """Figures of event reports through the same rules as the report form:
    a new report is filed (on time or late, frozen now, like any submission);
    a submitted or returned one is corrected, which sends it again; an
    accepted one is refused. Another organisation's event is "not found"."""

    kind = ImportKind.EVENT_REPORTS
    columns: ClassVar[list[Col]] = [
        Col("event", "Код мероприятия", ColType.INT, example=1, help="номер мероприятия в системе"),
        Col(
            "summary",
            "Краткий отчёт",
            required=False,
            example="Проведено по плану",
            help="обязателен, если отчёт подаётся впервые",
        ),
        Col("participants_total", "Участников, всего", ColType.INT, example=30, max_value=MAX_PARTICIPANTS),
        Col(
            "participants_pupils_6_11",
            "Обучающихся 6–11 классов",
            ColType.INT,
            required=False,
            example=20,
            max_value=MAX_PARTICIPANTS,
        ),
        Col("participants_students", "Студентов", ColType.INT, required=False, example=5, max_value=MAX_PARTICIPANTS),
        Col("participants_adults", "Взрослых", ColType.INT, required=False, example=5, max_value=MAX_PARTICIPANTS),
        Col(
            "participants_50_plus",
            "В возрасте 50 лет и старше",
            ColType.INT,
            required=False,
            example=0,
            max_value=MAX_PARTICIPANTS,
        ),
        Col(
            "schools_count",
            "Общеобразовательных организаций",
            ColType.INT,
            required=False,
            example=3,
            max_value=MAX_PARTICIPANTS,
        ),
    ]
    key_columns = ("event",)

    def resolve(self, rows: list[tuple[int, dict[str, Any]]], *, user: Any, errors: Errors) -> list[Item]:
        self.user = user
        return [
            Item(
                row=row,
                key=(v["event"],),
                fields={"summary": v.get("summary"), **{name: v.get(name) for name in REPORT_FIGURE_FIELDS}},
            )
            for row, v in rows
        ]

    def describe(self, key: tuple[Any, ...]) -> str:
        return f"мероприятие {key[0]}"

    def existing(self, items: list[Item]) -> dict[tuple[Any, ...], Any]:
        return {}  # the service finds the events the user may report on, and their reports

    def run(self, items: list[Item], *, user: Any, now: dt.datetime, commit: bool) -> BulkOutcome:
        rows = [
            ReportRow(
                row=i.row,
                event_id=i.key[0],
                summary=i.fields["summary"],
                figures={name: i.fields[name] for name in REPORT_FIGURE_FIELDS},
            )
            for i in items
        ]
        return event_reports_import(user=user, rows=rows, now=now, commit=commit)


class EventParticipantsImport(ServiceBackedImport):
    """Participant lists of filed event reports: one row a person; the rows of
    an event replace its list (``roadmap.events.participants_import``). Only a keyed
    hash of surname, name and birth date (or СНИЛС) is stored."""

    kind = ImportKind.EVENT_PARTICIPANTS
    keeps_file = False  # names and birth dates: only the hashes are kept
    columns: ClassVar[list[Col]] = [
        Col("event", "Код мероприятия", ColType.INT, example=1, help="номер мероприятия в системе"),
        Col("surname", "Фамилия", example="Иванова", max_length=200),
        Col("name", "Имя", example="Мария", max_length=200),
        Col(
            "birth_date",
            "Дата рождения",
            ColType.DATE,
            required=False,
            example=dt.date(2010, 3, 14),
            help="дд.мм.гггг; или СНИЛС",
        ),
        Col("snils", "СНИЛС", required=False, example="", max_length=20, help="если нет даты рождения"),
        Col("category", "Категория", example="школьник", help="школьник, студент, взрослый, 50+"),
        Col("grade", "Класс", ColType.INT, required=False, example=8, max_value=11, help="6–11, только для школьников"),
    ]
    key_columns = ("event", "surname", "name", "birth_date", "snils")

    def resolve(self, rows: list[tuple[int, dict[str, Any]]], *, user: Any, errors: Errors) -> list[Item]:
        self.user = user
        return [
            Item(
                row=row,
                key=(v["event"], row),
                fields={k: v.get(k) for k in ("surname", "name", "birth_date", "snils", "category", "grade")},
            )
            for row, v in rows
        ]

    def describe(self, key: tuple[Any, ...]) -> str:
        return f"мероприятие {key[0]}, строка {key[1]}"

    def existing(self, items: list[Item]) -> dict[tuple[Any, ...], Any]:
        return {}  # the service finds the reports the user may change

    def run(self, items: list[Item], *, user: Any, now: dt.datetime, commit: bool) -> BulkOutcome:
        from roadmap.events.participants_import import ParticipantRow, participants_import

        if self.plan is None:
            return BulkOutcome()
        rows = [ParticipantRow(row=i.row, event_id=i.key[0], person=dict(i.fields)) for i in items]
        return participants_import(user=user, rows=rows, plan=self.plan, commit=commit)


RESOURCES: dict[str, type[ImportResource]] = {
    ImportKind.ORGANIZATIONS: OrganizationImport,
    ImportKind.ACTUALS: ActualImport,
    ImportKind.EVENTS: EventImport,
    ImportKind.AGREEMENTS: AgreementImport,
    ImportKind.PROGRAMMES: ProgrammeImport,
    ImportKind.EVENT_REPORTS: EventReportImport,
    ImportKind.EVENT_PARTICIPANTS: EventParticipantsImport,
}


def resource_for(kind: str, plan: Plan | None = None, *, now: dt.datetime | None = None) -> ImportResource:
    try:
        return RESOURCES[kind](plan, now=now)
    except KeyError:
        raise ValueError(f"unknown import {kind!r}; choose one of {', '.join(RESOURCES)}") from None
