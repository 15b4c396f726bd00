"""The fictional 2026–2028 example plan: every deadline read, loaded beside the order."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command

from indicators.models import Indicator, Target
from roadmap.models import Activity, DeadlineWindow, Organization, Plan, Responsibility
from roadmap.plans.deadlines import Window, parse_deadline
from roadmap.plans.loader import DATA_DIR, DEFAULT_PLAN_FILE, plan_load
from roadmap.tests.test_deadlines_grammar import ISSUE_PHRASES

EXAMPLE_FILE = DATA_DIR / "plans" / "examples" / "tula_2026_2028_example.yaml"
EXAMPLE_KEY = "tula-example-2026-2028"


def _data() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE_FILE.read_text(encoding="utf-8"))


def _deadlines() -> list[tuple[int, str]]:
    return [
        (activity["number"], activity["deadline"])
        for section in _data()["sections"]
        for activity in section["activities"]
    ]


def test_it_is_marked_as_a_fictional_example() -> None:
    text = EXAMPLE_FILE.read_text(encoding="utf-8")
    assert "FICTIONAL EXAMPLE" in text and "ВЫМЫШЛЕННЫЙ ПРИМЕР" in text
    plan = _data()["plan"]
    assert plan["key"] == EXAMPLE_KEY
    assert plan["title"].startswith("ПРИМЕР (вымышленный документ")
    assert (plan["first_year"], plan["last_year"]) == (2026, 2028)
    assert "predecessor" not in text


def test_it_is_not_the_file_loaded_by_default() -> None:
    assert Path(DEFAULT_PLAN_FILE).resolve() != EXAMPLE_FILE.resolve()
    assert EXAMPLE_FILE.parent != Path(DEFAULT_PLAN_FILE).parent


def test_it_uses_every_phrase_of_the_issue_and_each_one_reads() -> None:
    deadlines = _deadlines()
    assert {text for _, text in deadlines} == {text for text, *_ in ISSUE_PHRASES}
    for number, text in deadlines:
        parsed = parse_deadline(text, 2026, 2028)
        assert parsed.recognized and parsed.windows, (number, text, parsed.reason)


@pytest.mark.django_db
def test_it_loads_beside_the_order_with_every_deadline_read(order_plan: Plan) -> None:
    def order_records() -> dict[str, list[Any]]:
        return {
            "activities": list(Activity.objects.filter(plan=order_plan).order_by("number").values()),
            "windows": list(
                DeadlineWindow.objects.filter(activity__plan=order_plan).order_by("activity__number", "start").values()
            ),
            "responsibilities": list(Responsibility.objects.filter(activity__plan=order_plan).order_by("pk").values()),
            "organizations": list(Organization.objects.order_by("key").values()),
            "indicators": list(Indicator.objects.filter(indicator_set__plan=order_plan).order_by("pk").values()),
            "targets": list(Target.objects.filter(indicator__indicator_set__plan=order_plan).order_by("pk").values()),
        }

    before = order_records()
    out, err = StringIO(), StringIO()
    call_command("load_order", str(EXAMPLE_FILE), stdout=out, stderr=err)

    assert "not recognised" not in err.getvalue()
    plan = Plan.objects.get(key=EXAMPLE_KEY)
    activities = list(Activity.objects.filter(plan=plan).order_by("number"))
    assert len(activities) == len(_deadlines()) == 19
    for activity in activities:
        assert activity.deadline_recognized, activity.deadline_text
        stored = tuple(Window(s, e) for s, e in activity.windows.order_by("start").values_list("start", "end"))
        assert stored == parse_deadline(activity.deadline_text, 2026, 2028).windows, activity.deadline_text
        assert stored, activity.deadline_text

    # The order's records are untouched, and the organisations are shared, not copied.
    assert order_records() == before
    assert Organization.objects.count() == 4
    assert Plan.objects.filter(key=order_plan.key).exists()

    indicators = Indicator.objects.filter(indicator_set__plan=plan)
    assert indicators.count() == 9
    for indicator in indicators:
        assert sorted(indicator.targets.values_list("year", flat=True)) == [2026, 2027, 2028], indicator.code

    # A second load changes nothing.
    out = StringIO()
    call_command("load_order", str(EXAMPLE_FILE), stdout=out, stderr=StringIO())
    assert "nothing changed" in out.getvalue()


@pytest.mark.django_db
def test_it_stores_the_season_and_academic_year_windows_clipped_to_the_plan() -> None:
    plan_load(path=EXAMPLE_FILE)
    plan = Plan.objects.get(key=EXAMPLE_KEY)

    def stored(number: int) -> list[tuple[str, str]]:
        activity = Activity.objects.get(plan=plan, number=number)
        return [
            (s.isoformat(), e.isoformat()) for s, e in activity.windows.order_by("start").values_list("start", "end")
        ]

    assert stored(12) == [  # «Ежегодно, ноябрь – февраль»
        ("2026-11-01", "2027-02-28"),
        ("2027-11-01", "2028-02-29"),
        ("2028-11-01", "2028-12-31"),
    ]
    assert stored(13)[0] == ("2026-01-01", "2026-06-30")  # «в течение учебного года»
    assert stored(13)[-1] == ("2028-09-01", "2028-12-31")
    assert stored(1) == [("2026-10-01", "2026-12-31")]  # «IV квартал 2026 г.»


@pytest.mark.django_db
def test_it_flags_a_relative_deadline_with_its_reason_and_no_window(tmp_path: Path) -> None:
    data = _data()
    data["sections"][0]["activities"][0]["deadline"] = "не позднее 10 рабочих дней после подписания соглашения"
    path = tmp_path / "example.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    err = StringIO()
    call_command("load_order", str(path), stdout=StringIO(), stderr=err)

    assert (
        "deadline not recognised, an administrator must set it: № 1: "
        "«не позднее 10 рабочих дней после подписания соглашения»: a deadline relative to another event"
    ) in err.getvalue()
    activity = Activity.objects.get(plan__key=EXAMPLE_KEY, number=1)
    assert not activity.deadline_recognized
    assert not activity.windows.exists()
    assert Activity.objects.filter(plan__key=EXAMPLE_KEY, deadline_recognized=True).count() == 18
