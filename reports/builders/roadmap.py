"""Roadmap execution: Приложение № 1 of the order, filled in for one year.

The first six columns repeat the order's table as printed (№, activity,
expected result, document, deadline, responsible), each section a merged row
with its printed title; the columns after them tell what happened in the
chosen year, as known at the report's moment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.utils import timezone

from reports.builders.base import ReportBuilder
from reports.selectors import EventLine, Timeliness, event_lines, evidence_counts
from reports.writer import Column, ColumnType, ReportLayout, Row, RowKind
from roadmap.plans.activity_status import activity_status
from roadmap.plans.control_points import control_points_of, points_in_year
from roadmap.plans.selectors import activities_of


class RoadmapReport(ReportBuilder):
    kind = "roadmap"
    sheet_title = "Дорожная карта"

    def title(self) -> str:
        name = self.plan.roadmap_title or "Дорожная карта"
        return f"Исполнение: {name} — {self.year} год"

    def layout(self) -> ReportLayout:
        columns = [
            # Headers exactly as in Приложение № 1 of the order.
            Column("№", 6, ColumnType.CODE),
            Column("Наименование мероприятия", 48),
            Column("Ожидаемый результат", 36),
            Column("Документ, определяющий результат", 26),
            Column("Срок реализации", 16),
            Column("Ответственные", 24),
            Column("Статус", 15, ColumnType.STATUS),
            Column("Проведено мероприятий", 7, ColumnType.INT, rotate=True),
            Column("Отчётов в срок", 7, ColumnType.INT, rotate=True),
            Column("Отчётов с опозданием", 7, ColumnType.INT, rotate=True),
            Column("Отчётов не представлено", 7, ColumnType.INT, rotate=True),
            Column("Подтверждающих документов", 7, ColumnType.INT, rotate=True),
            Column("Комментарий", 36),
            Column("Просроченные контрольные точки", 18),
        ]
        groups = [(c.header, 1) for c in columns[:6]] + [(f"Исполнение в {self.year} году", 8)]
        return self._layout(columns, header_groups=groups)

    def estimated_rows(self) -> int:
        return self.plan.activities.count() + self.plan.sections.count()

    def rows(self) -> Iterator[Row]:
        historical = self.as_of is not None
        by_activity: dict[int, list[EventLine]] = defaultdict(list)
        for line in event_lines(self.plan, moment=self.moment, historical=historical, year=self.year):
            by_activity[line.activity_id].append(line)
        evidence = evidence_counts([line.id for lines in by_activity.values() for line in lines], moment=self.moment)
        today = timezone.localdate(self.moment) if self.as_of is None else self.as_of  # the Moscow day
        activities = list(activities_of(self.plan))
        points = control_points_of(activities, today=today, as_of=self.moment if historical else None, year=self.year)
        section_id = None
        for activity in activities:
            if activity.section_id != section_id:
                section_id = activity.section_id
                yield Row([activity.section.title], kind=RowKind.SECTION)
            lines = [line for line in by_activity.get(activity.id, []) if line.held]
            states = [line.timeliness(self.moment) for line in lines]
            held = sum(1 for line in lines if line.end_date <= today)
            on_time = states.count(Timeliness.ON_TIME)
            late = states.count(Timeliness.LATE)
            missing = states.count(Timeliness.MISSING)
            windows = [(w.start, w.end) for w in activity.windows.all() if w.start.year <= self.year <= w.end.year]
            year_points = points_in_year(points.get(activity.id, []), self.year)
            status = activity_status(windows=windows, held=held, missing=missing, today=today, points=year_points)
            comment = []
            if missing:
                titles = [line.title for line, s in zip(lines, states, strict=True) if s == Timeliness.MISSING]
                shown = "; ".join(titles[:3]) + ("…" if len(titles) > 3 else "")
                comment.append(f"Нет отчёта: {shown}")
            if not activity.deadline_recognized:
                comment.append("Срок не распознан — проверьте вручную")
            yield Row(
                [
                    activity.number,
                    activity.name,
                    activity.expected_result,
                    activity.evidence_document,
                    activity.deadline_text,
                    activity.responsible_text,
                    status,
                    held,
                    on_time,
                    late,
                    missing,
                    sum(evidence.get(line.id, 0) for line in lines),
                    "\n".join(comment),
                    ", ".join(f"{p.date:%d.%m.%Y}" for p in year_points if p.overdue),
                ]
            )
