"""The demo generator: organisations, users, events and reports of each region."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import perf_counter

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import OuterRef, Subquery

from copp.demo.names import (
    AUDIENCES,
    CANCEL_REASONS,
    COLLEGE_PROFILES,
    EMPLOYER_FORMS,
    EMPLOYER_STEMS,
    EMPLOYER_TAILS,
    EVENT_KINDS,
    FIRST_NAMES,
    PROFESSIONS,
    RETURN_REASONS,
    SURNAMES,
)
from copp.demo.participant_lists import participant_lists
from copp.demo.registries import RegistriesMixin
from copp.demo.rules import (
    BATCH_SIZE,
    DEMO_PASSWORD,
    DEMO_PREFIX,
    SHARE_CANCELLED,
    SHARE_LATE,
    SHARE_ON_TIME,
    SHARE_RETURNED,
    ScaleSpec,
    activity_weights,
    chunks,
    day_weight,
    latin,
    moscow_utc,
    split,
)
from indicators.models import Indicator, Target
from roadmap.accounts.roles import GROUP_NAMES, Role, ensure_role_groups
from roadmap.events.rollups import rollups_rebuild
from roadmap.models import (
    Activity,
    Event,
    EventReport,
    EvidenceFile,
    Municipality,
    Organization,
    Plan,
    Region,
    User,
)
from roadmap.plans.deadlines import MOSCOW, report_due_at
from roadmap.plans.plan_copy import plan_copy

# --------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------

# Accepted reports that carry a proving document: an activity's control point
# is proven only with one (roadmap.plans.control_points), so without any the demo
# would show every finished activity naming a document as «не выполнено».
SHARE_WITH_EVIDENCE = 0.8
DEMO_EVIDENCE_NAME = "evidence/demo/demo-protocol.pdf"
DEMO_EVIDENCE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class RegionOrgs:
    index: int
    name: str
    region: Region
    municipalities: list[Municipality]
    copp: Organization
    ministry: Organization
    colleges: list[Organization]
    schools: list[Organization]
    employers: list[Organization]


class DemoGenerator(RegistriesMixin):
    """Builds one scale's worth of data; ``run()`` returns row counts per model."""

    def __init__(
        self,
        spec: ScaleSpec,
        *,
        seed: int,
        now: datetime,
        plan: Plan | None = None,
        log: Callable[[str], None] = lambda _msg: None,
    ) -> None:
        self.spec = spec
        self.rng = random.Random(seed)
        self.now = now
        self.log = log
        chosen = plan or Plan.objects.filter(is_current=True).first() or Plan.objects.order_by("id").first()
        if chosen is None:
            raise ValueError("no plan loaded: run `manage.py load_order` first")
        self.plan = chosen
        self.order_plan = chosen  # the real region's plan; each synthetic region runs a copy of it
        self.counts: dict[str, int] = defaultdict(int)
        # A stream of its own, so the events and reports stay what the seed gave before.
        self.evidence_rng = random.Random(seed + 1)
        self.password = make_password(DEMO_PASSWORD)  # hashed once, shared by every demo user

    # -- public -----------------------------------------------------------

    @transaction.atomic
    def run(self) -> dict[str, int]:
        ensure_role_groups()
        self.groups = {role: Group.objects.get(name=GROUP_NAMES[role]) for role in Role}
        self.copp_reviewer = User.objects.filter(username="copp").first()
        # The real region's municipalities, read once: every synthetic region gets as many.
        self.real_municipalities = list(Municipality.objects.order_by("order", "name"))
        started = perf_counter()
        for index in range(1, self.spec.regions + 1):
            region = self._region_orgs(index)
            self._use_plan_of(region)
            users = self._users(region)
            self._events(region, users)
            self._registries(region)
            self._actuals(region)
            self.log(f"region {index}/{self.spec.regions} done, {perf_counter() - started:.1f} s since start")
        # Events and reports went in with bulk_create, past the services that keep the rollups.
        rollups_rebuild()
        return dict(self.counts)

    # -- the region's plan ------------------------------------------------------

    def _use_plan_of(self, region: RegionOrgs) -> None:
        """Make the region's plan the one its events, records and values go to.

        The real region keeps the loaded order. Each synthetic region gets its
        own copy of it (``roadmap.plans.plan_copy``: sections, activities,
        indicators, rules; the targets copied here), current when the order is,
        as a region that adopted the same order would have: a plan belongs to
        one region, and its figures count that region's events only.
        """
        if region.index > 1:
            source = self.order_plan
            copied = plan_copy(
                source_key=source.key, key=region.region.key, first_year=source.first_year, last_year=source.last_year
            ).plan
            Plan.objects.filter(pk=copied.pk).update(
                region=region.region, is_current=source.is_current, number=source.number, date=source.date
            )
            new_indicators = {i.code: i.pk for i in Indicator.objects.filter(indicator_set__plan=copied)}
            Target.objects.bulk_create(
                Target(
                    indicator_id=new_indicators[code],
                    year=t.year,
                    value_number=t.value_number,
                    value_bool=t.value_bool,
                )
                for t, code in (
                    (t, t.indicator.code)
                    for t in Target.objects.filter(indicator__indicator_set__plan=source).select_related("indicator")
                )
                if code in new_indicators
            )
            self.counts["plans"] += 1
            self.plan = Plan.objects.get(pk=copied.pk)
        else:
            self.plan = self.order_plan
        activities = list(Activity.objects.filter(plan=self.plan).prefetch_related("windows").order_by("number"))
        self.activity_windows = self._windows(activities)

    # -- windows ------------------------------------------------------------

    def _windows(self, activities: list[Activity]) -> dict[int, list[tuple[date, date]]]:
        """Each activity's windows clipped to the plan's years (events happen inside the plan)."""
        first, last = date(self.plan.first_year, 1, 1), date(self.plan.last_year, 12, 31)
        out: dict[int, list[tuple[date, date]]] = {}
        for activity in activities:
            spans = []
            for w in activity.windows.all():
                start, end = max(w.start, first), min(w.end, last)
                if start <= end:
                    spans.append((start, end))
            if not spans:  # unrecognised deadline without hand-set windows: the whole plan period
                spans = [(first, last)]
            out[activity.id] = spans
        return out

    # -- organisations --------------------------------------------------------

    def _municipalities(self, index: int) -> tuple[Region, list[Municipality]]:
        real = self.real_municipalities
        if index == 1:
            if not real:
                raise ValueError("no municipalities loaded: run `manage.py load_order` first")
            region = real[0].region or self.plan.region
            if region is None:  # a database loaded before regions existed
                region, _ = Region.objects.get_or_create(key="tula", defaults={"name": "Тульская область"})
            return region, real
        name = f"Регион {index:03d}"
        region = Region.objects.create(name=name, key=f"{DEMO_PREFIX}r{index:03d}", order=index)
        self.counts["regions"] += 1
        munis = [
            Municipality(
                name=f"{name}: {'городской округ' if k < 7 else 'муниципальный район'} № {k + 1}",
                kind=Municipality.Kind.CITY_OKRUG if k < 7 else Municipality.Kind.DISTRICT,
                region=region,
                order=1000 * index + k,
            )
            for k in range(len(real) or 26)
        ]
        created = Municipality.objects.bulk_create(munis, batch_size=BATCH_SIZE)
        self.counts["municipalities"] += len(created)
        return region, list(Municipality.objects.filter(region=region).order_by("order"))

    def _spread(self, munis: list[Municipality], n: int) -> list[Municipality]:
        """``n`` municipalities drawn with the big towns (urban okrugs, the capital) weighted up."""
        weights = [
            (12.0 if i == 0 else 3.0 if m.kind == Municipality.Kind.CITY_OKRUG else 1.0) for i, m in enumerate(munis)
        ]
        return self.rng.choices(munis, weights=weights, k=n)

    def _region_orgs(self, index: int) -> RegionOrgs:
        rng, spec = self.rng, self.spec
        region, munis = self._municipalities(index)
        region_name = region.name
        tag = f"{DEMO_PREFIX}r{index:03d}"
        capital = munis[0]
        orgs: list[Organization] = []
        if index == 1:
            copp = Organization.objects.filter(kind=Organization.Kind.COPP, is_group=False).order_by("id").first()
            ministry = Organization.objects.filter(kind=Organization.Kind.MINISTRY).order_by("id").first()
        else:
            copp = ministry = None
        if copp is None:
            copp = Organization(
                key=f"{tag}-copp",
                kind=Organization.Kind.COPP,
                short_name=f"ЦОПП ({region_name})",
                name=f"Центр опережающей профессиональной подготовки ({region_name})",
                municipality=capital,
            )
            orgs.append(copp)
        if ministry is None:
            ministry = Organization(
                key=f"{tag}-ministry",
                kind=Organization.Kind.MINISTRY,
                short_name=f"Министерство образования ({region_name})",
                name=f"Министерство образования ({region_name})",
                municipality=capital,
            )
            orgs.append(ministry)

        existing_colleges = (
            list(
                Organization.objects.filter(kind=Organization.Kind.COLLEGE, is_group=False)
                .exclude(key__startswith=DEMO_PREFIX)
                .order_by("id")
            )
            if index == 1
            else []
        )
        colleges: list[Organization] = []
        for k, muni in enumerate(self._spread(munis, max(0, spec.colleges - len(existing_colleges))), start=1):
            profile, abbr = rng.choice(COLLEGE_PROFILES)
            town = muni.name.removeprefix("город ").removesuffix(" район")
            colleges.append(
                Organization(
                    key=f"{tag}-college-{k:03d}",
                    kind=Organization.Kind.COLLEGE,
                    short_name=f"ГПОУ «{abbr} № {k}» ({town})",
                    name=f"государственное профессиональное образовательное учреждение «{profile.capitalize()} № {k}»",
                    municipality=muni,
                    email=f"college{k}@r{index:03d}.example.org",
                    head_name=f"{rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)[0]}.{rng.choice(FIRST_NAMES)[0]}.",
                    head_email=f"director{k}@r{index:03d}.example.org",
                )
            )
        schools: list[Organization] = []
        for k, muni in enumerate(self._spread(munis, spec.schools), start=1):
            schools.append(
                Organization(
                    kind=Organization.Kind.SCHOOL,
                    short_name=f"МБОУ СШ № {k} ({muni.name})",
                    name=f"муниципальное бюджетное общеобразовательное учреждение «Средняя школа № {k}»",
                    municipality=muni,
                )
            )
        employers: list[Organization] = []
        seen: set[str] = set()
        for muni in self._spread(munis, spec.employers):
            base = f"{rng.choice(EMPLOYER_FORMS)} «{rng.choice(EMPLOYER_STEMS)}{rng.choice(EMPLOYER_TAILS)}»"
            label, n = base, 1
            while label in seen:
                n += 1
                label = f"{base} ({n})"
            seen.add(label)
            employers.append(
                Organization(kind=Organization.Kind.EMPLOYER, short_name=label, name=label, municipality=muni)
            )
        made = [*orgs, *colleges, *schools, *employers]
        for org in made:
            org.region = region
        Organization.objects.bulk_create(made, batch_size=BATCH_SIZE)
        self.counts["organizations"] += len(made)
        return RegionOrgs(
            index, region_name, region, munis, copp, ministry, existing_colleges + colleges, schools, employers
        )

    # -- users ----------------------------------------------------------------

    def _users(self, region: RegionOrgs) -> dict[int, list[User]]:
        """Coordinators per college, ЦОПП staff and ministry staff; returns coordinators by organisation id."""
        rng, tag = self.rng, f"{DEMO_PREFIX}r{region.index:03d}"
        plan: list[tuple[User, Role]] = []

        def person(username: str, org: Organization) -> User:
            return User(
                username=username,
                password=self.password,
                organization=org,
                last_name=rng.choice(SURNAMES),
                first_name=rng.choice(FIRST_NAMES),
                email=f"{username}@example.org",
            )

        for org in region.colleges:
            slug = org.key or f"college{region.colleges.index(org) + 1}"
            for k in range(1, self.spec.coordinators_per_college + 1):
                plan.append((person(f"{DEMO_PREFIX}{slug.removeprefix(DEMO_PREFIX)}-{k}", org), Role.COORDINATOR))
        for k in range(1, self.spec.copp_staff + 1):
            plan.append((person(f"{tag}-copp-{k}", region.copp), Role.COPP))
        for k in range(1, self.spec.ministry_staff + 1):
            plan.append((person(f"{tag}-ministry-{k}", region.ministry), Role.MINISTRY))
        users = User.objects.bulk_create([u for u, _ in plan], batch_size=BATCH_SIZE)
        memberships = [
            User.groups.through(user_id=u.id, group_id=self.groups[role].id)
            for u, (_, role) in zip(users, plan, strict=True)
        ]
        User.groups.through.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
        self.counts["users"] += len(users)
        by_org: dict[int, list[User]] = defaultdict(list)
        for u, (_, role) in zip(users, plan, strict=True):
            if role in (Role.COORDINATOR, Role.COPP):
                assert u.organization_id is not None  # person() gives every staff member an organisation
                by_org[u.organization_id].append(u)
        # Registries and actuals are registered by the region's first ЦОПП
        # staff member (a demo user, which also marks them for --reset).
        self.author = next(u for u, (_, role) in zip(users, plan, strict=True) if role is Role.COPP)
        if self.copp_reviewer is None:
            self.copp_reviewer = self.author
        return by_org

    # -- events and reports -------------------------------------------------------

    def _event_days(self, n: int, spans: list[tuple[date, date]]) -> list[date]:
        days: list[date] = []
        weights: list[float] = []
        for start, end in spans:
            d = start
            while d <= end:
                days.append(d)
                weights.append(day_weight(d))
                d += timedelta(days=1)
        return self.rng.choices(days, weights=weights, k=n) if days else []

    def _events(self, region: RegionOrgs, coordinators: dict[int, list[User]]) -> None:
        rng, plan = self.rng, self.plan
        aw = activity_weights(self.activity_windows)
        activity_ids = list(aw)
        per_activity = split(self.spec.events, [aw[a] for a in activity_ids], rng)
        # Zipf-like activity of colleges: a few do most of the work.
        organizers = [region.copp, *region.colleges]
        org_weights = [len(region.colleges) * 0.12] + [1.0 / math.sqrt(k) for k in range(1, len(region.colleges) + 1)]
        discipline = {o.key or o.short_name: rng.gauss(0, 0.08) for o in organizers}
        school_count = max(1, len(region.schools))

        events: list[Event] = []
        outcomes: list[tuple[float, float, float, str, float, int]] = []  # per event: draws for its report
        for activity_id, n in zip(activity_ids, per_activity, strict=True):
            for day in self._event_days(n, self.activity_windows[activity_id]):
                org = rng.choices(organizers, weights=org_weights)[0]
                length = 1 if rng.random() < 0.85 else rng.randint(2, 5)
                end = min(day + timedelta(days=length - 1), date(plan.last_year, 12, 31))
                audience, audience_key, _ = rng.choices(AUDIENCES, weights=[a[2] for a in AUDIENCES])[0]
                fmt = rng.choices(list(Event.Format), weights=[0.75, 0.2, 0.05])[0]
                staff: Sequence[User | None] = coordinators.get(org.id) or [None]
                coordinator = rng.choice(staff)
                cancelled = rng.random() < SHARE_CANCELLED
                planned = max(5, int(rng.lognormvariate(math.log(25), 0.6)))
                email = (
                    coordinator.email
                    if coordinator and rng.random() < 0.7
                    else f"{latin(rng.choice(SURNAMES))}.{rng.randint(1, 99)}@r{region.index:03d}.example.org"
                )
                muni = (
                    org.municipality
                    if rng.random() < 0.8 or not region.municipalities
                    else rng.choice(region.municipalities)
                )
                start_hour = rng.choice([9, 10, 11, 13, 14, 15])
                events.append(
                    Event(
                        activity_id=activity_id,
                        organizer=org,
                        region_id=org.region_id,  # bulk_create does not call Event.save
                        title=f"{rng.choice(EVENT_KINDS)} «{rng.choice(PROFESSIONS)}»",
                        start_date=day,
                        end_date=end,
                        start_time=time(start_hour, 0),
                        end_time=time(start_hour + 2, 0),
                        place=f"{org.short_name}, ауд. {rng.randint(101, 420)}"
                        if fmt != Event.Format.ONLINE
                        else "онлайн",
                        municipality=muni,
                        format=fmt,
                        audience=audience,
                        planned_participants=planned,
                        coordinator=coordinator,
                        responsible_email=email,
                        due_at=report_due_at(end, days=plan.report_due_days, calendar=plan.report_due_calendar),
                        cancelled_at=moscow_utc(day - timedelta(days=rng.randint(1, 10)), 12) if cancelled else None,
                        cancel_reason=rng.choice(CANCEL_REASONS) if cancelled else "",
                        created_by=coordinator,
                    )
                )
                outcomes.append(
                    (
                        rng.random(),
                        discipline[org.key or org.short_name],
                        rng.random(),
                        audience_key,
                        rng.random(),
                        rng.randint(1, min(12, school_count)),
                    )
                )
        # Sort by day so ids grow with time, as they would in real use.
        order = sorted(range(len(events)), key=lambda i: (events[i].start_date, i))
        events = [events[i] for i in order]
        outcomes = [outcomes[i] for i in order]
        for event_batch in chunks(events):
            Event.objects.bulk_create(event_batch)
        self.counts["events"] += len(events)

        reports: list[EventReport] = []
        for event, draws in zip(events, outcomes, strict=True):
            report = self._report(event, draws)
            if report is not None:
                reports.append(report)
        for batch in chunks(reports):
            EventReport.objects.bulk_create(batch)
        self.counts["event_reports"] += len(reports)
        if region.index == 1:
            self.counts["listed_participants"] += participant_lists(reports, self.rng)
        self._evidence(reports)

    def _evidence(self, reports: list[EventReport]) -> None:
        """One small shared demo file attached to most accepted reports, dated when the report was filed."""
        accepted = [r for r in reports if r.status == EventReport.Status.ACCEPTED and r.pk]
        chosen = [r for r in accepted if self.evidence_rng.random() < SHARE_WITH_EVIDENCE]
        if not chosen:
            return
        if not default_storage.exists(DEMO_EVIDENCE_NAME):
            default_storage.save(DEMO_EVIDENCE_NAME, ContentFile(DEMO_EVIDENCE))
        files = [
            EvidenceFile(
                report=r,
                file=DEMO_EVIDENCE_NAME,
                original_name="Протокол (демо).pdf",
                kind=EvidenceFile.Kind.PROTOCOL,
                size=len(DEMO_EVIDENCE),
                content_type="application/pdf",
                uploaded_by=r.submitted_by,
            )
            for r in chosen
        ]
        for batch in chunks(files):
            EvidenceFile.objects.bulk_create(batch)
        filed = Subquery(EventReport.objects.filter(pk=OuterRef("report_id")).values("submitted_at")[:1])
        for pk_batch in chunks([r.pk for r in chosen]):
            EvidenceFile.objects.filter(report_id__in=pk_batch).update(uploaded_at=filed)
        self.counts["evidence_files"] += len(files)

    def _report(self, event: Event, draws: tuple[float, float, float, str, float, int]) -> EventReport | None:
        """The report of one event, as of ``now`` (None: not filed, or not needed).

        The organiser's discipline moves its on-time share around SHARE_ON_TIME;
        what is not on time splits between late and missing in the overall
        proportion, so the region's shares stay where the constants put them.
        """
        fate, discipline, extra, audience_key, review, schools = draws
        p_on_time = min(0.97, max(0.4, SHARE_ON_TIME + discipline))
        p_late = (1 - p_on_time) * SHARE_LATE / (1 - SHARE_ON_TIME)
        rng, now = self.rng, self.now
        if event.cancelled_at is not None:
            return None
        held_at = moscow_utc(event.end_date, event.end_time.hour if event.end_time else 17)
        if held_at > now:
            return None  # planned
        due = event.due_at
        if fate < p_on_time:
            submitted = held_at + (due - held_at) * (0.05 + 0.9 * extra)
        elif fate < p_on_time + p_late:
            # Late by hours to weeks: median about two days.
            submitted = due + timedelta(hours=rng.expovariate(1 / 48) + 0.25)
        else:
            return None  # missing
        if submitted > now:
            return None  # will be filed later; as of now it is missing / awaited
        total = max(1, int((event.planned_participants or 20) * rng.uniform(0.6, 1.15)))
        split_to = {"pupils": 0, "students": 0, "adults": 0, "fifty": 0}
        split_to[audience_key] = total
        report = EventReport(
            event=event,
            summary=f"Проведено: {event.title}. Участников: {total}.",
            participants_total=total,
            participants_pupils_6_11=split_to["pupils"],
            participants_students=split_to["students"],
            participants_adults=split_to["adults"],
            participants_50_plus=split_to["fifty"],
            schools_count=schools if audience_key == "pupils" else 0,
            status=EventReport.Status.SUBMITTED,
            submitted_at=submitted,
            submitted_by=event.coordinator,
            on_time=submitted <= due,
            due_at_submission=due,
        )
        if review < SHARE_RETURNED:
            returned = submitted + timedelta(hours=rng.uniform(2, 72))
            if returned <= now:
                report.returned_at, report.returned_by = returned, self.copp_reviewer
                report.return_reason, report.return_count = rng.choice(RETURN_REASONS), 1
                local_day = returned.astimezone(MOSCOW).date()
                report.resubmission_due_at = report_due_at(
                    local_day, days=self.plan.report_due_days, calendar=self.plan.report_due_calendar
                )
                resubmitted = returned + timedelta(hours=rng.expovariate(1 / 30))
                if rng.random() < 0.75 and resubmitted <= now:
                    report.resubmitted_at = resubmitted
                    report.status = EventReport.Status.SUBMITTED
                    accepted = resubmitted + timedelta(hours=rng.uniform(1, 96))
                    if accepted <= now:
                        report.status, report.accepted_at = EventReport.Status.ACCEPTED, accepted
                        report.accepted_by = self.copp_reviewer
                else:
                    report.status = EventReport.Status.RETURNED
            return report
        accepted = submitted + timedelta(hours=rng.uniform(1, 168))
        if review < 0.93 and accepted <= now:
            report.status, report.accepted_at, report.accepted_by = (
                EventReport.Status.ACCEPTED,
                accepted,
                self.copp_reviewer,
            )
        return report
