"""Municipality monitoring: events, participants and schools per municipality.

The order's monitoring activity (participation of schools in «Билет в
будущее», reported "в разрезе муниципальных образований") counts the events
of the activities chosen in the plan's report settings (admin); with none
chosen, every event of the plan counts. Only events held by the report's
moment count, and participants only from reports received by then.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from reports.builders.base import ReportBuilder
from reports.models import ReportSettings
from reports.selectors import event_lines
from reports.writer import Column, ColumnType, ReportLayout, Row, RowKind
from roadmap.models import Municipality, Organization


@dataclass
class _Tally:
    events: int = 0
    reported: int = 0
    organisers: set[int] | None = None
    participants: int = 0
    pupils: int = 0
    schools: int = 0

    def __post_init__(self) -> None:
        self.organisers = set()


class MunicipalitiesReport(ReportBuilder):
    kind = "municipalities"
    sheet_title = "Муниципальные образования"

    def activity_ids(self) -> list[int] | None:
        settings = ReportSettings.objects.filter(plan=self.plan).first()
        if settings is None:
            return None
        ids = list(settings.monitoring_activities.values_list("id", flat=True))
        return ids or None

    def title(self) -> str:
        return (
            f"Мониторинг участия общеобразовательных организаций в разрезе муниципальных образований, {self.year} год"
        )

    def layout(self) -> ReportLayout:
        numbers = ""
        ids = self.activity_ids()
        if ids:
            numbers = ", ".join(
                str(n) for n in self.plan.activities.filter(id__in=ids).values_list("number", flat=True)
            )
        note = (
            f"Учитываются мероприятия дорожной карты № {numbers}."
            if numbers
            else "Учитываются все мероприятия дорожной карты."
        )
        columns = [
            Column("№ п/п", 6, ColumnType.INT),
            Column("Муниципальное образование", 34),
            Column("Проведено мероприятий", 13, ColumnType.INT),
            Column("Отчётов получено", 12, ColumnType.INT),
            Column("Организаторов", 15, ColumnType.INT),
            Column("Участников, всего", 13, ColumnType.INT),
            Column("Из них обучающихся 6–11 классов", 15, ColumnType.INT),
            Column("Общеобразовательных организаций", 19, ColumnType.INT),
        ]
        return self._layout(columns, notes=[note])

    def estimated_rows(self) -> int:
        return Municipality.objects.count() + 2

    def rows(self) -> Iterator[Row]:
        org_municipality = dict(Organization.objects.values_list("id", "municipality_id"))
        today = self.moment.date() if self.as_of is None else self.as_of
        tallies: dict[int | None, _Tally] = {}
        for line in event_lines(
            self.plan,
            moment=self.moment,
            historical=self.as_of is not None,
            year=self.year,
            activity_ids=self.activity_ids(),
        ):
            if not line.held or line.end_date > today:
                continue
            key = line.municipality_id or org_municipality.get(line.organizer_id)
            tally = tallies.setdefault(key, _Tally())
            tally.events += 1
            tally.organisers.add(line.organizer_id)  # type: ignore[union-attr]
            if line.report_status is not None:
                tally.reported += 1
                tally.participants += line.participants_total or 0
                tally.pupils += line.participants_pupils_6_11 or 0
                tally.schools += line.schools_count or 0
        total = _Tally()
        n = 0
        for municipality in Municipality.objects.order_by("order", "name"):
            tally = tallies.get(municipality.id, _Tally())
            n += 1
            yield self._row(n, municipality.name, tally)
            self._add(total, tally)
        if None in tallies:
            n += 1
            yield self._row(n, "Муниципальное образование не указано", tallies[None])
            self._add(total, tallies[None])
        yield Row(
            [
                "",
                "Итого",
                total.events,
                total.reported,
                len(total.organisers or ()),
                total.participants,
                total.pupils,
                total.schools,
            ],
            kind=RowKind.TOTAL,
        )

    @staticmethod
    def _row(n: int, name: str, t: _Tally) -> Row:
        return Row([n, name, t.events, t.reported, len(t.organisers or ()), t.participants, t.pupils, t.schools])

    @staticmethod
    def _add(total: _Tally, t: _Tally) -> None:
        total.events += t.events
        total.reported += t.reported
        total.organisers |= t.organisers or set()  # type: ignore[operator]
        total.participants += t.participants
        total.pupils += t.pupils
        total.schools += t.schools
