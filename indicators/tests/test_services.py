"""Actual values: validation, the approval workflow and who may do each step, audit, locking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from indicators import services
from indicators.models import Actual, ActualChange, Indicator
from indicators.tests.factories import NOW
from roadmap.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture
def ind(order_plan: Any) -> Any:
    by_code = {i.code: i for i in Indicator.objects.filter(indicator_set__plan=order_plan)}
    return by_code.__getitem__


@pytest.fixture
def college(db: Any) -> Any:
    return OrganizationFactory()


@pytest.fixture
def people(make_user: Any, college: Any) -> dict[str, Any]:
    return {
        "coordinator": make_user("coordinator", organization=college),
        "stranger": make_user("coordinator", organization=OrganizationFactory()),
        "copp": make_user("copp"),
        "ministry": make_user("ministry"),
        "admin": make_user("admin"),
    }


def draft(ind: Any, college: Any, people: dict[str, Any], value: Any = 120, code: str = "3") -> Actual:
    return services.actual_create(
        indicator=ind(code), year=2024, organization=college, value=value, user=people["coordinator"], now=NOW
    )


def submitted(ind: Any, college: Any, people: dict[str, Any]) -> Actual:
    actual = draft(ind, college, people)
    return services.actual_submit(actual=actual, user=people["coordinator"], now=NOW)


# --- input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "field"),
    [
        ("3", -1, "value"),
        ("3", True, "value"),
        ("3", 1.5, "value"),
        ("3", "много", "value"),
        ("3", None, "value"),
        ("1", 1, "value"),
        ("1", "да", "value"),
    ],
)
def test_it_refuses_bad_values_naming_the_field(
    ind: Any, college: Any, people: Any, code: str, value: Any, field: str
) -> None:
    with pytest.raises(services.InvalidInput) as refused:
        draft(ind, college, people, value=value, code=code)
    assert refused.value.field == field
    assert not Actual.objects.exists()


def test_it_accepts_whole_numbers_and_yes_no(ind: Any, college: Any, people: Any) -> None:
    assert draft(ind, college, people, value=0).value == 0
    assert draft(ind, college, people, value=True, code="1").value is True
    assert draft(ind, college, people, value=12.0, code="3.1").value == 12


def test_it_refuses_years_outside_the_plan_and_unknown_periods(ind: Any, college: Any, people: Any) -> None:
    with pytest.raises(services.InvalidInput) as refused:
        services.actual_create(
            indicator=ind("3"), year=2026, organization=college, value=1, user=people["copp"], now=NOW
        )
    assert refused.value.field == "year"
    with pytest.raises(services.InvalidInput) as refused:
        services.actual_create(
            indicator=ind("3"), year=2024, period="q5", organization=college, value=1, user=people["copp"], now=NOW
        )
    assert refused.value.field == "period"


def test_it_refuses_a_second_value_for_the_same_organisation_and_period(ind: Any, college: Any, people: Any) -> None:
    first = draft(ind, college, people)
    with pytest.raises(services.Conflict, match=str(first.pk)):
        draft(ind, college, people)
    quarter = services.actual_create(
        indicator=ind("3"), year=2024, period="q1", organization=college, value=5, user=people["coordinator"], now=NOW
    )
    assert quarter.pk != first.pk


# --- who may do what -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("coordinator", True), ("copp", True), ("admin", True), ("stranger", False), ("ministry", False)],
)
def test_it_lets_only_those_acting_for_the_organisation_enter_values(
    ind: Any, college: Any, people: Any, who: str, allowed: bool
) -> None:
    def enter() -> Actual:
        return services.actual_create(
            indicator=ind("3"), year=2024, organization=college, value=1, user=people[who], now=NOW
        )

    if allowed:
        assert enter().status == Actual.Status.DRAFT
    else:
        with pytest.raises(PermissionDenied):
            enter()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("coordinator", False), ("stranger", False), ("copp", True), ("ministry", True), ("admin", True)],
)
def test_it_lets_only_copp_and_ministry_staff_approve_and_return(
    ind: Any, college: Any, people: Any, who: str, allowed: bool
) -> None:
    actual = submitted(ind, college, people)
    if allowed:
        assert services.actual_approve(actual=actual, user=people[who], now=LATER).status == Actual.Status.APPROVED
    else:
        with pytest.raises(PermissionDenied):
            services.actual_approve(actual=actual, user=people[who], now=LATER)
        with pytest.raises(PermissionDenied):
            services.actual_return(actual=actual, user=people[who], now=LATER, reason="нет")
        assert Actual.objects.get(pk=actual.pk).status == Actual.Status.SUBMITTED


@pytest.mark.parametrize(
    ("who", "allowed"), [("coordinator", False), ("copp", False), ("ministry", True), ("admin", True)]
)
def test_it_lets_only_the_ministry_reopen_an_approved_value(
    ind: Any, college: Any, people: Any, who: str, allowed: bool
) -> None:
    actual = services.actual_approve(actual=submitted(ind, college, people), user=people["copp"], now=LATER)
    if allowed:
        reopened = services.actual_reopen(actual=actual, user=people[who], now=LATER, reason="Пересчёт")
        assert (reopened.status, reopened.return_reason) == (Actual.Status.RETURNED, "Пересчёт")
    else:
        with pytest.raises(PermissionDenied):
            services.actual_reopen(actual=actual, user=people[who], now=LATER, reason="Пересчёт")


# --- transitions -----------------------------------------------------------------------------------


def test_it_goes_draft_submitted_returned_submitted_approved(ind: Any, college: Any, people: Any) -> None:
    actual = submitted(ind, college, people)
    actual = services.actual_return(actual=actual, user=people["ministry"], now=LATER, reason="Нет подтверждения")
    assert (actual.status, actual.return_reason) == (Actual.Status.RETURNED, "Нет подтверждения")
    actual = services.actual_update(
        actual=actual, value=130, version=actual.version, user=people["coordinator"], now=LATER
    )
    actual = services.actual_submit(actual=actual, user=people["coordinator"], now=LATER)
    assert actual.return_reason == ""
    actual = services.actual_approve(actual=actual, user=people["ministry"], now=LATER)
    assert (actual.status, actual.value, actual.approved_at, actual.approved_by) == (
        Actual.Status.APPROVED,
        130,
        LATER,
        people["ministry"],
    )
    actions = list(ActualChange.objects.filter(actual=actual).values_list("action", "old_status", "new_status"))
    assert actions == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("return", "submitted", "returned"),
        ("edit", "returned", "returned"),
        ("submit", "returned", "submitted"),
        ("approve", "submitted", "approved"),
    ]


@pytest.mark.parametrize(
    ("state", "step"),
    [
        ("draft", "approve"),
        ("draft", "return"),
        ("draft", "reopen"),
        ("submitted", "submit"),
        ("submitted", "reopen"),
        ("approved", "submit"),
        ("approved", "approve"),
        ("approved", "return"),
        ("returned", "approve"),
        ("returned", "reopen"),
    ],
)
def test_it_refuses_invalid_transitions_and_changes_nothing(
    ind: Any, college: Any, people: Any, state: str, step: str
) -> None:
    actual = draft(ind, college, people)
    Actual.objects.filter(pk=actual.pk).update(status=state)
    actual.refresh_from_db()
    before = (actual.status, actual.version, ActualChange.objects.count())
    user = people["ministry"] if step in ("approve", "return", "reopen") else people["coordinator"]
    func = {
        "submit": services.actual_submit,
        "approve": services.actual_approve,
        "return": services.actual_return,
        "reopen": services.actual_reopen,
    }[step]
    kwargs = {"reason": "причина"} if step in ("return", "reopen") else {}
    with pytest.raises(services.Conflict):
        func(actual=actual, user=user, now=LATER, **kwargs)
    actual.refresh_from_db()
    assert (actual.status, actual.version, ActualChange.objects.count()) == before


def test_it_locks_an_approved_value_until_the_ministry_reopens_it(ind: Any, college: Any, people: Any) -> None:
    actual = services.actual_approve(actual=submitted(ind, college, people), user=people["copp"], now=LATER)
    with pytest.raises(services.Conflict):
        services.actual_update(
            actual=actual, value=1, version=actual.version, user=people["copp"], now=LATER, reason="x"
        )
    actual = services.actual_reopen(actual=actual, user=people["ministry"], now=LATER, reason="Ошибка")
    with pytest.raises(services.InvalidInput) as refused:
        services.actual_update(actual=actual, value=1, version=actual.version, user=people["coordinator"], now=LATER)
    assert refused.value.field == "reason"
    actual = services.actual_update(
        actual=actual, value=1, version=actual.version, user=people["coordinator"], now=LATER, reason="Исправлено"
    )
    change = actual.changes.last()
    assert (change.old_value, change.new_value, change.reason, change.user) == (
        120,
        1,
        "Исправлено",
        people["coordinator"],
    )


def test_it_requires_a_reason_to_return_or_reopen(ind: Any, college: Any, people: Any) -> None:
    actual = submitted(ind, college, people)
    with pytest.raises(services.InvalidInput) as refused:
        services.actual_return(actual=actual, user=people["ministry"], now=LATER, reason="  ")
    assert refused.value.field == "reason"


def test_it_requires_evidence_for_a_yes(ind: Any, college: Any, people: Any) -> None:
    actual = draft(ind, college, people, value=True, code="12")
    with pytest.raises(services.InvalidInput) as refused:
        services.actual_submit(actual=actual, user=people["coordinator"], now=LATER)
    assert refused.value.field == "evidence"
    actual = services.actual_update(
        actual=actual,
        value=True,
        evidence="https://copp71.ru/news",
        version=actual.version,
        user=people["coordinator"],
        now=LATER,
    )
    assert services.actual_submit(actual=actual, user=people["coordinator"], now=LATER).status == "submitted"


# --- concurrent edits ---------------------------------------------------------------------------------


def test_it_refuses_a_stale_edit_and_keeps_the_first_one(ind: Any, college: Any, people: Any) -> None:
    actual = draft(ind, college, people)
    opened_by_both = actual.version
    first_copy, second_copy = Actual.objects.get(pk=actual.pk), Actual.objects.get(pk=actual.pk)
    services.actual_update(actual=first_copy, value=130, version=opened_by_both, user=people["coordinator"], now=LATER)
    with pytest.raises(services.StaleVersion) as refused:
        services.actual_update(actual=second_copy, value=140, version=opened_by_both, user=people["copp"], now=LATER)
    assert refused.value.field == "version"
    assert "1" in refused.value.message and "2" in refused.value.message  # the versions, to reload
    actual.refresh_from_db()
    assert (actual.value, actual.version) == (130, opened_by_both + 1)
    assert actual.changes.filter(action="edit").count() == 1


def test_it_refuses_a_stale_approval(ind: Any, college: Any, people: Any) -> None:
    actual = submitted(ind, college, people)
    seen = actual.version
    services.actual_return(actual=Actual.objects.get(pk=actual.pk), user=people["copp"], now=LATER, reason="Проверить")
    with pytest.raises(services.StaleVersion):
        services.actual_approve(actual=actual, user=people["ministry"], now=LATER, version=seen)
    assert Actual.objects.get(pk=actual.pk).status == Actual.Status.RETURNED


def test_it_approves_once_when_approved_twice(ind: Any, college: Any, people: Any) -> None:
    actual = submitted(ind, college, people)
    services.actual_approve(actual=Actual.objects.get(pk=actual.pk), user=people["ministry"], now=LATER)
    with pytest.raises(services.Conflict):
        services.actual_approve(actual=Actual.objects.get(pk=actual.pk), user=people["copp"], now=LATER)
    assert ActualChange.objects.filter(actual=actual, action="approve").count() == 1


# --- bulk approval -------------------------------------------------------------------------------------


def test_it_bulk_approves_submitted_values_and_reports_the_rest(ind: Any, college: Any, people: Any) -> None:
    ready = [
        services.actual_submit(
            actual=services.actual_create(
                indicator=ind(code), year=2024, organization=college, value=5, user=people["coordinator"], now=NOW
            ),
            user=people["coordinator"],
            now=NOW,
        )
        for code in ("3", "3.1", "6")
    ]
    still_draft = draft(ind, college, people, code="7")
    result = services.actuals_bulk_approve(
        actual_ids=[a.pk for a in ready] + [still_draft.pk, 999999], user=people["ministry"], now=LATER
    )
    assert sorted(result.approved) == sorted(a.pk for a in ready)
    assert set(result.refused) == {still_draft.pk, 999999}
    assert Actual.objects.filter(status="approved").count() == 3
    with pytest.raises(PermissionDenied):
        services.actuals_bulk_approve(actual_ids=[still_draft.pk], user=people["coordinator"], now=LATER)
