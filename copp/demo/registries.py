"""Registries (agreements, programmes, cohorts) and ЦОПП's actual values for the demo generator."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING

from copp.demo.names import AGREEMENT_SUBJECTS, PROGRAMME_TOPICS
from copp.demo.rules import BATCH_SIZE, moscow_utc
from roadmap.plans.deadlines import MOSCOW

if TYPE_CHECKING:
    import random
    from datetime import datetime

    from copp.demo.generator import RegionOrgs
    from roadmap.models import Plan, User


class RegistriesMixin:
    """Part of :class:`copp.demo.generator.DemoGenerator`; kept apart for size."""

    rng: random.Random
    now: datetime
    plan: Plan
    counts: dict[str, int]
    author: User
    copp_reviewer: User | None

    # -- registries and actuals ---------------------------------------------------

    def _registries(self, region: RegionOrgs) -> None:
        from indicators.models import (
            EducationalProgramme,
            IndicatorSource,
            PartnerAgreement,
            ProgrammeCategory,
            ProgrammeCohort,
        )

        rng, plan = self.rng, self.plan
        first, last = plan.first_year, plan.last_year
        today = self.now.astimezone(MOSCOW).date()
        source = (
            IndicatorSource.objects.filter(
                indicator__indicator_set__plan=plan, kind=IndicatorSource.Kind.PARTNER_AGREEMENTS
            )
            .prefetch_related("activities")
            .first()
        )
        agreement_activities = [a.id for a in source.activities.all()] if source else []
        holders = [(region.copp, rng.randint(30, 60))] + [(c, rng.randint(3, 8)) for c in region.colleges]
        agreements = []
        for holder, n in holders:
            for k in range(1, n + 1):
                signed = date(first - 1, 1, 1) + timedelta(days=rng.randint(0, 365 * (last - first + 2)))
                if signed > today or not region.employers:
                    continue
                valid_to = None if rng.random() < 0.3 else signed + timedelta(days=365 * rng.randint(1, 5))
                agreements.append(
                    PartnerAgreement(
                        partner=rng.choice(region.employers),
                        organization=holder,
                        activity_id=rng.choice(agreement_activities) if agreement_activities else None,
                        number=f"{k}/{signed.year}-СП",
                        date=signed,
                        valid_from=signed,
                        valid_to=valid_to,
                        subject=rng.choice(AGREEMENT_SUBJECTS),
                        created_by=self.author,
                    )
                )
        PartnerAgreement.objects.bulk_create(agreements, batch_size=BATCH_SIZE)
        self.counts["partner_agreements"] += len(agreements)

        categories = list(ProgrammeCategory.objects.filter(indicator_set__plan=plan).order_by("order"))
        if not categories:
            return
        developers = [(region.copp, rng.randint(40, 80))] + [(c, rng.randint(1, 5)) for c in region.colleges]
        programmes: list[EducationalProgramme] = []
        for developer, n in developers:
            for k in range(1, n + 1):
                approved = date(first, 1, 1) + timedelta(days=rng.randint(0, 365 * (last - first + 1) - 1))
                if approved > today:
                    continue
                programmes.append(
                    EducationalProgramme(
                        name=f"{rng.choice(PROGRAMME_TOPICS)} (программа {k})",
                        category=rng.choice(categories),
                        developer=developer,
                        approved_on=approved,
                        hours=rng.choice([16, 24, 36, 72, 144, 256]),
                        form=rng.choices(list(EducationalProgramme.Form), weights=[0.5, 0.2, 0.1, 0.2])[0],
                        created_by=self.author,
                    )
                )
        EducationalProgramme.objects.bulk_create(programmes, batch_size=BATCH_SIZE)
        cohorts = []
        for programme in programmes:
            for year in range(programme.approved_on.year, min(last, today.year) + 1):
                for g in range(1, rng.randint(1, 3) + 1):
                    cohorts.append(
                        ProgrammeCohort(
                            programme=programme,
                            year=year,
                            group=f"гр. {g}",
                            completed=rng.randint(6, 25),
                            created_by=self.author,
                        )
                    )
        ProgrammeCohort.objects.bulk_create(cohorts, batch_size=BATCH_SIZE)
        self.counts["programmes"] += len(programmes)
        self.counts["cohorts"] += len(cohorts)

    def _actuals(self, region: RegionOrgs) -> None:
        """ЦОПП's reported values of every indicator for the years already begun."""
        from indicators.models import Actual, ActualChange, Indicator
        from indicators.selectors import is_derived_total

        rng, now = self.rng, self.now
        # Totals the order defines as sums of rows (2, 4, 5) are derived, never typed.
        indicators = [
            i
            for i in Indicator.objects.filter(indicator_set__plan=self.plan)
            .select_related("source")
            .prefetch_related("targets")
            if not is_derived_total(i)
        ]
        children: dict[int | None, list[Indicator]] = defaultdict(list)
        for ind in indicators:
            children[ind.parent_id].append(ind)
        actuals: list[Actual] = []
        for year in range(self.plan.first_year, min(self.plan.last_year, now.astimezone(MOSCOW).year) + 1):
            closed = year < now.astimezone(MOSCOW).year
            values: dict[int, int | bool | None] = {}
            # Children first so a parent is never below the sum of its parts.
            for ind in sorted(indicators, key=lambda i: i.parent_id is None):
                target = next((t for t in ind.targets.all() if t.year == year), None)
                if ind.value_type == Indicator.ValueType.BOOLEAN:
                    values[ind.id] = rng.random() < 0.95
                    continue
                planned = float(target.value_number) if target and target.value_number is not None else 10.0
                own = round(planned * rng.uniform(0.8, 1.2))
                parts = [values.get(c.id) for c in children.get(ind.id, [])]
                values[ind.id] = max(own, sum(int(p) for p in parts if isinstance(p, int) and not isinstance(p, bool)))
            for ind in indicators:
                r = rng.random()
                status = (
                    (
                        Actual.Status.APPROVED
                        if r < 0.9
                        else Actual.Status.SUBMITTED
                        if r < 0.96
                        else Actual.Status.RETURNED
                    )
                    if closed
                    else (
                        Actual.Status.DRAFT
                        if r < 0.5
                        else Actual.Status.SUBMITTED
                        if r < 0.8
                        else Actual.Status.APPROVED
                    )
                )
                at = min(
                    now, moscow_utc(date(year, 12, 20), 12) if closed else now - timedelta(days=rng.randint(1, 60))
                )
                value = values[ind.id]
                actuals.append(
                    Actual(
                        indicator=ind,
                        year=year,
                        period="",
                        organization=region.copp,
                        value_number=None if isinstance(value, bool) else value,
                        value_bool=value if isinstance(value, bool) else None,
                        evidence="Отчёт ЦОПП за год" if closed else "",
                        status=status,
                        was_approved=status == Actual.Status.APPROVED,
                        return_reason="Нет подтверждающих документов" if status == Actual.Status.RETURNED else "",
                        created_at=at - timedelta(days=10),
                        updated_at=at,
                        created_by=self.author,
                        approved_at=at if status == Actual.Status.APPROVED else None,
                        approved_by=self.copp_reviewer if status == Actual.Status.APPROVED else None,
                    )
                )
        Actual.objects.bulk_create(actuals, batch_size=BATCH_SIZE)
        changes = []
        for a in actuals:
            value = a.value_bool if a.value_bool is not None else a.value_number
            changes.append(
                ActualChange(
                    actual=a,
                    action=ActualChange.Action.CREATE,
                    at=a.created_at,
                    new_value=value,
                    old_status="",
                    new_status=Actual.Status.DRAFT,
                )
            )
            if a.status != Actual.Status.DRAFT:
                changes.append(
                    ActualChange(
                        actual=a,
                        action=ActualChange.Action.SUBMIT,
                        at=a.created_at + timedelta(days=1),
                        old_value=value,
                        new_value=value,
                        old_status=Actual.Status.DRAFT,
                        new_status=Actual.Status.SUBMITTED,
                    )
                )
            if a.status in (Actual.Status.APPROVED, Actual.Status.RETURNED):
                action = (
                    ActualChange.Action.APPROVE if a.status == Actual.Status.APPROVED else ActualChange.Action.RETURN
                )
                changes.append(
                    ActualChange(
                        actual=a,
                        action=action,
                        at=a.updated_at,
                        old_value=value,
                        new_value=value,
                        old_status=Actual.Status.SUBMITTED,
                        new_status=a.status,
                        reason=a.return_reason,
                    )
                )
        ActualChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)
        self.counts["actuals"] += len(actuals)
