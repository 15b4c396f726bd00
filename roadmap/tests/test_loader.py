"""Loading the order: the database matches the seed text; reloads are idempotent; bad files change nothing."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.models import Indicator, Target
from roadmap.models import Activity, Organization, Plan, Responsibility, Section
from roadmap.plans.loader import DEFAULT_PLAN_FILE, PlanDataError, plan_load
from roadmap.plans.selectors import current_plan
from roadmap.tests.test_order_data_file import parse_indicators, parse_responsible, parse_roadmap

ORG_SHORT_NAMES = {
    "ministry": "Министерство образования Тульской области",
    "copp": "ЦОПП",
    "tgmk": "ГПОУ ТО «ТГМК им. Н. Демидова»",
    "gpou-to": "ГПОУ ТО",
}


def _yaml() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _snapshot() -> dict[str, int]:
    return {
        "plans": Plan.objects.count(),
        "activities": Activity.objects.count(),
        "indicators": Indicator.objects.count(),
        "targets": Target.objects.count(),
        "responsibilities": Responsibility.objects.count(),
    }


def test_it_loads_every_activity_field_as_printed_in_the_seed(order_plan: Plan) -> None:
    sections, _ = parse_roadmap()
    db_sections = list(Section.objects.filter(plan=order_plan).order_by("order"))
    assert [s.title for s in db_sections] == [s["title"] for s in sections]
    for section, db_section in zip(sections, db_sections, strict=True):
        for seed in section["activities"]:
            activity = Activity.objects.get(plan=order_plan, number=seed["number"])
            assert activity.section_id == db_section.pk
            assert activity.name == seed["name"]
            assert activity.expected_result == seed["expected_result"]
            assert activity.evidence_document == seed["evidence_document"]
            assert activity.deadline_text == seed["deadline"]
            assert activity.responsible_text == seed["responsible_text"]
            assert activity.deadline_recognized, activity.deadline_text
            responsible = [
                (r.organization.short_name, r.by_agreement)
                for r in activity.responsibilities.select_related("organization").order_by("order")
            ]
            expected = [
                (ORG_SHORT_NAMES[r["org"]], bool(r.get("by_agreement")))
                for r in parse_responsible(seed["responsible_text"])
            ]
            assert responsible == expected, seed["number"]
    assert Activity.objects.filter(plan=order_plan).count() == 29


def test_it_joins_page_break_tails_into_the_right_fields(order_plan: Plan) -> None:
    a10 = Activity.objects.get(plan=order_plan, number=10)
    assert a10.name.endswith("на базе мастерских учреждений СПО на основе кластерного взаимодействия")
    assert a10.evidence_document.endswith("об организации стажировки, Программа стажировки")
    a2 = Activity.objects.get(plan=order_plan, number=2)
    assert a2.responsible_text.endswith("Тульской области (далее – ГПОУ ТО) (по согласованию)")
    assert list(a2.responsibilities.values_list("organization__key", "by_agreement")) == [
        ("ministry", False),
        ("copp", False),
        ("gpou-to", True),
    ]
    assert Activity.objects.get(plan=order_plan, number=18).evidence_document == ""


def test_it_loads_every_indicator_and_target_as_printed(order_plan: Plan) -> None:
    _, rows = parse_indicators()
    indicators = list(Indicator.objects.filter(indicator_set__plan=order_plan).order_by("order"))
    assert len(indicators) == len(rows) == 28
    for row, indicator in zip(rows, indicators, strict=True):
        assert indicator.printed_code == row["printed_code"]
        assert indicator.code == row["printed_code"].rstrip(".")
        assert indicator.name == row["name"]
        assert indicator.unit == row["unit"]
        targets = {t.year: t.value for t in indicator.targets.all()}
        assert targets == row["targets"], indicator.code
        expected_parent = indicator.code.rsplit(".", 1)[0] if "." in indicator.code else None
        assert (indicator.parent.code if indicator.parent else None) == expected_parent


def test_it_loads_the_unit_contradiction_as_written(order_plan: Plan) -> None:
    twelve = Indicator.objects.get(indicator_set__plan=order_plan, code="12")
    assert twelve.unit == "Единиц"
    assert twelve.value_type == Indicator.ValueType.BOOLEAN
    assert "Единиц" in twelve.note
    four = Indicator.objects.get(indicator_set__plan=order_plan, code="4")
    assert four.targets.get(year=2024).value == 73  # not "fixed" to the sum 75


def test_it_reloads_without_changing_anything(order_plan: Plan, capsys: pytest.CaptureFixture[str]) -> None:
    before = {t.pk: t.history.count() for t in Target.objects.all()}
    result = plan_load()
    assert not result.changed
    assert {t.pk: t.history.count() for t in Target.objects.all()} == before
    call_command("load_order")
    assert "nothing changed" in capsys.readouterr().out


def test_it_updates_records_in_place_from_a_changed_file(order_plan: Plan, tmp_path: Path) -> None:
    activity = Activity.objects.get(plan=order_plan, number=14)
    target = Target.objects.get(indicator__code="6", year=2024)
    data = _yaml()
    data["sections"][2]["activities"][0]["expected_result"] = "Исправленный результат"
    six = next(i for i in data["indicators"]["items"] if i["code"] == "6")
    six["targets"][2024] = 7300
    result = plan_load(path=_write(tmp_path, data))
    assert result.counts["activity:updated"] == 1
    assert result.counts["target:updated"] == 1
    activity.refresh_from_db()
    target.refresh_from_db()
    assert activity.expected_result == "Исправленный результат"
    assert Activity.objects.get(plan=order_plan, number=14).pk == activity.pk
    assert target.value == 7300
    assert target.history.first().history_change_reason == "load_order"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["sections"][0]["activities"][0].pop("deadline"), "(№ 1): missing field 'deadline'"),
        (
            lambda d: d["sections"][1]["activities"][0].update(number=3),
            "duplicate activity number 3",
        ),
        (
            lambda d: next(i for i in d["indicators"]["items"] if i["code"] == "3.1").update(parent="99"),
            "(code 3.1): unknown parent code '99'",
        ),
        (
            lambda d: d["sections"][0]["activities"][1]["responsible"].append({"org": "nobody"}),
            "unknown organisation 'nobody'",
        ),
        (
            lambda d: d["indicators"]["items"][1]["targets"].update({2024: -5}),
            "expected a non-negative integer, got '-5'",
        ),
        (
            lambda d: d["indicators"]["items"][0]["targets"].update({2024: 3}),
            "expected yes/no (true/false), got '3'",
        ),
        (lambda d: d["plan"].pop("first_year"), "missing field 'first_year'"),
        (lambda d: d["plan"].update(signature=["Сорокина"]), "plan.signature: must be a mapping"),
        (lambda d: d["plan"]["signature"].update(boss="Иванов"), "plan.signature: unknown field 'boss'"),
        (lambda d: d["plan"]["signature"].update(phone=24_51_04), "plan.signature.phone: must be text"),
    ],
    ids=[
        "missing-field",
        "duplicate-number",
        "unknown-parent",
        "unknown-org",
        "negative",
        "bool-type",
        "plan-field",
        "signature-list",
        "signature-unknown",
        "signature-number",
    ],
)
def test_it_refuses_a_bad_file_naming_the_place_and_loads_nothing(
    db: Any, tmp_path: Path, mutate: Any, message: str
) -> None:
    data = copy.deepcopy(_yaml())
    mutate(data)
    with pytest.raises(PlanDataError) as excinfo:
        plan_load(path=_write(tmp_path, data))
    assert any(message in e for e in excinfo.value.errors), excinfo.value.errors
    assert _snapshot() == {"plans": 0, "activities": 0, "indicators": 0, "targets": 0, "responsibilities": 0}


def test_it_keeps_the_loaded_plan_intact_when_a_bad_update_is_refused(order_plan: Plan, tmp_path: Path) -> None:
    before = _snapshot()
    data = _yaml()
    data["sections"][0]["activities"][0]["name"] = "Новое имя"
    data["indicators"]["items"][3]["parent"] = "nope"
    with pytest.raises(PlanDataError):
        plan_load(path=_write(tmp_path, data))
    assert _snapshot() == before
    assert Activity.objects.get(plan=order_plan, number=1).name.startswith("Разработка и актуализация")


def test_it_reports_a_broken_file_from_the_command(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("plan: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid YAML"):
        call_command("load_order", str(path))
    assert Plan.objects.count() == 0


def test_it_loads_a_next_plan_beside_the_first_and_the_dates_make_it_current(order_plan: Plan, tmp_path: Path) -> None:
    data = _yaml()
    data["plan"].update(key="tula-next-2026", number="1999", first_year=2026, last_year=2028)
    for item in data["indicators"]["items"]:
        item["targets"] = {year + 3: value for year, value in item["targets"].items()}
    for section in data["sections"]:
        for activity in section["activities"]:
            activity["deadline"] = (
                activity["deadline"].replace("2025", "2028").replace("2023", "2026").replace("2022", "2025")
            )
    plan_load(path=_write(tmp_path, data))
    nxt = Plan.objects.get(key="tula-next-2026")
    order_plan.refresh_from_db()
    # Nobody marked a plan current: today's year decides, and the load flipped nothing.
    assert not nxt.is_current and not order_plan.is_current
    assert current_plan(dt.date(2026, 12, 2)) == nxt
    assert current_plan(dt.date(2025, 12, 31)) == order_plan
    assert Activity.objects.filter(plan=nxt).count() == 29
    annual = Activity.objects.get(plan=nxt, number=4)
    assert [(w.start.year, w.end.year) for w in annual.windows.all()] == [(2026, 2026), (2027, 2027), (2028, 2028)]
    assert Organization.objects.filter(key="copp").count() == 1


def test_it_flags_an_unknown_deadline_phrase_for_an_administrator(
    db: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _yaml()
    data["sections"][0]["activities"][0]["deadline"] = "По отдельному графику"
    call_command("load_order", str(_write(tmp_path, data)))
    activity = Activity.objects.get(number=1)
    assert not activity.deadline_recognized
    assert activity.deadline_text == "По отдельному графику"
    assert activity.windows.count() == 0
    assert "По отдельному графику" in capsys.readouterr().err


def test_it_keeps_windows_an_administrator_set_for_an_unknown_phrase(db: Any, tmp_path: Path) -> None:
    data = _yaml()
    data["sections"][0]["activities"][0]["deadline"] = "По отдельному графику"
    path = _write(tmp_path, data)
    plan_load(path=path)
    activity = Activity.objects.get(number=1)
    activity.windows.create(start="2023-02-01", end="2023-02-28")
    plan_load(path=path)
    assert [(w.start.isoformat(), w.end.isoformat()) for w in activity.windows.all()] == [("2023-02-01", "2023-02-28")]


def test_it_loads_the_signature_block_of_the_reports(order_plan: Plan) -> None:
    assert (
        order_plan.signature_head,
        order_plan.signature_head_position,
        order_plan.signature_executor,
        order_plan.signature_phone,
    ) == (
        "Л.Ю. Сорокина",
        "директор департамента образования министерства образования Тульской области",
        "Алексеенко Екатерина Витальевна",
        "8(4872) 24-51-04 (26-23)",
    )


def test_a_reload_keeps_the_signature_an_administrator_edited_and_fills_empty_fields(
    order_plan: Plan, tmp_path: Path
) -> None:
    Plan.objects.filter(pk=order_plan.pk).update(signature_executor="Петрова Анна Сергеевна", signature_phone="")
    data = _yaml()
    data["plan"]["signature"]["executor"] = "Из файла"
    plan_load(path=_write(tmp_path, data))
    order_plan.refresh_from_db()
    assert order_plan.signature_executor == "Петрова Анна Сергеевна"
    assert order_plan.signature_phone == "8(4872) 24-51-04 (26-23)"


def test_a_file_without_a_signature_block_takes_it_from_the_contact_lines(db: Any, tmp_path: Path) -> None:
    data = _yaml()
    del data["plan"]["signature"]
    data["plan"].update(signed_by="И.И. Иванов, министр", contact="Петров Пётр Петрович, тел. 8(4872) 00-00-00")
    plan_load(path=_write(tmp_path, data))
    plan = Plan.objects.get()
    assert (plan.signature_head, plan.signature_head_position, plan.signature_executor, plan.signature_phone) == (
        "И.И. Иванов",
        "министр",
        "Петров Пётр Петрович",
        "8(4872) 00-00-00",
    )


def test_the_migration_fills_the_signature_of_stored_plans_from_their_contacts(order_plan: Plan) -> None:
    from importlib import import_module

    from django.apps import apps

    Plan.objects.filter(pk=order_plan.pk).update(
        signature_head="", signature_head_position="", signature_executor="", signature_phone=""
    )
    import_module("roadmap.migrations.0007_plan_signature").fill_from_contacts(apps, None)
    order_plan.refresh_from_db()
    assert order_plan.signature_head == "Л.Ю. Сорокина"
    assert order_plan.signature_head_position.startswith("директор департамента образования")
    assert (order_plan.signature_executor, order_plan.signature_phone) == (
        "Алексеенко Екатерина Витальевна",
        "8(4872) 24-51-04 (26-23)",
    )
