"""Event-report timeliness register: every event of the period, one row each.

Built for tens of thousands of events: the events are streamed from one
query and organisations, municipalities and activities are looked up in small
dictionaries loaded once, so memory stays flat whatever the period.
"""

from __future__ import annotations

from collections.abc import Iterator

from reports.builders.base import ReportBuilder
from reports.selectors import count_events, event_lines
from reports.writer import Column, ColumnType, ReportLayout, Row
from roadmap.models import Activity, Municipality, Organization


class TimelinessReport(ReportBuilder):
    kind = "timeliness"
    sheet_title = "Своевременность отчётов"

    def title(self) -> str:
        return f"Реестр своевременности отчётов о мероприятиях дорожной карты, {self.year} год"

    def layout(self) -> ReportLayout:
        columns = [
            Column("№", 7, ColumnType.INT),
            Column("Мероприятие", 40),
            Column("№ мероприятия дорожной карты", 7, ColumnType.CODE, rotate=True),
            Column("Организатор", 28),
            Column("Муниципальное образование", 22),
            Column("Дата начала", 12, ColumnType.DATE),
            Column("Дата окончания", 12, ColumnType.DATE),
            Column("Срок отчёта", 16, ColumnType.DATETIME),
            Column("Отчёт представлен", 16, ColumnType.DATETIME),
            Column("Своевременность", 17, ColumnType.STATUS),
            Column("Опоздание, дней", 7, ColumnType.INT, rotate=True),
        ]
        rule = (
            f"Срок отчёта: {self.plan.report_due_days} дн. после дня проведения мероприятия "
            f"({self.plan.get_report_due_calendar_display().lower()}). "
            "Мероприятие учитывается в году своего последнего дня."
        )
        return self._layout(columns, freeze_columns=2, notes=[rule])

    def estimated_rows(self) -> int:
        return count_events(self.plan, year=self.year)

    def rows(self) -> Iterator[Row]:
        organisations = dict(Organization.objects.values_list("id", "short_name"))
        org_municipality = dict(Organization.objects.values_list("id", "municipality_id"))
        municipalities = dict(Municipality.objects.values_list("id", "name"))
        activities = dict(Activity.objects.filter(plan=self.plan).values_list("id", "number"))
        moment = self.moment
        lines = event_lines(self.plan, moment=moment, historical=self.as_of is not None, year=self.year)
        for n, line in enumerate(lines, start=1):
            municipality_id = line.municipality_id or org_municipality.get(line.organizer_id)
            yield Row(
                (
                    n,
                    line.title,
                    activities.get(line.activity_id),
                    organisations.get(line.organizer_id),
                    municipalities.get(municipality_id) if municipality_id else None,
                    line.start_date,
                    line.end_date,
                    line.due_at,
                    line.submitted_at,
                    line.timeliness(moment),
                    line.delay_days(moment),
                )
            )
