"""Report builders: one module per report, each yielding rows for the writer."""

from __future__ import annotations

from reports.builders.base import ReportBuilder, build_to
from reports.models import ReportKind


def builder_class(kind: str) -> type[ReportBuilder]:
    from reports.builders.indicators import IndicatorsReport
    from reports.builders.municipalities import MunicipalitiesReport
    from reports.builders.roadmap import RoadmapReport
    from reports.builders.timeliness import TimelinessReport

    classes: dict[str, type[ReportBuilder]] = {
        ReportKind.ROADMAP: RoadmapReport,
        ReportKind.INDICATORS: IndicatorsReport,
        ReportKind.TIMELINESS: TimelinessReport,
        ReportKind.MUNICIPALITIES: MunicipalitiesReport,
    }
    try:
        return classes[kind]
    except KeyError:
        raise ValueError(f"unknown report {kind!r}; choose one of {', '.join(classes)}") from None


__all__ = ["ReportBuilder", "build_to", "builder_class"]
