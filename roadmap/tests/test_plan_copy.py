"""Starting a new plan from an old one: the service, the command and the admin action."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Indicator, IndicatorSource, Target, ValidationRule
from roadmap.accounts.roles import Role
from roadmap.models import Activity, DeadlineWindow, Plan, Responsibility, Section
from roadmap.plans import plan_copy as plan_copy_module
from roadmap.plans.plan_copy import PlanCopyError, plan_copy
from roadmap.plans.selectors import current_plan
from roadmap.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SOURCE = "tula-2714-2022"


def counts() -> tuple[int, ...]:
    return (
        Plan.objects.count(),
        Section.objects.count(),
        Activity.objects.count(),
        DeadlineWindow.objects.count(),
        Responsibility.objects.count(),
        Indicator.objects.count(),
        Target.objects.count(),
    )


def test_it_copies_sections_activities_parties_and_indicators_without_targets(order_plan: Any) -> None:
    old_windows = list(DeadlineWindow.objects.filter(activity__plan=order_plan).values_list("id", "start", "end"))
    order_plan.is_current = True  # an administrator marked the order current
    order_plan.save(update_fields=["is_current"])
    result = plan_copy(source_key=SOURCE, key="tula-2026", first_year=2026, last_year=2028)
    new = result.plan
    assert (new.first_year, new.last_year, new.is_current) == (2026, 2028, False)
    assert new.number == "проект" and new.date == dt.date(2026, 1, 1)
    assert Plan.objects.get(key=SOURCE).is_current  # the marked plan stays current until an admin says otherwise
    assert current_plan(dt.date(2026, 12, 3)) == order_plan
    assert [s.title for s in new.sections.order_by("order")] == [s.title for s in order_plan.sections.order_by("order")]
    old_activities = list(order_plan.activities.order_by("number"))
    new_activities = list(new.activities.order_by("number"))
    assert [(a.number, a.name, a.deadline_text, a.evidence_document) for a in new_activities] == [
        (a.number, a.name, a.deadline_text, a.evidence_document) for a in old_activities
    ]
    assert (
        Responsibility.objects.filter(activity__plan=new).count()
        == Responsibility.objects.filter(activity__plan=order_plan).count()
    )
    new_indicators = Indicator.objects.filter(indicator_set__plan=new)
    assert new_indicators.count() == Indicator.objects.filter(indicator_set__plan=order_plan).count()
    assert not Target.objects.filter(indicator__indicator_set__plan=new).exists()
    for indicator in new_indicators.select_related("predecessor__indicator_set", "parent"):
        assert indicator.predecessor.code == indicator.code
        assert indicator.predecessor.indicator_set.plan_id == order_plan.pk
        if indicator.parent:
            assert indicator.parent.indicator_set.plan_id == new.pk
    assert (
        ValidationRule.objects.filter(indicator_set__plan=new).count()
        == ValidationRule.objects.filter(indicator_set__plan=order_plan).count()
    )
    for source in IndicatorSource.objects.filter(indicator__indicator_set__plan=new):
        assert all(a.plan_id == new.pk for a in source.activities.all())
    # The old plan is untouched.
    assert (
        list(DeadlineWindow.objects.filter(activity__plan=order_plan).values_list("id", "start", "end")) == old_windows
    )


def test_deadlines_are_read_again_for_the_new_years_and_dated_ones_are_flagged(order_plan: Any) -> None:
    result = plan_copy(source_key=SOURCE, key="tula-2026", first_year=2026, last_year=2028)
    first = Activity.objects.get(plan=result.plan, number=1)  # «январь – март 2023 г.» in the order
    assert not first.deadline_recognized and not first.windows.exists()
    assert any(f.startswith("№ 1:") and "вне 2026–2028" in f for f in result.flagged_deadlines)
    recognised = Activity.objects.filter(plan=result.plan, deadline_recognized=True)
    assert recognised.exists()
    for window in DeadlineWindow.objects.filter(activity__plan=result.plan):
        assert dt.date(2026, 1, 1) <= window.start <= window.end <= dt.date(2028, 12, 31)


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"key": SOURCE}, "key", "уже есть"),
        ({"key": "новый план"}, "key", "недопустим"),
        ({"source_key": "nope"}, "source", "не найден"),
        ({"first_year": 2029, "last_year": 2028}, "last_year", "раньше первого"),
        ({"first_year": 1999}, "first_year", "недопустим"),
        ({"last_year": 2101}, "last_year", "недопустим"),
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(order_plan: Any, kwargs: dict, field: str, words: str) -> None:
    before = counts()
    args = {"source_key": SOURCE, "key": "tula-2026", "first_year": 2026, "last_year": 2028} | kwargs
    with pytest.raises(PlanCopyError) as exc:
        plan_copy(**args)
    assert exc.value.field == field and words in exc.value.message
    assert counts() == before


def test_the_copy_is_atomic(order_plan: Any, monkeypatch: Any) -> None:
    before = counts()

    def broken(*args: Any) -> None:
        raise RuntimeError("hook failed")

    monkeypatch.setattr(plan_copy_module, "_HOOKS", [*plan_copy_module._HOOKS, broken])
    with pytest.raises(RuntimeError):
        plan_copy(source_key=SOURCE, key="tula-2026", first_year=2026, last_year=2028)
    assert counts() == before


def test_the_command_copies_and_names_what_to_check(order_plan: Any) -> None:
    out, err = StringIO(), StringIO()
    call_command(
        "plan_copy", SOURCE, "--key", "tula-2026", "--first-year", "2026", "--last-year", "2028", stdout=out, stderr=err
    )
    assert "copied tula-2714-2022 as tula-2026" in out.getvalue()
    assert "№ 1:" in err.getvalue()
    with pytest.raises(CommandError, match=r"key: План с ключом «tula-2026» уже есть.*Nothing was copied"):
        call_command("plan_copy", SOURCE, "--key", "tula-2026", "--first-year", "2026", "--last-year", "2028")


def test_the_admin_action_asks_for_the_key_and_years(order_plan: Any, client: Any) -> None:
    client.force_login(UserFactory(role=Role.ADMIN))
    url = "/admin/roadmap/plan/"
    form = client.post(url, {"action": "copy_plan", "_selected_action": [order_plan.pk]})
    assert form.status_code == 200 and "Ключ нового плана" in form.content.decode()
    taken = client.post(
        url,
        {
            "action": "copy_plan",
            "_selected_action": [order_plan.pk],
            "apply": "1",
            "key": SOURCE,
            "first_year": 2026,
            "last_year": 2028,
        },
    )
    assert taken.status_code == 200 and "уже есть" in taken.content.decode()
    done = client.post(
        url,
        {
            "action": "copy_plan",
            "_selected_action": [order_plan.pk],
            "apply": "1",
            "key": "tula-2026",
            "first_year": 2026,
            "last_year": 2028,
        },
        follow=True,
    )
    assert done.status_code == 200
    assert Plan.objects.filter(key="tula-2026").exists()
    assert "создан" in done.content.decode()
