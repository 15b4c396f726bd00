"""Participant lists: parsing, the keyed hash, the doors, and people counted once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from indicators.selectors import indicator_figures
from indicators.tests.factories import accepted_report
from roadmap.accounts.roles import Role
from roadmap.events import participants as pl
from roadmap.events import services
from roadmap.events.services import ReportData
from roadmap.models import Activity, EventReport, Organization, ReportParticipant
from roadmap.tests.event_factories import EventFactory, msk
from roadmap.tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

LINES = "Иванова; Мария; 14.03.2010; школьник; 8\nПетров; Пётр; 112-233-445 95; студент;\n"


def people(*rows: tuple[str, str, str, str, int | None]) -> list[pl.Person]:
    return pl.clean_people(
        [{"surname": s, "name": n, "birth_date": b, "category": c, "grade": g} for s, n, b, c, g in rows]
    )


# --- parsing and the key ---------------------------------------------------------------------


def test_it_parses_lines_with_a_birth_date_or_a_snils() -> None:
    found = pl.clean_people(pl.parse_lines(LINES))
    assert [(p.category, p.grade) for p in found] == [("pupil", 8), ("student", None)]
    assert all(len(p.person_key) == 64 for p in found)


def test_the_key_ignores_case_yo_and_spacing_but_not_the_birth_date() -> None:
    a = pl.person_key(surname="Королёва", name="Анна", birth_date=dt.date(2010, 1, 2))
    assert a == pl.person_key(surname="  королева ", name="АННА", birth_date=dt.date(2010, 1, 2))
    assert a != pl.person_key(surname="Королёва", name="Анна", birth_date=dt.date(2010, 1, 3))


def test_the_key_depends_on_the_secret(settings: Any) -> None:
    before = pl.person_key(surname="Иванов", name="Иван", snils="11223344595")
    settings.PARTICIPANT_HASH_KEY = "another-secret-of-the-production-at-least-32"
    assert pl.person_key(surname="Иванов", name="Иван", snils="11223344595") != before


def test_it_names_every_bad_line() -> None:
    text = "\n".join(
        [
            "Иванова; Мария; 14.03.2010; школьник; 8",
            "Без имени",
            "Сидоров; Олег; 31.02.2011; школьник; 7",
            "Смирнов; Ян; 112-233-445 00; студент",
            "Кузнецов; Ил; 01.01.2009; космонавт",
            "Орлова; Ева; 01.01.2012; школьник; 4",
            "Иванова; мария; 14.03.2010; школьник; 8",
            "Лебедев; Лев; 01.01.1980; взрослый; 9",
        ]
    )
    with pytest.raises(ValidationError) as caught:
        pl.clean_people(pl.parse_lines(text))
    errors = caught.value.message_dict["participants"]
    assert [e.split(":")[0] for e in errors] == [f"Строка {n}" for n in (2, 3, 4, 5, 6, 7, 8)]
    assert "укажите фамилию и имя" in errors[0] and "дату рождения или СНИЛС" in errors[0]
    assert "31.02.2011" in errors[1]
    assert "СНИЛС" in errors[2]
    assert "категория «космонавт»" in errors[3]
    assert "от 6 до 11" in errors[4]
    assert "тот же человек, что в строке 1" in errors[5]
    assert "только для школьников" in errors[6]


def test_a_list_may_not_exceed_the_reports_figures() -> None:
    listed = people(("А", "Б", "01.01.2010", "школьник", 7), ("В", "Г", "01.01.2011", "школьник", 6))
    with pytest.raises(ValidationError) as caught:
        services._clean_report(
            ReportData(summary="x", participants_total=5, participants_pupils_6_11=1, participants=tuple(listed))
        )
    assert "из них школьников 6–11 классов" in caught.value.message_dict["participants"][0]
    ok = services._clean_report(ReportData(summary="x", participants_total=5, participants=tuple(listed)))
    assert len(ok.participants or ()) == 2


# --- the doors ---------------------------------------------------------------------------------


@pytest.fixture
def college() -> Organization:
    return OrganizationFactory()


@pytest.fixture
def coordinator(college: Organization) -> Any:
    return UserFactory(role=Role.COORDINATOR, organization=college)


@time_machine.travel(msk(2026, 3, 11, 10), tick=False)
def test_the_api_takes_a_list_and_stores_only_hashes(coordinator: Any, college: Organization) -> None:
    event = EventFactory(organizer=college)
    client = APIClient()
    client.force_authenticate(coordinator)
    body = {
        "summary": "Прошло",
        "participants_total": 5,
        "participants_pupils_6_11": 3,
        "participants": [
            {"surname": "Иванова", "name": "Мария", "birth_date": "2010-03-14", "category": "pupil", "grade": 8},
            {"surname": "Петров", "name": "Пётр", "snils": "112-233-445 95", "category": "adult"},
        ],
    }
    response = client.post(f"/api/v1/events/{event.pk}/report/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["participants_listed"] == 2
    stored = list(ReportParticipant.objects.values_list("category", "grade", "person_key"))
    assert {(c, g) for c, g, _ in stored} == {("pupil", 8), ("adult", None)}
    row = ReportParticipant.objects.first()
    assert row is not None and "Иванова" not in str(row.__dict__) and "2010" not in str(row.__dict__)
    # A correction without "participants" keeps the list; [] removes it.
    put = {"summary": "Прошло", "participants_total": 6, "version": response.json()["version"]}
    again = client.put(f"/api/v1/events/{event.pk}/report/", put, format="json")
    assert again.status_code == 200 and again.json()["participants_listed"] == 2
    cleared = client.put(
        f"/api/v1/events/{event.pk}/report/",
        {**put, "version": again.json()["version"], "participants": []},
        format="json",
    )
    assert cleared.status_code == 200 and cleared.json()["participants_listed"] == 0


@time_machine.travel(msk(2026, 3, 11, 10), tick=False)
def test_the_api_names_the_bad_person_and_writes_nothing(coordinator: Any, college: Organization) -> None:
    event = EventFactory(organizer=college)
    client = APIClient()
    client.force_authenticate(coordinator)
    body = {
        "summary": "Прошло",
        "participants_total": 5,
        "participants": [
            {"surname": "Иванова", "name": "Мария", "birth_date": "2010-03-14", "category": "pupil", "grade": 8},
            {"surname": "Петров", "name": "Пётр", "category": "adult"},
        ],
    }
    response = client.post(f"/api/v1/events/{event.pk}/report/", body, format="json")
    assert response.status_code == 400
    assert response.json()["participants"] == ["Участник 2: укажите дату рождения или СНИЛС."]
    assert not EventReport.objects.exists() and not ReportParticipant.objects.exists()


# --- counted once ------------------------------------------------------------------------------


def _listed(report: EventReport, *names: str, category: str = "pupil") -> None:
    rows = [
        {
            "surname": n,
            "name": "И",
            "birth_date": "01.01.2010",
            "category": category,
            "grade": 8 if category == "pupil" else None,
        }
        for n in names
    ]
    pl.report_participants_set(report, pl.clean_people(rows))


def test_it_counts_a_pupil_at_three_events_once_and_unlisted_events_by_their_totals(order_plan: Any) -> None:
    org = Organization.objects.get(key="tgmk")
    pp = {a.number: a for a in Activity.objects.filter(plan=order_plan)}
    first = accepted_report(pp[14], org, total=3, pupils=3)
    second = accepted_report(pp[16], org, total=3, pupils=3)
    third = accepted_report(pp[17], org, total=4, pupils=3)  # one adult, not listed
    accepted_report(pp[17], org, total=10, pupils=6)  # no list
    _listed(first, "Аникин", "Белов", "Волков")
    _listed(second, "Аникин", "Белов", "Гусев")
    _listed(third, "Аникин", "Дьяков", "Волков")
    figures = indicator_figures(order_plan, years=[2024], codes=["6", "7"])
    # Row 7 (pupils): 5 distinct listed + 6 unlisted; row 6: 5 + the unlisted adult + the unlisted 10.
    assert (figures[("7", 2024)].actual, figures[("7", 2024)].listed) == (11, 5)
    assert (figures[("6", 2024)].actual, figures[("6", 2024)].listed) == (16, 5)
    assert figures[("6", 2024)].deduplicated_share == round(5 / 16, 4)
    direct = pl.people_figures(
        activity_ids=[pp[14].pk, pp[16].pk, pp[17].pk], years=[2024], field="participants_pupils_6_11"
    )
    assert direct[2024] == pl.PeopleFigure(value=11, listed=5)


def test_a_list_only_counts_once_its_report_is_accepted(order_plan: Any) -> None:
    org = Organization.objects.get(key="tgmk")
    activity = Activity.objects.get(plan=order_plan, number=17)
    submitted = accepted_report(activity, org, total=2, pupils=2, status="submitted")
    _listed(submitted, "Аникин", "Белов")
    assert ("7", 2024) not in {
        k for k, f in indicator_figures(order_plan, years=[2024], codes=["7"]).items() if f.actual
    }


def _populate(activity: Activity, orgs: list[Organization], n: int) -> None:
    for i in range(n):
        report = accepted_report(activity, orgs[i % len(orgs)], total=5, pupils=5)
        if i % 2:
            _listed(report, *[f"Ученик{(i + j) % 7}" for j in range(4)])


def test_it_counts_people_in_the_same_queries_at_two_sizes(order_plan: Any) -> None:
    activity = Activity.objects.get(plan=order_plan, number=17)
    orgs = list(Organization.objects.filter(kind="college")[:3])

    def run() -> tuple[int, Any]:
        with CaptureQueriesContext(connection) as queries:
            found = pl.people_figures(activity_ids=[activity.pk], years=[2024], field="participants_pupils_6_11")
        return len(queries), found[2024]

    _populate(activity, orgs, 4)
    small, figure = run()
    assert figure == pl.PeopleFigure(value=2 * 5 + 2 * 1 + 6, listed=6)  # lists: Ученик1–4, Ученик3–6
    _populate(activity, orgs, 40)
    large, figure = run()
    assert figure.listed == 7 and small == large == 3


def test_purge_anonymises_keys_of_finished_plans_and_keeps_the_figures(order_plan: Any) -> None:
    org = Organization.objects.get(key="tgmk")
    activity = Activity.objects.get(plan=order_plan, number=17)
    one, two = accepted_report(activity, org, total=2, pupils=2), accepted_report(activity, org, total=2, pupils=2)
    _listed(one, "Аникин", "Белов")
    _listed(two, "Аникин", "Волков")
    before = indicator_figures(order_plan, years=[2024], codes=["7"])[("7", 2024)]
    keys = set(ReportParticipant.objects.values_list("person_key", flat=True))
    assert pl.participants_purge(today=dt.date(order_plan.last_year + 1, 12, 31), kept_years=1) == 0  # still kept
    assert pl.participants_purge(today=dt.date(order_plan.last_year + 2, 1, 1), kept_years=1) == 4
    assert not keys & set(ReportParticipant.objects.values_list("person_key", flat=True))
    after = indicator_figures(order_plan, years=[2024], codes=["7"])[("7", 2024)]
    assert (after.actual, after.listed) == (before.actual, before.listed) == (3, 3)
    assert pl.participants_purge(today=dt.date(order_plan.last_year + 2, 1, 1), kept_years=1) == 0  # run twice


def test_the_purge_runs_from_the_command_and_beat_has_it(order_plan: Any) -> None:
    import io

    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="roadmap.participants_purge", enabled=True).exists()
    org = Organization.objects.get(key="tgmk")
    _listed(accepted_report(Activity.objects.get(plan=order_plan, number=17), org, total=1, pupils=1), "Аникин")
    out = io.StringIO()
    call_command("participants_purge", "--today", f"{order_plan.last_year + 5}-01-01", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "anonymised 1"
    assert ReportParticipant.objects.get().anonymised


def test_the_import_replaces_lists_naming_bad_rows(
    order_plan: Any, make_user: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    from reports.services import import_confirm, import_dry_run
    from reports.tests.conftest import xlsx_bytes

    now = dt.datetime(2024, 12, 1, 9, tzinfo=dt.UTC)
    user = make_user("copp", organization=Organization.objects.get(key="copp"))
    org = Organization.objects.get(key="tgmk")
    activity = Activity.objects.get(plan=order_plan, number=17)
    report = accepted_report(activity, org, total=3, pupils=2, status="submitted")
    accepted = accepted_report(activity, org, total=3, pupils=2)
    header = ["Код мероприятия", "Фамилия", "Имя", "Дата рождения", "СНИЛС", "Категория", "Класс"]
    bad = [
        header,
        [report.event_id, "Иванова", "Мария", dt.date(2010, 3, 14), None, "школьник", 8],
        [report.event_id, "Петров", "Пётр", None, None, "студент", None],
        [accepted.event_id, "Сидоров", "Иван", dt.date(2011, 2, 1), None, "школьник", 7],
        [999999, "Х", "Y", dt.date(2011, 2, 1), None, "школьник", 7],
    ]
    preview = import_dry_run(user=user, kind="event_participants", file=xlsx_bytes(bad), name="x.xlsx", now=now)
    found = {e.row: e.message for e in preview.errors}
    assert "дату рождения или СНИЛС" in found[3]
    assert "принят" in found[4] and "не найдено" in found[5]
    assert not ReportParticipant.objects.exists()
    good = [
        header,
        [report.event_id, "Иванова", "Мария", dt.date(2010, 3, 14), None, "школьник", 8],
        [report.event_id, "Петров", "Пётр", None, "112-233-445 95", "взрослый", None],
    ]
    preview = import_dry_run(user=user, kind="event_participants", file=xlsx_bytes(good), name="x.xlsx", now=now)
    assert preview.is_clean, [str(e) for e in preview.errors]
    job = import_confirm(user=user, job=preview.job, now=now)
    assert sorted(report.participants.values_list("category", flat=True)) == ["adult", "pupil"]
    job.refresh_from_db()
    assert not job.file and job.payload == []  # the names are not kept once loaded


def test_corrected_figures_must_still_hold_the_stored_list(order_plan: Any, make_user: Any) -> None:
    from reports.services import import_dry_run
    from reports.tests.conftest import xlsx_bytes

    user = make_user("copp", organization=Organization.objects.get(key="copp"))
    report = accepted_report(
        Activity.objects.get(plan=order_plan, number=17),
        Organization.objects.get(key="tgmk"),
        total=3,
        pupils=2,
        status="submitted",
    )
    _listed(report, "Аникин", "Белов")
    # The service door: a correction that drops the pupils below the list is refused.
    with pytest.raises(ValidationError) as caught:
        services.event_report_resubmit(
            user=None,
            report=report,
            now=dt.datetime(2024, 12, 1, tzinfo=dt.UTC),
            data=ReportData(summary="x", participants_total=3, participants_pupils_6_11=1),
        )
    assert "participants" in caught.value.message_dict
    # The import door, with the same message.
    header = ["Код мероприятия", "Краткий отчёт", "Участников, всего", "Обучающихся 6–11 классов"]
    preview = import_dry_run(
        user=user,
        kind="event_reports",
        file=xlsx_bytes([header, [report.event_id, "x", 3, 1]]),
        name="x.xlsx",
        now=dt.datetime(2024, 12, 1, 9, tzinfo=dt.UTC),
    )
    assert any("В списке 2" in e.message for e in preview.errors)


def test_the_indicator_page_and_the_api_say_how_much_is_from_lists(order_plan: Any, make_user: Any) -> None:
    from django.test import Client

    from indicators.models import Indicator

    org = Organization.objects.get(key="tgmk")
    activity = Activity.objects.get(plan=order_plan, number=17)
    _listed(accepted_report(activity, org, total=3, pupils=3), "Аникин", "Белов", "Волков")
    _listed(accepted_report(activity, org, total=2, pupils=2), "Аникин", "Белов")
    accepted_report(activity, org, total=2, pupils=2)  # no list: 3 listed of 5 = 60 %
    user = make_user("ministry")
    client = Client()
    client.force_login(user)
    seven = Indicator.objects.get(indicator_set__plan=order_plan, code="7")
    page = client.get(f"/indicators/{seven.pk}/?year=2024").content.decode()
    assert "по спискам участников: 60 %" in page
    api = APIClient()
    api.force_authenticate(user)
    body = api.get("/api/v1/indicators/7/progress/?year=2024").json()
    assert (body["actual"], body["listed"], body["deduplicated_share"]) == (5, 3, 0.6)


def test_it_counts_only_the_organisers_of_the_scope(order_plan: Any) -> None:
    activity = Activity.objects.get(plan=order_plan, number=17)
    copp, college = Organization.objects.get(key="copp"), Organization.objects.get(key="tgmk")
    _listed(accepted_report(activity, copp, total=2, pupils=2), "Аникин", "Белов")
    _listed(accepted_report(activity, college, total=2, pupils=2), "Аникин", "Волков")
    accepted_report(activity, college, total=4, pupils=4)

    def figure(kinds: tuple[str, ...] | None) -> pl.PeopleFigure:
        return pl.people_figures(
            activity_ids=[activity.pk], years=[2024], field="participants_pupils_6_11", organizer_kinds=kinds
        )[2024]

    assert figure(None) == pl.PeopleFigure(value=3 + 4, listed=3)
    assert figure((copp.kind,)) == pl.PeopleFigure(value=2, listed=2)
    assert figure((college.kind,)) == pl.PeopleFigure(value=2 + 4, listed=2)


def test_the_listed_people_are_counted_over_the_listed_reports_ids_or_past_the_cap_by_their_conditions(
    order_plan: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The distinct count reads the participants of the counted reports with a list by
    their ids (PostgreSQL had merge-joined the participants with every report of the
    country); past ``_LISTED_REPORTS_MAX`` ids it joins the reports' conditions: the same
    figures either way, and none of a report not counted (submitted, cancelled, another year)."""
    activity = Activity.objects.get(plan=order_plan, number=17)
    orgs = list(Organization.objects.filter(kind="college")[:3])
    _populate(activity, orgs, 12)
    _listed(accepted_report(activity, orgs[0], total=2, pupils=2, status="submitted"), "Чужой", "Другой")

    def run() -> tuple[dict[int, Any], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            found = pl.people_figures(activity_ids=[activity.pk], years=[2023, 2024], field="participants_pupils_6_11")
        return found, [q["sql"] for q in queries.captured_queries]

    by_ids, sql = run()
    # 6 unlisted reports of 5; 6 listed ones of 5 with 4 names (1 beyond each); Ученик0–6 once
    assert by_ids[2024] == pl.PeopleFigure(value=6 * 5 + 6 + 7, listed=7)
    assert '"roadmap_reportparticipant"."report_id" IN (' in sql[-1]
    monkeypatch.setattr(pl, "_LISTED_REPORTS_MAX", 0)
    joined, sql = run()
    assert joined == by_ids and '"roadmap_reportparticipant"."report_id" IN (' not in sql[-1]
