"""Several plans side by side: order No 2714 (2023–2025) and a small 2026–2028 plan.

The second plan is written here (a minimal file in the bundled format, signed
in December 2025 so its period overlaps the order's last days); events go
under both plans through the web form, the API and the Excel import, the
archive's reports build, and dates outside every plan are refused by name.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
import yaml
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from copp.web import PlanYear
from indicators.models import Actual, Indicator
from reports.builders import build_to, builder_class
from reports.dashboard.snapshot import Dashboard
from reports.services import import_confirm, import_dry_run
from reports.tests.conftest import xlsx_bytes
from roadmap.events.services import event_create, event_plan_errors
from roadmap.models import Activity, Event, Organization, Plan
from roadmap.plans.deadlines import MOSCOW
from roadmap.plans.plan_current import plan_mark_current
from roadmap.plans.selectors import current_plan, is_archive, out_of_plans_message, plan_for_dates, plan_periods_text

NEXT_KEY = "tula-next-2026"
TODAY = dt.datetime(2026, 12, 2, 12, tzinfo=MOSCOW)


def next_plan_data() -> dict[str, Any]:
    return {
        "plan": {
            "key": NEXT_KEY,
            "number": "1001",
            "date": dt.date(2025, 12, 20),
            "issuer": "Министерство образования Тульской области",
            "title": "Пример: дорожная карта ЦОПП на 2026–2028 гг. (вымышленная, для тестов)",
            "first_year": 2026,
            "last_year": 2028,
        },
        "organizations": [
            {
                "key": "copp",
                "kind": "copp",
                "short_name": "ЦОПП",
                "name": "Центр опережающей профессиональной подготовки Тульской области",
                "municipality": "город Тула",
                "is_group": False,
            },
        ],
        "sections": [
            {
                "title": "Профориентация",
                "activities": [
                    {
                        "number": 1,
                        "name": "Профессиональные пробы для школьников",
                        "expected_result": "Проведены пробы",
                        "evidence_document": "Отчёт",
                        "deadline": "Ежегодно",
                        "responsible_text": "ЦОПП",
                        "responsible": [{"org": "copp"}],
                    },
                    {
                        "number": 2,
                        "name": "Стратегическая сессия",
                        "expected_result": "Проведена сессия",
                        "evidence_document": "Протокол",
                        "deadline": "Январь – март 2026 г.",
                        "responsible_text": "ЦОПП",
                        "responsible": [{"org": "copp"}],
                    },
                ],
            },
        ],
        "indicators": {
            "title": "Показатели 2026–2028",
            "items": [
                {
                    "code": "1",
                    "printed_code": "1.",
                    "parent": None,
                    "name": "Охвачено профпробами",
                    "unit": "человек",
                    "value_type": "number",
                    "aggregation": "flow",
                    "targets": {2026: 100, 2027: 110, 2028: 120},
                },
            ],
        },
    }


def write_plan(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "next_plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def plans(order_plan: Plan, tmp_path: Path) -> tuple[Plan, Plan]:
    call_command("load_order", str(write_plan(tmp_path, next_plan_data())), stdout=io.StringIO())
    return order_plan, Plan.objects.get(key=NEXT_KEY)


@pytest.fixture
def copp(plans: Any) -> Organization:
    return Organization.objects.get(key="copp")


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def activity(plan: Plan, number: int) -> Activity:
    return Activity.objects.select_related("plan").get(plan=plan, number=number)


# --- loading --------------------------------------------------------------------

PLAN_MODELS = [
    "roadmap.plan",
    "roadmap.section",
    "roadmap.activity",
    "roadmap.deadlinewindow",
    "roadmap.responsibility",
    "indicators",
]


def dump() -> dict[tuple[str, Any], str]:
    out = io.StringIO()
    call_command("dumpdata", *PLAN_MODELS, format="json", stdout=out)
    return {
        (o["model"], o["pk"]): json.dumps(o, ensure_ascii=False, sort_keys=True) for o in json.loads(out.getvalue())
    }


def test_load_order_puts_a_second_plan_beside_the_first_without_touching_it(order_plan: Plan, tmp_path: Path) -> None:
    before = dump()
    call_command("load_order", str(write_plan(tmp_path, next_plan_data())), stdout=io.StringIO())
    after = dump()
    # Every record of the first plan is byte-identical; the new plan only added records.
    assert {key: after.get(key) for key in before} == before
    added = {model for model, _pk in set(after) - set(before)}
    assert {"roadmap.plan", "roadmap.activity", "indicators.indicator", "indicators.target"} <= added
    assert not Plan.objects.filter(is_current=True).exists()  # nothing flipped: the dates choose


def test_load_order_current_marks_the_loaded_plan_and_only_it(order_plan: Plan, tmp_path: Path) -> None:
    plan_mark_current(plan=order_plan)
    call_command("load_order", str(write_plan(tmp_path, next_plan_data())), "--current", stdout=io.StringIO())
    assert list(Plan.objects.filter(is_current=True).values_list("key", flat=True)) == [NEXT_KEY]
    plan_mark_current(plan=None)
    assert not Plan.objects.filter(is_current=True).exists()


# --- which plan --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2022, 12, 1), "tula-2714-2022"),  # nothing has begun: the earliest
        (dt.date(2022, 12, 16), "tula-2714-2022"),  # the order's own day: it has begun
        (dt.date(2025, 12, 31), "tula-2714-2022"),  # the next plan's period began, but 2025 is the order's year
        (dt.date(2026, 1, 1), NEXT_KEY),
        (dt.date(2028, 12, 31), NEXT_KEY),
        (dt.date(2031, 6, 1), NEXT_KEY),  # every plan over: the most recent that has begun
    ],
)
def test_the_current_plan_follows_today_at_its_boundaries(plans: Any, today: dt.date, expected: str) -> None:
    assert current_plan(today).key == expected


def test_a_plan_marked_by_an_administrator_is_current_whatever_the_date(plans: Any) -> None:
    order, nxt = plans
    plan_mark_current(plan=order)
    assert current_plan(dt.date(2027, 5, 1)) == order
    plan_mark_current(plan=None)
    assert current_plan(dt.date(2027, 5, 1)) == nxt


def test_with_only_the_order_loaded_the_order_is_current_after_2025(order_plan: Plan) -> None:
    assert current_plan(dt.date(2026, 12, 2)) == order_plan
    assert is_archive(order_plan, dt.date(2026, 1, 1)) and not is_archive(order_plan, dt.date(2025, 12, 31))


def test_an_event_belongs_to_the_plan_whose_period_holds_its_first_day(plans: Any) -> None:
    order, nxt = plans
    assert plan_for_dates(dt.date(2022, 12, 20)) == order  # the order is signed before its first year
    assert plan_for_dates(dt.date(2025, 12, 25)) == order  # both periods hold it: the order's years win
    assert plan_for_dates(dt.date(2026, 1, 1)) == nxt
    assert plan_for_dates(dt.date(2022, 6, 10)) is None
    assert plan_for_dates(dt.date(2029, 1, 1)) is None
    assert plan_periods_text() == "2023–2025, 2026–2028"
    assert out_of_plans_message(dt.date(2022, 6, 10)) == "10.06.2022 — вне периода дорожных карт (2023–2025, 2026–2028)"


def test_one_rule_names_the_field_and_the_plan_of_a_date(plans: Any) -> None:
    order, nxt = plans
    ok = event_plan_errors(activity=activity(nxt, 1), start_date=dt.date(2027, 3, 1), end_date=dt.date(2027, 3, 2))
    assert ok == {}
    outside = event_plan_errors(
        activity=activity(nxt, 1), start_date=dt.date(2022, 6, 10), end_date=dt.date(2022, 6, 10)
    )
    assert outside == {"start_date": ["10.06.2022 — вне периода дорожных карт (2023–2025, 2026–2028)"]}
    wrong = event_plan_errors(activity=activity(order, 1), start_date=dt.date(2027, 3, 1), end_date=dt.date(2027, 3, 1))
    assert list(wrong) == ["start_date"] and "2026–2028" in wrong["start_date"][0]
    across = event_plan_errors(
        activity=activity(order, 1), start_date=dt.date(2025, 12, 30), end_date=dt.date(2026, 1, 2)
    )
    assert list(across) == ["end_date"] and "31.12.2025" in across["end_date"][0]


# --- the web form ---------------------------------------------------------------------


def test_the_event_form_groups_activities_by_plan_and_registers_under_both(
    client: Any, make_user: Any, plans: Any, copp: Organization, clock: Any
) -> None:
    order, nxt = plans
    client.force_login(make_user("copp", organization=copp))
    assert client.get(reverse("event_create")).status_code == 200
    # The activity is searched as you type: each match names its plan, the current plan's first.
    found = client.get("/choices/event-activity/", {"q": "1"}).json()["results"]
    details = [r["detail"] for r in found]
    assert "Дорожная карта 2026–2028" in details and "Дорожная карта 2023–2025 (архив)" in details
    assert details.index("Дорожная карта 2026–2028") < details.index("Дорожная карта 2023–2025 (архив)")
    for plan, day in ((order, "15.03.2024"), (nxt, "15.03.2027")):
        response = client.post(
            reverse("event_create"),
            {
                "activity": activity(plan, 1).pk,
                "organizer": copp.pk,
                "title": f"Событие {day}",
                "start_date": day,
                "format": "in_person",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        assert Event.objects.get(title=f"Событие {day}").activity.plan == plan
    response = client.post(
        reverse("event_create"),
        {
            "activity": activity(nxt, 1).pk,
            "organizer": copp.pk,
            "title": "Вне карт",
            "start_date": "10.06.2022",
            "format": "in_person",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["start_date"] == [
        "10.06.2022 — вне периода дорожных карт (2023–2025, 2026–2028)"
    ]
    assert not Event.objects.filter(title="Вне карт").exists()


# --- the API ----------------------------------------------------------------------------


@pytest.fixture
def api(api_client: Any, make_user: Any, copp: Organization) -> Any:
    api_client.force_authenticate(make_user("copp", organization=copp))
    return api_client


def post_event(api: Any, copp: Organization, **fields: Any) -> Any:
    body = {"activity": 1, "organizer": copp.pk, "title": "Проба", **fields}
    return api.post("/api/v1/events/", body, format="json")


def test_the_api_takes_the_plan_from_the_first_day_or_from_plan(api: Any, plans: Any, copp: Organization) -> None:
    order, _nxt = plans
    old = post_event(api, copp, start_date="2024-03-15")
    assert old.status_code == 201, old.json()
    assert old.json()["plan"] == order.key and Event.objects.get(pk=old.json()["id"]).activity.plan == order
    new = post_event(api, copp, start_date="2027-03-15")
    assert new.status_code == 201 and new.json()["plan"] == NEXT_KEY
    named = post_event(api, copp, start_date="2025-12-25", plan=order.key)
    assert named.status_code == 201 and named.json()["plan"] == order.key
    # A plan named but the date is the other plan's: refused by the same rule, naming the date.
    wrong = post_event(api, copp, start_date="2027-03-15", plan=order.key)
    assert wrong.status_code == 400 and "start_date" in wrong.json()
    moved = api.patch(f"/api/v1/events/{new.json()['id']}/", {"activity": 2}, format="json")
    assert moved.status_code == 200 and moved.json()["plan"] == NEXT_KEY and moved.json()["activity"] == 2


def test_the_api_refuses_a_date_outside_every_plan_naming_start_date(api: Any, plans: Any, copp: Organization) -> None:
    outside = post_event(api, copp, start_date="2022-06-10")
    assert outside.status_code == 400
    assert outside.json() == {"start_date": ["10.06.2022 — вне периода дорожных карт (2023–2025, 2026–2028)"]}
    unknown = post_event(api, copp, start_date="2024-03-15", plan="no-such-plan")
    assert unknown.status_code == 400 and "plan" in unknown.json()
    missing = post_event(api, copp, start_date="2027-03-15", activity=29)
    assert missing.status_code == 400 and "2026–2028" in missing.json()["activity"][0]
    assert not Event.objects.exists()


def test_activities_and_indicators_are_listed_per_plan(api: Any, plans: Any) -> None:
    order, _nxt = plans
    plan_mark_current(plan=order)  # the current plan, independent of the clock
    assert len(api.get("/api/v1/activities/").json()) == order.activities.count()
    assert [a["number"] for a in api.get(f"/api/v1/activities/?plan={NEXT_KEY}").json()] == [1, 2]
    assert api.get(f"/api/v1/activities/2/?plan={NEXT_KEY}").json()["name"] == "Стратегическая сессия"
    assert [i["code"] for i in api.get(f"/api/v1/indicators/?plan={NEXT_KEY}").json()] == ["1"]
    assert len(api.get("/api/v1/indicators/").json()) == Indicator.objects.filter(indicator_set__plan=order).count()
    for url in ("/api/v1/activities/", "/api/v1/indicators/", "/api/v1/events/"):
        assert api.get(f"{url}?plan=no-such-plan").status_code == 404


def test_the_schema_documents_the_plan_parameter(api: Any, plans: Any) -> None:
    schema = api.get("/api/schema/?format=json").json()
    for path in ("/api/v1/activities/", "/api/v1/indicators/"):
        params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert "404" in params["plan"]["description"]
    post = schema["components"]["schemas"]["EventInputRequest"]["properties"]["plan"]
    assert "start_date" in post["description"]


# --- the import ----------------------------------------------------------------------------

HEADER = ["№ мероприятия дорожной карты", "Организатор", "Название", "Дата начала", "Дата окончания", "Формат"]


def test_the_events_import_finds_each_rows_plan_from_its_dates(make_user: Any, plans: Any, copp: Organization) -> None:
    order, nxt = plans
    user = make_user("copp", organization=copp)
    rows = [
        HEADER,
        [2, "copp", "Сессия 2024", dt.datetime(2024, 3, 15), None, "очно"],
        [2, "copp", "Сессия 2026", dt.datetime(2026, 3, 15), None, "очно"],
    ]
    preview = import_dry_run(user=user, kind="events", file=xlsx_bytes(rows))
    assert preview.is_clean, [e.message for e in preview.errors]
    import_confirm(user=user, job=preview.job, now=TODAY)
    assert Event.objects.get(title="Сессия 2024").activity == activity(order, 2)
    assert Event.objects.get(title="Сессия 2026").activity == activity(nxt, 2)


def test_the_events_import_refuses_a_row_outside_every_plan_by_its_column(
    make_user: Any, plans: Any, copp: Organization
) -> None:
    user = make_user("copp", organization=copp)
    rows = [
        HEADER,
        [1, "copp", "Давнее", dt.datetime(2022, 6, 10), None, "очно"],
        [3, "copp", "Нет пункта", dt.datetime(2027, 6, 10), None, "очно"],
    ]
    preview = import_dry_run(user=user, kind="events", file=xlsx_bytes(rows))
    found = {(e.row, e.column): e.message for e in preview.errors}
    assert found[(2, "Дата начала")] == "10.06.2022 — вне периода дорожных карт (2023–2025, 2026–2028)"
    assert "2026–2028" in found[(3, "№ мероприятия дорожной карты")]
    assert not Event.objects.exists()


def test_the_values_import_finds_each_rows_plan_from_its_year(make_user: Any, plans: Any, copp: Organization) -> None:
    order, nxt = plans
    user = make_user("copp", organization=copp)
    header = ["Код показателя", "Год", "Период", "Организация", "Значение"]
    rows = [header, ["3", 2024, None, "copp", 5], ["1", 2027, None, "copp", 7], ["1", 2031, None, "copp", 1]]
    preview = import_dry_run(user=user, kind="actuals", file=xlsx_bytes(rows))
    assert [(e.row, e.column) for e in preview.errors] == [(4, "Год")]
    assert "2023–2025, 2026–2028" in preview.errors[0].message
    preview = import_dry_run(user=user, kind="actuals", file=xlsx_bytes(rows[:3]))
    assert preview.is_clean, [e.message for e in preview.errors]
    import_confirm(user=user, job=preview.job, now=TODAY)
    values = {
        (a.indicator.indicator_set.plan_id, a.indicator.code, a.year)
        for a in Actual.objects.select_related("indicator__indicator_set")
    }
    assert values == {(order.pk, "3", 2024), (nxt.pk, "1", 2027)}


def test_values_are_entered_and_listed_under_the_chosen_plan(
    client: Any, make_user: Any, plans: Any, copp: Organization, clock: Any
) -> None:
    order, nxt = plans
    client.force_login(make_user("copp", organization=copp))
    listing = client.get(reverse("actual_list"), {"plan": order.key}).content.decode()
    assert f"{reverse('actual_create')}?plan={order.key}" in listing
    form = client.get(reverse("actual_create"), {"plan": order.key}).context["form"]
    assert [y for y, _label in form.fields["year"].choices] == [2023, 2024, 2025]
    assert set(form.fields["indicator"].queryset.values_list("indicator_set__plan", flat=True)) == {order.pk}
    indicator = Indicator.objects.get(indicator_set__plan=order, code="3")
    url = f"{reverse('actual_create')}?plan={order.key}"
    response = client.post(url, {"indicator": indicator.pk, "year": 2024, "organization": copp.pk, "value": "5"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Actual.objects.get().indicator == indicator
    assert client.get(reverse("actual_list"), {"plan": order.key}).context["page"].paginator.count == 1
    assert client.get(reverse("actual_list")).context["page"].paginator.count == 0  # the current plan: 2026–2028
    next_form = client.get(reverse("actual_create")).context["form"]
    assert [y for y, _label in next_form.fields["year"].choices] == [2026, 2027, 2028]
    assert set(next_form.fields["indicator"].queryset.values_list("indicator_set__plan", flat=True)) == {nxt.pk}
    assert client.get(reverse("actual_create"), {"plan": "no-such-plan"}).status_code == 404


# --- pages and reports -------------------------------------------------------------------


def test_pages_with_figures_offer_the_plans_and_the_chosen_plans_years(
    client: Any, make_user: Any, plans: Any, clock: Any
) -> None:
    order, nxt = plans
    client.force_login(make_user("ministry"))
    for name in ("dashboard", "indicator_list", "activity_list", "timeliness", "report_list", "actual_list"):
        page = client.get(reverse(name)).content.decode()
        assert "2023–2025 · архив" in page and "2026–2028" in page, name
        archive = client.get(reverse(name), {"plan": order.key})
        assert archive.status_code == 200
        assert archive.context["py"].plan == order and archive.context["py"].year == 2025, name
        assert client.get(reverse(name), {"plan": "no-such-plan"}).status_code == 404, name
    assert client.get(reverse("dashboard")).context["py"].plan == nxt  # 2026: the next plan by default
    events = client.get(reverse("event_list"), {"plan": nxt.key})
    assert events.status_code == 200 and "Дорожная карта" in events.content.decode()
    assert client.get(reverse("event_list"), {"plan": "no-such-plan"}).status_code == 404


def test_the_dashboard_overdue_list_is_scoped_to_the_plan_and_year_and_says_so(plans: Any, copp: Organization) -> None:
    order, nxt = plans
    with time_machine.travel(dt.datetime(2024, 1, 1, tzinfo=MOSCOW), tick=False):
        old = event_create(
            user=None, activity=activity(order, 2), organizer=copp, title="Старое", start_date=dt.date(2024, 2, 1)
        )
        new = event_create(
            user=None, activity=activity(nxt, 2), organizer=copp, title="Новое", start_date=dt.date(2026, 2, 1)
        )
    dash = Dashboard(py=PlanYear(nxt, 2026, (order, nxt), TODAY.date()), now=TODAY)
    assert [e.pk for e in dash.overdue] == [new.pk] and dash.overdue_count == 1
    assert dash.overdue_all_time_count == 2
    assert [e.pk for e in Dashboard(py=PlanYear(order, 2024), now=TODAY).overdue] == [old.pk]
    assert Dashboard(py=PlanYear(order, 2025), now=TODAY).overdue == []


def test_an_archived_plans_excel_reports_build(plans: Any, copp: Organization) -> None:
    order, _nxt = plans
    with time_machine.travel(dt.datetime(2024, 1, 1, tzinfo=MOSCOW), tick=False):
        event_create(
            user=None, activity=activity(order, 14), organizer=copp, title="Архивное", start_date=dt.date(2024, 5, 5)
        )
    for kind in ("roadmap", "indicators", "timeliness", "municipalities"):
        out = io.BytesIO()
        build_to(builder_class(kind)(plan=order, year=2024, as_of=None, now=TODAY), out)
        sheet = load_workbook(io.BytesIO(out.getvalue())).active
        assert sheet.max_row > 3, kind


def test_the_event_list_and_my_tasks_filter_by_plan(
    client: Any, make_user: Any, plans: Any, copp: Organization
) -> None:
    order, nxt = plans
    with time_machine.travel(dt.datetime(2024, 1, 1, tzinfo=MOSCOW), tick=False):
        event_create(
            user=None, activity=activity(order, 2), organizer=copp, title="Старое", start_date=dt.date(2024, 2, 1)
        )
        event_create(
            user=None, activity=activity(nxt, 2), organizer=copp, title="Новое", start_date=dt.date(2026, 2, 1)
        )
    client.force_login(make_user("copp", organization=copp))
    listed = client.get(reverse("event_list"), {"plan": nxt.key})
    assert 'name="plan"' in listed.content.decode()
    assert [e.title for e in listed.context["page"].object_list] == ["Новое"]
    assert len(client.get(reverse("event_list")).context["page"].object_list) == 2
    with time_machine.travel(TODAY, tick=False):
        tasks = client.get(reverse("tasks"))
        assert {e.title for e in tasks.context["to_report"]} == {"Старое", "Новое"}  # every plan: both are due
        assert "2023–2025 · архив" in tasks.content.decode()
        scoped = client.get(reverse("tasks"), {"plan": order.key})
        assert [e.title for e in scoped.context["to_report"]] == ["Старое"]
        assert client.get(reverse("tasks"), {"plan": "no-such-plan"}).status_code == 404


def test_the_scheduled_run_of_1_january_reports_december_under_the_plan_that_ended(make_user: Any, plans: Any) -> None:
    from reports.services import scheduled_report_run

    order, nxt = plans
    make_user("ministry", email="minister@example.org")
    (december,) = scheduled_report_run(kinds=["timeliness"], now=dt.datetime(2026, 1, 1, 7, tzinfo=MOSCOW))
    assert (december.plan, december.year, december.as_of) == (order, 2025, dt.date(2025, 12, 31))
    (january,) = scheduled_report_run(kinds=["timeliness"], now=dt.datetime(2026, 2, 1, 7, tzinfo=MOSCOW))
    assert (january.plan, january.year) == (nxt, 2026) and january.status == "done"


def test_the_bundled_example_plan_loads_beside_the_order_and_takes_its_events(
    api_client: Any, make_user: Any, order_plan: Plan
) -> None:
    from roadmap.plans.loader import DATA_DIR

    before = dump()
    call_command(
        "load_order", str(DATA_DIR / "plans" / "examples" / "tula_2026_2028_example.yaml"), stdout=io.StringIO()
    )
    assert {key: dump().get(key) for key in before} == before
    assert current_plan(dt.date(2026, 12, 2)).key == "tula-example-2026-2028"
    copp = Organization.objects.get(key="copp")
    api_client.force_authenticate(make_user("copp", organization=copp))
    response = post_event(api_client, copp, start_date="2027-03-15")
    assert response.status_code == 201 and response.json()["plan"] == "tula-example-2026-2028"
    assert post_event(api_client, copp, start_date="2024-03-15").json()["plan"] == order_plan.key
