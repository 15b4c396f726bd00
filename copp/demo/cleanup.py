"""Presence and removal of generated demo data."""

from __future__ import annotations

from django.db import models, transaction

from copp.demo.rules import DEMO_PREFIX
from roadmap.events.rollups import rollups_rebuild
from roadmap.models import (
    Activity,
    Event,
    Municipality,
    Organization,
    Plan,
    Region,
    Section,
    User,
)

# --------------------------------------------------------------------------
# Presence and removal of generated data
# --------------------------------------------------------------------------


def demo_present() -> bool:
    return User.objects.filter(username__startswith=DEMO_PREFIX).exists()


@transaction.atomic
def demo_delete() -> None:
    """Remove what ``generate_demo`` created: demo users, demo regions, organisations and
    every row they organised or registered. The loaded order's own rows and
    anything entered by real users stay."""
    from indicators.models import (
        Actual,
        EducationalProgramme,
        PartnerAgreement,
        ProgrammeCohort,
    )

    users = User.objects.filter(username__startswith=DEMO_PREFIX)
    orgs = Organization.objects.filter(key__startswith=DEMO_PREFIX)
    regions = Region.objects.filter(key__startswith=DEMO_PREFIX)
    region_munis = Municipality.objects.filter(models.Q(order__gte=1000) | models.Q(region__in=regions))
    # Schools and employers have no key; they are demo rows when they sit in a
    # synthetic region or nobody but the generator could have made them.
    keyless = Organization.objects.filter(key__isnull=True, kind__in=["school", "employer"])
    Event.objects.filter(models.Q(organizer__in=orgs) | models.Q(created_by__in=users)).delete()
    Actual.objects.filter(created_by__in=users).delete()  # cascades to their changes
    ProgrammeCohort.objects.filter(created_by__in=users).delete()
    EducationalProgramme.objects.filter(created_by__in=users).delete()
    PartnerAgreement.objects.filter(created_by__in=users).delete()
    users.delete()
    keyless.filter(
        models.Q(municipality__in=region_munis)
        | models.Q(short_name__startswith="МБОУ СШ №")
        | models.Q(partner_agreements__isnull=True)
    ).delete()
    orgs.delete()
    _delete_plans(Plan.objects.filter(region__in=regions))  # each synthetic region's copy of the order
    region_munis.delete()
    regions.delete()
    rollups_rebuild()  # the events went without the services that keep the rollups


def _delete_plans(plans: models.QuerySet[Plan]) -> None:
    """Delete whole plans: their parts protect each other (an activity its section, a
    row its total), so the parts go first, in that order."""
    from indicators.models import Indicator, IndicatorSet

    Activity.objects.filter(plan__in=plans).delete()
    Section.objects.filter(plan__in=plans).delete()
    indicators = Indicator.objects.filter(indicator_set__plan__in=plans)
    indicators.filter(parent__isnull=False).delete()
    indicators.delete()
    IndicatorSet.objects.filter(plan__in=plans).delete()
    plans.delete()
