"""What every report builder shares: the period, the "as of" moment, the title."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import IO, ClassVar

from reports.writer import MOSCOW, ReportLayout, Row, Signature, XlsxWriter
from roadmap.models import Plan


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of a Moscow calendar day (what "as of 31.03" means)."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=MOSCOW)


def plan_signature(plan: Plan) -> Signature:
    """The signature block of the plan's reports (set in the plan file or the admin)."""
    return Signature(
        head=plan.signature_head,
        head_position=plan.signature_head_position,
        executor=plan.signature_executor,
        phone=plan.signature_phone,
    )


def order_line(plan: Plan) -> str:
    return f"{plan.issuer}. Приказ от {plan.date:%d.%m.%Y} № {plan.number} «{plan.title}»"


class ReportBuilder:
    """One report: its layout and its rows, for one plan, year and moment.

    ``as_of`` (a date) asks for what was known at the end of that day; without
    it the report shows the data as they are at ``now``. Builders never read
    the clock: ``now`` is passed by the task or command that builds them.
    """

    kind: ClassVar[str]
    sheet_title: ClassVar[str]

    def __init__(self, *, plan: Plan, year: int, as_of: dt.date | None = None, now: dt.datetime) -> None:
        self.plan = plan
        self.year = year
        self.as_of = as_of
        self.now = now
        self.moment = min(end_of_day(as_of), now) if as_of else now

    def title(self) -> str:
        raise NotImplementedError

    def layout(self) -> ReportLayout:
        raise NotImplementedError

    def rows(self) -> Iterator[Row]:
        raise NotImplementedError

    def estimated_rows(self) -> int:
        """Rows expected, for the progress bar (an estimate is fine)."""
        return 0

    def _layout(self, columns: list, **kwargs: object) -> ReportLayout:
        return ReportLayout(
            sheet_title=self.sheet_title,
            title=self.title(),
            columns=columns,
            order_line=order_line(self.plan),
            generated_at=self.now,
            as_of=self.as_of,
            signature=plan_signature(self.plan),
            **kwargs,  # type: ignore[arg-type]
        )


def build_to(builder: ReportBuilder, out: str | IO[bytes], *, on_progress: Callable[[int], None] | None = None) -> int:
    """Render a builder's report into ``out``; return the rows written."""
    writer = XlsxWriter(builder.layout())
    return writer.write(builder.rows(), out, on_progress=on_progress)
