"""What each spreadsheet import expects and how its rows become records.

One resource per kind: its columns (Russian headers, the template's example
row), how codes and names are resolved (codes by code, names by normalised
name), who may import which rows (the apps' permissions modules), and how
the validated rows are written in bulk. Lookups are a fixed number of
queries whatever the number of rows. The pipeline around them is in
``reports/importing.py``; the services are in ``reports/services.py``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, ClassVar

from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.models import (
    Actual,
    ActualChange,
    EducationalProgramme,
    Indicator,
    PartnerAgreement,
    ProgrammeCategory,
)
from indicators.permissions import can_edit_registry_record, can_enter_actual
from reports.importing import Col, ColType, Errors, Item, normalise
from reports.models import ImportKind
from roadmap.limits import MAX_PARTICIPANTS
from roadmap.models import (
    Activity,
    Event,
    EventReport,
    Municipality,
    Organization,
    Plan,
)
from roadmap.permissions import can_register_event, can_report_event
from roadmap.report_status import is_on_time, moscow_date
from roadmap.roles import Role, has_role
from roadmap.selectors import current_plan
from roadmap.services import event_due_at


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

    def __init__(self, plan: Plan | None = None, *, now: dt.datetime | None = None) -> None:
        self.plan = plan or current_plan()
        # The moment rules are judged at (e.g. "has the event ended?").
        self.now = now or dt.datetime.now(tz=dt.UTC)

    # -- permission --------------------------------------------------------
    def may_import(self, user: Any) -> bool:
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

KIND_WORDS = {normalise(label): value for value, label in Organization.Kind.choices} | {
    v: v for v in Organization.Kind.values
} | {"колледж": "college", "школа": "school", "работодатель": "employer", "партнер": "employer", "цопп": "copp"}


class OrganizationImport(ImportResource):
    kind = ImportKind.ORGANIZATIONS
    columns: ClassVar[list[Col]] = [
        Col("key", "Код", required=False, example="college-12", max_length=64, help="латиница, цифры, дефис"),
        Col("kind", "Вид", example="College (ГПОУ ТО)", help="министерство, ЦОПП, колледж, школа, работодатель, другое"),
        Col("short_name", "Краткое наименование", example="ГПОУ ТО «Тульский колледж № 12»", max_length=255),
        Col("name", "Полное наименование", example="государственное профессиональное образовательное учреждение Тульской области «Тульский колледж № 12»", max_length=500),
        Col("municipality", "Муниципальное образование", required=False, example="город Тула"),
        Col("inn", "ИНН", required=False, example="7100000000", max_length=12),
        Col("address", "Адрес", required=False, example="г. Тула, ул. Примерная, д. 1", max_length=500),
        Col("phone", "Телефон", required=False, example="8 (4872) 00-00-00", max_length=100),
        Col("email", "E-mail", ColType.EMAIL, required=False, example="college12@example.org"),
        Col("head_name", "Руководитель", required=False, example="И.И. Иванов", max_length=255),
        Col("head_email", "E-mail руководителя", ColType.EMAIL, required=False, example="director@example.org"),
    ]
    key_columns = ("key",)

    def may_import(self, user: Any) -> bool:
        # The register of organisations is kept by ЦОПП and administrators.
        return has_role(user, Role.COPP, Role.ADMIN)

    def resolve(self, rows: list[tuple[int, dict[str, Any]]], *, user: Any, errors: Errors) -> list[Item]:
        index = OrganizationIndex()
        municipalities = {normalise(n): pk for pk, n in Municipality.objects.values_list("id", "name")}
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
                    errors.add(row, self.header("municipality"), f"муниципальное образование «{v['municipality']}» не найдено")
                    ok = False
            key = (v.get("key") or "").strip().lower() or None
            if key is not None and not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in key):
                errors.add(row, self.header("key"), f"код «{key}»: только латинские буквы, цифры, дефис")
                ok = False
            # Match: by code when given, otherwise by normalised name.
            match = index.by_key.get(key) if key else None
            if match is None and key is None:
                found = index.by_name.get(normalise(v["short_name"]), set()) | index.by_name.get(normalise(v["name"]), set())
                if len(found) > 1:
                    errors.add(row, self.header("short_name"), "наименование совпадает с несколькими организациями: укажите код")
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


# --- actual values -------------------------------------------------------------------


class ActualImport(ImportResource):
    kind = ImportKind.ACTUALS
    columns: ClassVar[list[Col]] = [
        Col("indicator", "Код показателя", example="3", help="как в приказе: 3, 3.1, 4.2"),
        Col("year", "Год", ColType.INT, example=2024),
        Col("period", "Период", required=False, example="", help="пусто — год; q1–q4 — квартал; m01–m12 — месяц"),
        Col("organization", "Организация", example="copp", help="код или наименование"),
        Col("value", "Значение", ColType.VALUE, example=120, help="целое число; для показателей да/нет — «да» или «нет»"),
        Col("evidence", "Подтверждение", required=False, example="Журнал консультаций"),
    ]
    key_columns = ("indicator", "year", "period", "organization")

    def resolve(self, rows: list[tuple[int, dict[str, Any]]], *, user: Any, errors: Errors) -> list[Item]:
        plan = self.plan
        if plan is None:
            errors.add(0, "", "план не загружен")
            return []
        indicators = {
            code: (pk, vt)
            for pk, code, vt in Indicator.objects.filter(indicator_set__plan=plan).values_list("id", "code", "value_type")
        }
        index = OrganizationIndex()
        allowed: dict[int, bool] = {}
        items = []
        for row, v in rows:
            ok = True
            code = str(v["indicator"]).strip().rstrip(".")
            indicator = indicators.get(code)
            if indicator is None:
                errors.add(row, self.header("indicator"), f"нет показателя с кодом «{v['indicator']}» в плане")
                ok = False
            year = v["year"]
            if year is not None and not plan.first_year <= year <= plan.last_year:
                errors.add(row, self.header("year"), f"год {year} вне лет плана {plan.first_year}–{plan.last_year}")
                ok = False
            period = normalise(v.get("period"))
            if period not in Actual.PERIODS:
                errors.add(row, self.header("period"), f"неизвестный период «{v.get('period')}»: пусто, q1–q4 или m01–m12")
                ok = False
            org_id = self._org(index, row, "organization", v["organization"], errors)
            if org_id is None:
                ok = False
            elif org_id not in allowed:
                allowed[org_id] = can_enter_actual(user, org_id)
            if org_id is not None and not allowed[org_id]:
                errors.add(row, self.header("organization"), "вы можете загружать значения только своей организации")
                ok = False
            value_number = value_bool = None
            raw = v["value"]
            if indicator is not None:
                if indicator[1] == Indicator.ValueType.BOOLEAN:
                    if isinstance(raw, bool):
                        value_bool = raw
                    else:
                        errors.add(row, self.header("value"), f"показатель {code} принимает «да» или «нет», а не «{raw}»")
                        ok = False
                elif isinstance(raw, int) and not isinstance(raw, bool):
                    value_number = raw
                else:
                    shown = {True: "да", False: "нет"}.get(raw, raw) if isinstance(raw, bool) else raw
                    errors.add(row, self.header("value"), f"показатель {code} принимает целое неотрицательное число, а не «{shown}»")
                    ok = False
            if not ok:
                continue
            items.append(
                Item(
                    row=row,
                    key=(indicator[0], year, period, org_id),
                    fields={"value_number": value_number, "value_bool": value_bool, "evidence": v.get("evidence") or ""},
                )
            )
        self._codes = {pk: code for code, (pk, _) in indicators.items()}
        self._names = index.names
        return items

    def describe(self, key: tuple[Any, ...]) -> str:
        codes = getattr(self, "_codes", {})
        names = getattr(self, "_names", {})
        period = f", {key[2]}" if key[2] else ""
        return f"показатель {codes.get(key[0], key[0])}, {key[1]}{period}, {names.get(key[3], key[3])}"

    def existing(self, items: list[Item]) -> dict[tuple[Any, ...], Any]:
        if not items:
            return {}
        # One query over the few indicators, years and organisations involved.
        found = Actual.objects.filter(
            indicator_id__in={i.key[0] for i in items},
            year__in={i.key[1] for i in items},
            organization_id__in={i.key[3] for i in items},
        )
        wanted = {i.key for i in items}
        result = {}
        for actual in found:
            key = (actual.indicator_id, actual.year, actual.period, actual.organization_id)
            if key in wanted:
                result[key] = actual
        return result

    def check_existing(self, items: list[Item], errors: Errors) -> None:
        for item in items:
            if item.action != "updated":
                continue
            status = item.instance.status
            if status == Actual.Status.APPROVED:
                errors.add(item.row, self.header("value"), "значение утверждено; изменить его можно только после возврата министерством")
            elif status == Actual.Status.SUBMITTED:
                errors.add(item.row, self.header("value"), "значение на проверке; дождитесь решения или попросите вернуть его")

    def write(self, items: list[Item], *, user: Any, now: dt.datetime) -> None:
        actor = user if getattr(user, "pk", None) else None
        new = [
            Actual(
                indicator_id=i.key[0], year=i.key[1], period=i.key[2], organization_id=i.key[3],
                status=Actual.Status.DRAFT, created_at=now, updated_at=now, created_by=actor, **i.fields,
            )
            for i in items
            if i.action == "created"
        ]
        Actual.objects.bulk_create(new, batch_size=1000)
        if new and new[0].pk is None:  # backends without RETURNING ids
            keys = {(a.indicator_id, a.year, a.period, a.organization_id) for a in new}
            fetched = self.existing([Item(0, k, {}) for k in keys])
            new = list(fetched.values())
        changes = [
            ActualChange(actual=a, action=ActualChange.Action.CREATE, at=now, user=actor, old_value=None,
                         new_value=a.value, old_status="", new_status=a.status, reason="Загрузка из файла Excel")
            for a in new
        ]
        updated = [i for i in items if i.action == "updated"]
        for item in updated:
            actual = item.instance
            old_value = actual.value
            for name in item.changed:
                setattr(actual, name, item.fields[name])
            actual.version += 1
            actual.updated_at = now
            changes.append(
                ActualChange(actual=actual, action=ActualChange.Action.EDIT, at=now, user=actor, old_value=old_value,
                             new_value=actual.value, old_status=actual.status, new_status=actual.status,
                             reason="Загрузка из файла Excel")
            )
        if updated:
            Actual.objects.bulk_update(
                [i.instance for i in updated], ["value_number", "value_bool", "evidence", "version", "updated_at"], batch_size=1000
            )
        ActualChange.objects.bulk_create(changes, batch_size=1000)


# --- events --------------------------------------------------------------------------

FORMAT_WORDS = {"очно": "in_person", "очный": "in_person", "онлайн": "online", "дистанционно": "online",
                "смешанный": "mixed", "смешанно": "mixed", **{v: v for v in Event.Format.values}}


class EventImport(ImportResource):
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
        Col("planned_participants", "Планируемое число участников", ColType.INT, required=False, example=25,
            max_value=MAX_PARTICIPANTS),
        Col("responsible_email", "E-mail ответственного", ColType.EMAIL, required=False, example="coordinator@example.org"),
    ]
    key_columns = ("activity", "organizer", "title", "start_date")

    def resolve(self, rows: list[tuple[int, dict[str, Any]]], *, user: Any, errors: Errors) -> list[Item]:
        plan = self.plan
        if plan is None:
            errors.add(0, "", "план не загружен")
            return []
        activities = dict(Activity.objects.filter(plan=plan).values_list("number", "id"))
        municipalities = {normalise(n): pk for pk, n in Municipality.objects.values_list("id", "name")}
        index = OrganizationIndex()
        allowed: dict[int, bool] = {}
        items = []
        for row, v in rows:
            ok = True
            activity_id = activities.get(v["activity"])
            if activity_id is None:
                errors.add(row, self.header("activity"), f"в дорожной карте нет мероприятия № {v['activity']}")
                ok = False
            org_id = self._org(index, row, "organizer", v["organizer"], errors)
            if org_id is None:
                ok = False
            else:
                if org_id not in allowed:
                    allowed[org_id] = can_register_event(user, org_id)
                if not allowed[org_id]:
                    errors.add(row, self.header("organizer"), "вы можете загружать мероприятия только своей организации")
                    ok = False
            start, end = v["start_date"], v.get("end_date") or v["start_date"]
            if start and end and end < start:
                errors.add(row, self.header("end_date"), "дата окончания раньше даты начала")
                ok = False
            municipality_id = None
            if v.get("municipality"):
                municipality_id = municipalities.get(normalise(v["municipality"]))
                if municipality_id is None:
                    errors.add(row, self.header("municipality"), f"муниципальное образование «{v['municipality']}» не найдено")
                    ok = False
            fmt = Event.Format.IN_PERSON
            if v.get("format"):
                fmt = FORMAT_WORDS.get(normalise(v["format"]))
                if fmt is None:
                    errors.add(row, self.header("format"), f"неизвестный формат «{v['format']}»: очно, онлайн или смешанный")
                    ok = False
            if not ok:
                continue
            items.append(
                Item(
                    row=row,
                    key=(activity_id, org_id, normalise(v["title"]), start),
                    fields={
                        "title": v["title"],
                        "end_date": end,
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

    def check_existing(self, items: list[Item], errors: Errors) -> None:
        for item in items:
            if item.action == "updated" and "end_date" in item.changed and hasattr(item.instance, "report"):
                errors.add(item.row, self.header("end_date"), "по мероприятию уже подан отчёт: даты изменить нельзя")

    def write(self, items: list[Item], *, user: Any, now: dt.datetime) -> None:
        actor = user if getattr(user, "pk", None) else None
        new = []
        for item in items:
            if item.action != "created":
                continue
            event = Event(activity_id=item.key[0], organizer_id=item.key[1], start_date=item.key[3],
                          created_by=actor, **item.fields)
            event.due_at = event_due_at(plan=self.plan, end_date=event.end_date)
            new.append(event)
        bulk_create_with_history(new, Event, batch_size=500, default_user=actor)
        updated = []
        for item in items:
            if item.action != "updated":
                continue
            event = item.instance
            for name in item.changed:
                setattr(event, name, item.fields[name])
            if "end_date" in item.changed:
                event.due_at = event_due_at(plan=self.plan, end_date=event.end_date)
            event.version += 1
            updated.append(event)
        if updated:
            fields = sorted({n for i in items if i.action == "updated" for n in i.changed} | {"due_at", "version"})
            bulk_update_with_history(updated, Event, fields, batch_size=500, default_user=actor)


# --- registries ----------------------------------------------------------------------


class AgreementImport(ImportResource):
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
            if v.get("valid_to") and v.get("valid_from") and v["valid_to"] < v["valid_from"]:
                errors.add(row, self.header("valid_to"), "дата окончания действия раньше даты начала")
                ok = False
            activity_id = None
            if v.get("activity") is not None:
                activity_id = activities.get(v["activity"])
                if activity_id is None:
                    errors.add(row, self.header("activity"), f"в дорожной карте нет мероприятия № {v['activity']}")
                    ok = False
            if not ok:
                continue
            items.append(
                Item(
                    row=row,
                    key=(org_id, str(v["number"]).strip(), v["date"]),
                    fields={"partner_id": partner_id, "valid_from": v["valid_from"], "valid_to": v.get("valid_to"),
                            "subject": v["subject"], "activity_id": activity_id},
                )
            )
        return items

    def describe(self, key: tuple[Any, ...]) -> str:
        return f"соглашение № {key[1]} от {key[2]:%d.%m.%Y}"

    def existing(self, items: list[Item]) -> dict[tuple[Any, ...], Any]:
        qs = PartnerAgreement.objects.filter(
            organization_id__in={i.key[0] for i in items}, number__in={i.key[1] for i in items}
        )
        return {(a.organization_id, a.number, a.date): a for a in qs}

    def write(self, items: list[Item], *, user: Any, now: dt.datetime) -> None:
        actor = user if getattr(user, "pk", None) else None
        new = [
            PartnerAgreement(organization_id=i.key[0], number=i.key[1], date=i.key[2], created_by=actor, **i.fields)
            for i in items
            if i.action == "created"
        ]
        bulk_create_with_history(new, PartnerAgreement, batch_size=500, default_user=actor)
        _update_changed(items, PartnerAgreement, actor)


FORM_WORDS = {"очная": "full_time", "очно-заочная": "mixed", "заочная": "extramural", "дистанционная": "distance",
              **{v: v for v in EducationalProgramme.Form.values}}


class ProgrammeImport(ImportResource):
    kind = ImportKind.PROGRAMMES
    columns: ClassVar[list[Col]] = [
        Col("name", "Наименование программы", example="Оператор станков с ЧПУ"),
        Col("category", "Категория", example="программы профессионального обучения", help="код или наименование категории"),
        Col("developer", "Разработчик", example="copp", help="код или наименование организации"),
        Col("approved_on", "Дата утверждения", ColType.DATE, example=dt.date(2024, 2, 1)),
        Col("hours", "Объём, часов", ColType.INT, example=72),
        Col("form", "Форма обучения", required=False, example="очная", help="очная, очно-заочная, заочная, дистанционная"),
    ]
    key_columns = ("developer", "name", "approved_on")

    def resolve(self, rows: list[tuple[int, dict[str, Any]]], *, user: Any, errors: Errors) -> list[Item]:
        index = OrganizationIndex()
        categories: dict[str, int] = {}
        for pk, key, name in ProgrammeCategory.objects.filter(indicator_set__plan=self.plan).values_list("id", "key", "name"):
            categories[key.lower()] = pk
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
            if v["hours"] == 0:
                errors.add(row, self.header("hours"), "объём должен быть больше нуля")
                ok = False
            form = EducationalProgramme.Form.FULL_TIME
            if v.get("form"):
                form = FORM_WORDS.get(normalise(v["form"]))
                if form is None:
                    errors.add(row, self.header("form"), f"неизвестная форма обучения «{v['form']}»")
                    ok = False
            if not ok:
                continue
            items.append(
                Item(
                    row=row,
                    key=(developer_id, normalise(v["name"]), v["approved_on"]),
                    fields={"name": v["name"], "category_id": category_id, "hours": v["hours"], "form": form},
                )
            )
        return items

    def describe(self, key: tuple[Any, ...]) -> str:
        return f"программа «{key[1]}» от {key[2]:%d.%m.%Y}"

    def existing(self, items: list[Item]) -> dict[tuple[Any, ...], Any]:
        qs = EducationalProgramme.objects.filter(
            Q(developer_id__in={i.key[0] for i in items}) & Q(approved_on__in={i.key[2] for i in items})
        )
        return {(p.developer_id, normalise(p.name), p.approved_on): p for p in qs}

    def write(self, items: list[Item], *, user: Any, now: dt.datetime) -> None:
        actor = user if getattr(user, "pk", None) else None
        new = [
            EducationalProgramme(developer_id=i.key[0], approved_on=i.key[2], created_by=actor, **i.fields)
            for i in items
            if i.action == "created"
        ]
        bulk_create_with_history(new, EducationalProgramme, batch_size=500, default_user=actor)
        _update_changed(items, EducationalProgramme, actor)


def _update_changed(items: list[Item], model: Any, actor: Any) -> None:
    changed = [i for i in items if i.action == "updated"]
    if not changed:
        return
    for item in changed:
        for name in item.changed:
            setattr(item.instance, name, item.fields[name])
    fields = sorted({n for i in changed for n in i.changed})
    bulk_update_with_history([i.instance for i in changed], model, fields, batch_size=500, default_user=actor)


REPORT_COUNTS = (
    "participants_total",
    "participants_pupils_6_11",
    "participants_students",
    "participants_adults",
    "participants_50_plus",
    "schools_count",
)


class EventReportImport(ImportResource):
    """Figures of event reports: a new report is filed (on time or late, frozen
    now, like any submission); a submitted or returned one gets its figures
    corrected; an accepted one is refused."""

    kind = ImportKind.EVENT_REPORTS
    columns: ClassVar[list[Col]] = [
        Col("event", "Код мероприятия", ColType.INT, example=1, help="номер мероприятия в системе"),
        Col("summary", "Краткий отчёт", required=False, example="Проведено по плану",
            help="обязателен, если отчёт подаётся впервые"),
        Col("participants_total", "Участников, всего", ColType.INT, example=30, max_value=MAX_PARTICIPANTS),
        Col("participants_pupils_6_11", "Обучающихся 6–11 классов", ColType.INT, required=False, example=20, max_value=MAX_PARTICIPANTS),
        Col("participants_students", "Студентов", ColType.INT, required=False, example=5, max_value=MAX_PARTICIPANTS),
        Col("participants_adults", "Взрослых", ColType.INT, required=False, example=5, max_value=MAX_PARTICIPANTS),
        Col("participants_50_plus", "В возрасте 50 лет и старше", ColType.INT, required=False, example=0, max_value=MAX_PARTICIPANTS),
        Col("schools_count", "Общеобразовательных организаций", ColType.INT, required=False, example=3, max_value=MAX_PARTICIPANTS),
    ]
    key_columns = ("event",)

    def resolve(self, rows: list[tuple[int, dict[str, Any]]], *, user: Any, errors: Errors) -> list[Item]:
        ids = {v["event"] for _, v in rows}
        events = {e.pk: e for e in Event.objects.filter(pk__in=ids, activity__plan=self.plan).select_related("report")}
        self._events = events
        items = []
        for row, v in rows:
            event = events.get(v["event"])
            if event is None:
                errors.add(row, self.header("event"), f"мероприятие с кодом {v['event']} не найдено")
                continue
            ok = True
            if not can_report_event(user, event):
                errors.add(row, self.header("event"), "отчёт подаёт координатор организации-организатора")
                ok = False
            if event.cancelled_at is not None:
                errors.add(row, self.header("event"), "мероприятие отменено: отчёт не нужен")
                ok = False
            elif not hasattr(event, "report") and event.end_date > moscow_date(self.now):
                errors.add(row, self.header("event"), "мероприятие ещё не прошло: отчёт подаётся после последнего дня")
                ok = False
            for name in REPORT_COUNTS[1:5]:
                if v.get(name) is not None and v[name] > v["participants_total"]:
                    errors.add(row, self.header(name), "больше общего числа участников")
                    ok = False
            if not hasattr(event, "report") and not (v.get("summary") or "").strip():
                errors.add(row, self.header("summary"), "отчёт подаётся впервые: опишите, как прошло мероприятие")
                ok = False
            if ok:
                fields = {name: v.get(name) for name in REPORT_COUNTS}
                if v.get("summary"):
                    fields["summary"] = v["summary"]
                items.append(Item(row=row, key=(event.pk,), fields=fields))
        return items

    def describe(self, key: tuple[Any, ...]) -> str:
        return f"мероприятие {key[0]}"

    def existing(self, items: list[Item]) -> dict[tuple[Any, ...], Any]:
        events = getattr(self, "_events", {})
        return {(pk,): e.report for pk, e in events.items() if hasattr(e, "report")}

    def check_existing(self, items: list[Item], errors: Errors) -> None:
        for item in items:
            if item.action == "updated" and item.instance.status == EventReport.Status.ACCEPTED:
                errors.add(item.row, self.header("event"), "отчёт уже принят: изменить его нельзя")

    def write(self, items: list[Item], *, user: Any, now: dt.datetime) -> None:
        actor = user if getattr(user, "pk", None) else None
        events = self._events
        new = []
        for item in items:
            if item.action != "created":
                continue
            event = events[item.key[0]]
            new.append(
                EventReport(event=event, submitted_at=now, submitted_by=actor, due_at_submission=event.due_at,
                            on_time=is_on_time(now, event.due_at), status=EventReport.Status.SUBMITTED, **item.fields)
            )
        bulk_create_with_history(new, EventReport, batch_size=500, default_user=actor)
        _update_changed(items, EventReport, actor)


RESOURCES: dict[str, type[ImportResource]] = {
    ImportKind.ORGANIZATIONS: OrganizationImport,
    ImportKind.ACTUALS: ActualImport,
    ImportKind.EVENTS: EventImport,
    ImportKind.AGREEMENTS: AgreementImport,
    ImportKind.PROGRAMMES: ProgrammeImport,
    ImportKind.EVENT_REPORTS: EventReportImport,
}


def resource_for(kind: str, plan: Plan | None = None, *, now: dt.datetime | None = None) -> ImportResource:
    try:
        return RESOURCES[kind](plan, now=now)
    except KeyError:
        raise ValueError(f"unknown import {kind!r}; choose one of {', '.join(RESOURCES)}") from None
