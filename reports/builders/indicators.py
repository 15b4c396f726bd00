"""Target indicators: the order's indicator table, plan against fact per year.

Columns as printed (№ with the code as printed, name, unit), then per plan
year the planned value and, for the years up to the chosen one, fact,
percent of plan, deviation and status. Every figure comes from the one
selector of the indicators app (``indicator_figures``); this module only lays
them out. Yes/no values are shown as да/нет; sub-rows are indented under
their parent. The rules of the order's arithmetic broken in the report's
year (plan and fact) are listed once, as sentences, in the closing section
«Проверки» -- not repeated in the rows they involve, and not for other years.
"""

from __future__ import annotations

from collections.abc import Iterator

from indicators.selectors import indicators_of
from reports.builders.base import ReportBuilder
from reports.sources import BrokenRule, IndicatorFigure, indicator_figures_for, predecessor_texts
from reports.writer import Column, ColumnType, ReportLayout, Row, RowKind


class IndicatorsReport(ReportBuilder):
    kind = "indicators"
    sheet_title = "Целевые показатели"

    def title(self) -> str:
        indicator_set = getattr(self.plan, "indicator_set", None)
        name = indicator_set.title if indicator_set else "Целевые показатели"
        return f"{name}: план и факт, {self.year} год"

    @property
    def years(self) -> list[int]:
        return list(self.plan.years)

    @property
    def previous(self) -> dict[str, str]:
        """The old plan's actuals of indicators with a predecessor (a column only when there are some)."""
        if not hasattr(self, "_previous"):
            self._previous = predecessor_texts(self.plan, now=self.moment)
        return self._previous

    def fact_years(self) -> list[int]:
        return [y for y in self.years if y <= self.year]

    def layout(self) -> ReportLayout:
        columns = [
            # Headers exactly as in the order's indicator table.
            Column("№ показателя", 7, ColumnType.CODE),
            Column("Наименование индикатора/показателя", 50),
            Column("Единица измерения", 11, ColumnType.CODE),
        ]
        if self.previous:
            columns.append(Column("Факт предыдущего плана", 22))
        groups: list[tuple[str, int]] = [(c.header, 1) for c in columns]
        for year in self.years:
            if year in self.fact_years():
                columns += [
                    Column("План", 9, ColumnType.NUMBER),
                    Column("Факт", 9, ColumnType.NUMBER),
                    Column("% плана", 8, ColumnType.PERCENT),
                    Column("Отклонение", 10, ColumnType.NUMBER),
                    Column("Статус", 12, ColumnType.STATUS),
                ]
                groups.append((f"{year} год", 5))
            else:
                columns.append(Column(f"{year} год, план", 10, ColumnType.NUMBER))
                groups.append((f"{year} год, план", 1))
        return self._layout(columns, header_groups=groups, freeze_columns=3)

    def estimated_rows(self) -> int:
        return indicators_of(self.plan).count()

    def rows(self) -> Iterator[Row]:
        figures, broken = indicator_figures_for(
            self.plan, years=self.years, as_of=self.moment if self.as_of else None, now=self.moment
        )
        depth: dict[int, int] = {}
        fact_years = set(self.fact_years())
        for indicator in indicators_of(self.plan):
            level = depth[indicator.parent_id] + 1 if indicator.parent_id in depth else 0
            depth[indicator.id] = level
            values: list[object] = [indicator.printed_code or indicator.code, indicator.name, indicator.unit]
            if self.previous:
                values.append(self.previous.get(indicator.code, ""))
            for year in self.years:
                figure = figures.get((indicator.code, year)) or IndicatorFigure()
                values.append(figure.target)
                if year in fact_years:
                    values += [figure.actual, figure.percent, figure.deviation, figure.status]
            yield Row(values, indent=level * 2)
        yield from self.checks(broken)

    def checks(self, broken: list[BrokenRule]) -> Iterator[Row]:
        """The closing section: the rules broken in the report's year, one sentence each."""
        yield Row(["Проверки"], kind=RowKind.SECTION)
        lines = [rule.text for rule in broken if rule.year == self.year]
        if not lines:
            lines = [f"{self.year}: правила согласованности показателей приказа выполняются (план и факт)."]
        for line in lines:
            yield Row([line], kind=RowKind.NOTE)
