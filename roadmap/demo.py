"""Realistic, deterministic demo data at scale (``manage.py generate_demo``).

What a region looks like: colleges, schools and employers spread over the real
municipalities (``roadmap/data/municipalities.yaml``, already loaded with the
order), coordinators per college, events through the plan's years with the
seasons of a school year, reports on time, late and missing in plausible
shares, returned and accepted reports, ЦОПП's actual values of the indicators,
partner agreements, educational programmes and their cohorts.

``national`` repeats the region a hundred times: region 1 is the real Tula
region, regions 2..100 get synthetic municipalities and their own ЦОПП and
ministry.

Everything is drawn from one ``random.Random(seed)``; nothing random depends on
database ids, so the same seed on the same plan gives the same rows on SQLite
and PostgreSQL.

Activities are never picked by number ("a plan is data"): an activity's share
of events follows its deadline windows. A window that recurs every year and is
at most ~3 months long (e.g. «Билет в будущее», "Ежегодно, сентябрь-ноябрь")
is a campaign and gets ``CAMPAIGN_WEIGHT`` years' worth of events squeezed
into it, which produces the autumn peak; one-off windows shorter than a year
(documents to write once) get a trickle.

Speed: rows are built in Python and written with ``bulk_create`` in batches,
so the number of queries grows with the number of *batches*, never with the
number of events. This deliberately bypasses the services
(``roadmap.services.event_create`` etc.): they write one row at a time, check
permissions and write history and notifications, which would take hours at
``national`` scale. What the services would compute is computed here with
their pure parts instead: ``roadmap.deadlines.report_due_at`` for ``due_at``
and for a returned report's new deadline; ``on_time`` is ``submitted_at <=
due_at`` exactly as frozen at submission. No django-simple-history rows are
written for generated data (history starts with the first real edit).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import models, transaction

from roadmap.deadlines import MOSCOW, report_due_at
from roadmap.models import (
    Activity,
    Event,
    EventReport,
    Municipality,
    Organization,
    Plan,
    User,
)
from roadmap.roles import GROUP_NAMES, Role, ensure_role_groups

BATCH_SIZE = 2000
DEMO_PREFIX = "demo-"
DEMO_PASSWORD = "demo12345"
CAMPAIGN_WEIGHT = 4.0
ONE_OFF_WEIGHT = 0.15

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class ScaleSpec:
    """How much to generate. Per-region figures are multiplied by ``regions``."""

    regions: int
    colleges: int
    schools: int
    employers: int
    events: int
    coordinators_per_college: int = 2
    copp_staff: int = 3
    ministry_staff: int = 10


SCALES: dict[str, ScaleSpec] = {
    "small": ScaleSpec(regions=1, colleges=8, schools=60, employers=30, events=2_000),
    "region": ScaleSpec(regions=1, colleges=40, schools=400, employers=150, events=30_000),
    "national": ScaleSpec(regions=100, colleges=40, schools=400, employers=150, events=30_000),
}

# Shares of events that needed a report (past, not cancelled). Each
# organisation gets its own "discipline" around these, so some colleges are
# chronically late and the dashboards have something to show.
SHARE_ON_TIME = 0.78
SHARE_LATE = 0.15  # the rest (~7 %) is missing
SHARE_CANCELLED = 0.02
SHARE_RETURNED = 0.06

COLLEGE_PROFILES = [
    ("политехнический колледж", "ПК"),
    ("колледж строительства и отраслевых технологий", "КСОТ"),
    ("педагогический колледж", "ПедК"),
    ("медицинский колледж", "МК"),
    ("аграрный колледж", "АК"),
    ("технологический колледж", "ТК"),
    ("колледж сервиса и туризма", "КСиТ"),
    ("экономический колледж", "ЭК"),
    ("машиностроительный колледж", "МашК"),
    ("железнодорожный техникум", "ЖДТ"),
    ("горно-политехнический колледж", "ГПК"),
    ("энергетический колледж", "ЭнК"),
    ("колледж информационных технологий", "КИТ"),
    ("химико-технологический техникум", "ХТТ"),
]
EMPLOYER_STEMS = ["Тула", "Ока", "Промо", "Техно", "Агро", "Строй", "Энерго", "Маш", "Хим", "Мед", "Транс", "Сталь",
                  "Нефте", "Газо", "Электро", "Лес", "Пище", "Авто", "Инфо", "Фарм"]
EMPLOYER_TAILS = ["пром", "сервис", "маш", "строй", "холдинг", "завод", "комплекс", "лайн", "тех", "снаб", "мир",
                  "проект"]
EMPLOYER_FORMS = ["ООО", "ООО", "ООО", "АО", "АО", "ПАО", "ИП"]
EVENT_KINDS = ["Мастер-класс", "Профессиональная проба", "Экскурсия на предприятие", "Семинар", "Вебинар",
               "Круглый стол", "Конкурс профессионального мастерства", "День открытых дверей",
               "Профориентационная встреча", "Тренинг", "Открытый урок", "Стажировка"]
PROFESSIONS = ["Сварщик", "Повар-кондитер", "Оператор станков с ЧПУ", "Электромонтажник", "Медицинская сестра",
               "Программист", "Автомеханик", "Парикмахер", "Токарь", "Логист", "Воспитатель", "Агроном",
               "Монтажник связи", "Бухгалтер", "Лаборант-химик", "Машинист локомотива", "Дизайнер",
               "Мастер отделочных работ", "Специалист по туризму", "Оператор беспилотных систем",
               "Наладчик оборудования", "Фармацевт", "Ветеринарный фельдшер", "Кондитер"]
AUDIENCES = [
    ("обучающиеся 6–11 классов", "pupils", 0.45),
    ("студенты СПО", "students", 0.25),
    ("взрослые", "adults", 0.18),
    ("граждане в возрасте 50+", "fifty", 0.05),
    ("педагоги", "adults", 0.07),
]
CANCEL_REASONS = ["Перенос по решению организатора", "Карантин в школах", "Неблагоприятные погодные условия",
                  "Недостаточно заявок", "Отмена по требованию Роспотребнадзора"]
RETURN_REASONS = ["Не приложены фотографии", "Число участников не совпадает с протоколом",
                  "Не указаны школы-участники", "Нет приказа о проведении", "Описание не соответствует мероприятию"]
SURNAMES = ["Иванова", "Смирнова", "Кузнецова", "Попова", "Васильева", "Петрова", "Соколова", "Михайлова",
            "Новикова", "Фёдорова", "Морозова", "Волкова", "Алексеева", "Лебедева", "Семёнова", "Егорова"]
FIRST_NAMES = ["Анна", "Мария", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Юлия", "Екатерина",
               "Алексей", "Сергей", "Дмитрий", "Андрей"]
AGREEMENT_SUBJECTS = ["Сотрудничество в сфере опережающей профессиональной подготовки",
                      "Организация производственной практики и стажировок",
                      "Совместная реализация программ профессионального обучения",
                      "Целевое обучение и трудоустройство выпускников",
                      "Проведение профессиональных проб для школьников"]
PROGRAMME_TOPICS = ["Основы 3D-моделирования", "Оператор беспилотных авиационных систем", "Сварочное дело",
                    "Цифровая грамотность для старшего поколения", "Основы программирования на Python",
                    "Кондитерское дело", "Электромонтаж", "Управление складом", "Бережливое производство",
                    "Финансовая грамотность", "Графический дизайн", "Ремонт автомобилей", "Фармацевтика",
                    "Агротехнологии", "Робототехника", "Парикмахерское искусство", "Первая помощь",
                    "Охрана труда", "Web-разработка", "Промышленная автоматика"]


# --------------------------------------------------------------------------
# Pure helpers (no database)
# --------------------------------------------------------------------------


def day_weight(day: date) -> float:
    """Relative chance that an event takes place on ``day`` (school-year rhythm)."""
    w = 1.0
    if day.month in (7, 8):
        w *= 0.3  # summer holidays
    if day.month == 1 and day.day <= 8:
        w *= 0.05  # New Year holidays
    if day.month == 12 and day.day >= 26:
        w *= 0.5
    if day.month == 5 and day.day <= 10:
        w *= 0.5  # May holidays
    if day.weekday() == 5:
        w *= 0.25
    elif day.weekday() == 6:
        w *= 0.05
    return w


def activity_weights(windows: dict[int, list[tuple[date, date]]]) -> dict[int, float]:
    """Share of events per activity id, from the shape of its deadline windows.

    * a window of a year or longer: one unit per year it covers;
    * a window of up to ~3 months recurring in several years (a campaign):
      CAMPAIGN_WEIGHT units per quarter of a year it covers, i.e. events are
      CAMPAIGN_WEIGHT times denser than a year-round activity's of the same
      "importance" -- the autumn peak of «Билет в будущее»;
    * a longer recurring window: its share of a year;
    * a window shorter than a year that does not recur (a one-off task): a trickle.
    """
    weights: dict[int, float] = {}
    for activity_id, spans in windows.items():
        years = {s.year for s, _ in spans}
        total = 0.0
        for start, end in spans:
            length = (end - start).days + 1
            if length >= 360:
                total += length / 365
            elif len(years) > 1 and length <= 100:
                total += CAMPAIGN_WEIGHT * length / 91
            elif len(years) > 1:
                total += length / 365
            else:
                total += ONE_OFF_WEIGHT
        weights[activity_id] = total
    return weights


def split(total: int, weights: Sequence[float], rng: random.Random) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder, ties by rng)."""
    s = sum(weights)
    if s <= 0 or total <= 0:
        return [0] * len(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = total - sum(out)
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - out[i]), rng.random()))
    for i in order[:rest]:
        out[i] += 1
    return out


def _chunks(items: Sequence[M], size: int = BATCH_SIZE) -> Iterable[Sequence[M]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
                      "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))


def _latin(word: str) -> str:
    """ASCII local part of an e-mail address for a Russian surname."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in word.lower())


def _moscow(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=MOSCOW).astimezone(UTC)


# --------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------


@dataclass
class RegionOrgs:
    index: int
    name: str
    municipalities: list[Municipality]
    copp: Organization
    ministry: Organization
    colleges: list[Organization]
    schools: list[Organization]
    employers: list[Organization]


class DemoGenerator:
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
        self.plan = plan or Plan.objects.filter(is_current=True).first() or Plan.objects.order_by("id").first()
        if self.plan is None:
            raise ValueError("no plan loaded: run `manage.py load_order` first")
        self.counts: dict[str, int] = defaultdict(int)
        self.password = make_password(DEMO_PASSWORD)  # hashed once, shared by every demo user

    # -- public -----------------------------------------------------------

    @transaction.atomic
    def run(self) -> dict[str, int]:
        ensure_role_groups()
        self.groups = {role: Group.objects.get(name=GROUP_NAMES[role]) for role in Role}
        self.copp_reviewer = User.objects.filter(username="copp").first()
        activities = list(Activity.objects.filter(plan=self.plan).prefetch_related("windows").order_by("number"))
        self.activity_windows = self._windows(activities)
        for index in range(1, self.spec.regions + 1):
            region = self._region_orgs(index)
            users = self._users(region)
            self._events(region, users)
            self._registries(region)
            self._actuals(region)
            self.log(f"region {index}/{self.spec.regions} done")
        return dict(self.counts)

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

    def _municipalities(self, index: int) -> tuple[str, list[Municipality]]:
        real = list(Municipality.objects.order_by("order", "name"))
        if index == 1:
            if not real:
                raise ValueError("no municipalities loaded: run `manage.py load_order` first")
            return real[0].region, real
        name = f"Регион {index:03d}"
        munis = [
            Municipality(
                name=f"{name}: {'городской округ' if k < 7 else 'муниципальный район'} № {k + 1}",
                kind=Municipality.Kind.CITY_OKRUG if k < 7 else Municipality.Kind.DISTRICT,
                region=name,
                order=1000 * index + k,
            )
            for k in range(len(real) or 26)
        ]
        created = Municipality.objects.bulk_create(munis, batch_size=BATCH_SIZE)
        self.counts["municipalities"] += len(created)
        return name, list(Municipality.objects.filter(region=name).order_by("order"))

    def _spread(self, munis: list[Municipality], n: int) -> list[Municipality]:
        """``n`` municipalities drawn with the big towns (urban okrugs, the capital) weighted up."""
        weights = [
            (12.0 if i == 0 else 3.0 if m.kind == Municipality.Kind.CITY_OKRUG else 1.0) for i, m in enumerate(munis)
        ]
        return self.rng.choices(munis, weights=weights, k=n)

    def _region_orgs(self, index: int) -> RegionOrgs:
        rng, spec = self.rng, self.spec
        region_name, munis = self._municipalities(index)
        tag = f"{DEMO_PREFIX}r{index:03d}"
        capital = munis[0]
        orgs: list[Organization] = []
        if index == 1:
            copp = Organization.objects.filter(kind=Organization.Kind.COPP, is_group=False).order_by("id").first()
            ministry = Organization.objects.filter(kind=Organization.Kind.MINISTRY).order_by("id").first()
        else:
            copp = ministry = None
        if copp is None:
            copp = Organization(key=f"{tag}-copp", kind=Organization.Kind.COPP, short_name=f"ЦОПП ({region_name})",
                                name=f"Центр опережающей профессиональной подготовки ({region_name})",
                                municipality=capital)
            orgs.append(copp)
        if ministry is None:
            ministry = Organization(key=f"{tag}-ministry", kind=Organization.Kind.MINISTRY,
                                    short_name=f"Министерство образования ({region_name})",
                                    name=f"Министерство образования ({region_name})", municipality=capital)
            orgs.append(ministry)

        existing_colleges = (
            list(Organization.objects.filter(kind=Organization.Kind.COLLEGE, is_group=False)
                 .exclude(key__startswith=DEMO_PREFIX).order_by("id"))
            if index == 1 else []
        )
        colleges: list[Organization] = []
        for k, muni in enumerate(self._spread(munis, max(0, spec.colleges - len(existing_colleges))), start=1):
            profile, abbr = rng.choice(COLLEGE_PROFILES)
            town = muni.name.removeprefix("город ").removesuffix(" район")
            colleges.append(Organization(
                key=f"{tag}-college-{k:03d}", kind=Organization.Kind.COLLEGE,
                short_name=f"ГПОУ «{abbr} № {k}» ({town})",
                name=f"государственное профессиональное образовательное учреждение «{profile.capitalize()} № {k}»",
                municipality=muni, email=f"college{k}@r{index:03d}.example.org",
                head_name=f"{rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)[0]}.{rng.choice(FIRST_NAMES)[0]}.",
                head_email=f"director{k}@r{index:03d}.example.org",
            ))
        schools: list[Organization] = []
        for k, muni in enumerate(self._spread(munis, spec.schools), start=1):
            schools.append(Organization(
                kind=Organization.Kind.SCHOOL, short_name=f"МБОУ СШ № {k} ({muni.name})",
                name=f"муниципальное бюджетное общеобразовательное учреждение «Средняя школа № {k}»",
                municipality=muni,
            ))
        employers: list[Organization] = []
        seen: set[str] = set()
        for muni in self._spread(munis, spec.employers):
            base = f"{rng.choice(EMPLOYER_FORMS)} «{rng.choice(EMPLOYER_STEMS)}{rng.choice(EMPLOYER_TAILS)}»"
            label, n = base, 1
            while label in seen:
                n += 1
                label = f"{base} ({n})"
            seen.add(label)
            employers.append(Organization(kind=Organization.Kind.EMPLOYER, short_name=label, name=label,
                                          municipality=muni))
        Organization.objects.bulk_create([*orgs, *colleges, *schools, *employers], batch_size=BATCH_SIZE)
        self.counts["organizations"] += len(orgs) + len(colleges) + len(schools) + len(employers)
        return RegionOrgs(index, region_name, munis, copp, ministry, existing_colleges + colleges, schools, employers)

    # -- users ----------------------------------------------------------------

    def _users(self, region: RegionOrgs) -> dict[int, list[User]]:
        """Coordinators per college, ЦОПП staff and ministry staff; returns coordinators by organisation id."""
        rng, tag = self.rng, f"{DEMO_PREFIX}r{region.index:03d}"
        plan: list[tuple[User, Role]] = []

        def person(username: str, org: Organization) -> User:
            return User(username=username, password=self.password, organization=org,
                        last_name=rng.choice(SURNAMES), first_name=rng.choice(FIRST_NAMES),
                        email=f"{username}@example.org")

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
                staff = coordinators.get(org.id) or [None]
                coordinator = rng.choice(staff)
                cancelled = rng.random() < SHARE_CANCELLED
                planned = max(5, int(rng.lognormvariate(math.log(25), 0.6)))
                email = (coordinator.email if coordinator and rng.random() < 0.7
                         else f"{_latin(rng.choice(SURNAMES))}.{rng.randint(1, 99)}@r{region.index:03d}.example.org")
                muni = org.municipality if rng.random() < 0.8 or not region.municipalities else rng.choice(
                    region.municipalities)
                start_hour = rng.choice([9, 10, 11, 13, 14, 15])
                events.append(Event(
                    activity_id=activity_id, organizer=org,
                    title=f"{rng.choice(EVENT_KINDS)} «{rng.choice(PROFESSIONS)}»",
                    start_date=day, end_date=end, start_time=time(start_hour, 0), end_time=time(start_hour + 2, 0),
                    place=f"{org.short_name}, ауд. {rng.randint(101, 420)}" if fmt != Event.Format.ONLINE else "онлайн",
                    municipality=muni, format=fmt, audience=audience, planned_participants=planned,
                    coordinator=coordinator, responsible_email=email,
                    due_at=report_due_at(end, days=plan.report_due_days, calendar=plan.report_due_calendar),
                    cancelled_at=_moscow(day - timedelta(days=rng.randint(1, 10)), 12) if cancelled else None,
                    cancel_reason=rng.choice(CANCEL_REASONS) if cancelled else "",
                    created_by=coordinator,
                ))
                outcomes.append((rng.random(), discipline[org.key or org.short_name], rng.random(),
                                 audience_key, rng.random(), rng.randint(1, min(12, school_count))))
        # Sort by day so ids grow with time, as they would in real use.
        order = sorted(range(len(events)), key=lambda i: (events[i].start_date, i))
        events = [events[i] for i in order]
        outcomes = [outcomes[i] for i in order]
        for batch in _chunks(events):
            Event.objects.bulk_create(batch)
        self.counts["events"] += len(events)

        reports: list[EventReport] = []
        for event, draws in zip(events, outcomes, strict=True):
            report = self._report(event, draws)
            if report is not None:
                reports.append(report)
        for batch in _chunks(reports):
            EventReport.objects.bulk_create(batch)
        self.counts["event_reports"] += len(reports)

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
        held_at = _moscow(event.end_date, event.end_time.hour if event.end_time else 17)
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
            event=event, summary=f"Проведено: {event.title}. Участников: {total}.",
            participants_total=total,
            participants_pupils_6_11=split_to["pupils"], participants_students=split_to["students"],
            participants_adults=split_to["adults"], participants_50_plus=split_to["fifty"],
            schools_count=schools if audience_key == "pupils" else 0,
            status=EventReport.Status.SUBMITTED, submitted_at=submitted, submitted_by=event.coordinator,
            on_time=submitted <= due, due_at_submission=due,
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
                EventReport.Status.ACCEPTED, accepted, self.copp_reviewer)
        return report

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
        source = IndicatorSource.objects.filter(
            indicator__indicator_set__plan=plan, kind=IndicatorSource.Kind.PARTNER_AGREEMENTS
        ).prefetch_related("activities").first()
        agreement_activities = [a.id for a in source.activities.all()] if source else []
        holders = [(region.copp, rng.randint(30, 60))] + [(c, rng.randint(3, 8)) for c in region.colleges]
        agreements = []
        for holder, n in holders:
            for k in range(1, n + 1):
                signed = date(first - 1, 1, 1) + timedelta(days=rng.randint(0, 365 * (last - first + 2)))
                if signed > today or not region.employers:
                    continue
                valid_to = None if rng.random() < 0.3 else signed + timedelta(days=365 * rng.randint(1, 5))
                agreements.append(PartnerAgreement(
                    partner=rng.choice(region.employers), organization=holder,
                    activity_id=rng.choice(agreement_activities) if agreement_activities else None,
                    number=f"{k}/{signed.year}-СП", date=signed, valid_from=signed, valid_to=valid_to,
                    subject=rng.choice(AGREEMENT_SUBJECTS), created_by=self.author,
                ))
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
                programmes.append(EducationalProgramme(
                    name=f"{rng.choice(PROGRAMME_TOPICS)} (программа {k})", category=rng.choice(categories),
                    developer=developer, approved_on=approved, hours=rng.choice([16, 24, 36, 72, 144, 256]),
                    form=rng.choices(list(EducationalProgramme.Form), weights=[0.5, 0.2, 0.1, 0.2])[0],
                    created_by=self.author,
                ))
        EducationalProgramme.objects.bulk_create(programmes, batch_size=BATCH_SIZE)
        cohorts = []
        for programme in programmes:
            for year in range(programme.approved_on.year, min(last, today.year) + 1):
                for g in range(1, rng.randint(1, 3) + 1):
                    cohorts.append(ProgrammeCohort(programme=programme, year=year, group=f"гр. {g}",
                                                   completed=rng.randint(6, 25), created_by=self.author))
        ProgrammeCohort.objects.bulk_create(cohorts, batch_size=BATCH_SIZE)
        self.counts["programmes"] += len(programmes)
        self.counts["cohorts"] += len(cohorts)

    def _actuals(self, region: RegionOrgs) -> None:
        """ЦОПП's reported values of every indicator for the years already begun."""
        from indicators.models import Actual, ActualChange, Indicator

        rng, now = self.rng, self.now
        indicators = list(Indicator.objects.filter(indicator_set__plan=self.plan).prefetch_related("targets"))
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
                status = (Actual.Status.APPROVED if r < 0.9 else Actual.Status.SUBMITTED if r < 0.96
                          else Actual.Status.RETURNED) if closed else (
                    Actual.Status.DRAFT if r < 0.5 else Actual.Status.SUBMITTED if r < 0.8 else Actual.Status.APPROVED)
                at = min(now, _moscow(date(year, 12, 20), 12) if closed else now - timedelta(days=rng.randint(1, 60)))
                value = values[ind.id]
                actuals.append(Actual(
                    indicator=ind, year=year, period="", organization=region.copp,
                    value_number=None if isinstance(value, bool) else value,
                    value_bool=value if isinstance(value, bool) else None,
                    evidence="Отчёт ЦОПП за год" if closed else "",
                    status=status, was_approved=status == Actual.Status.APPROVED,
                    return_reason="Нет подтверждающих документов" if status == Actual.Status.RETURNED else "",
                    created_at=at - timedelta(days=10), updated_at=at, created_by=self.author,
                    approved_at=at if status == Actual.Status.APPROVED else None,
                    approved_by=self.copp_reviewer if status == Actual.Status.APPROVED else None,
                ))
        Actual.objects.bulk_create(actuals, batch_size=BATCH_SIZE)
        changes = []
        for a in actuals:
            value = a.value_bool if a.value_bool is not None else a.value_number
            changes.append(ActualChange(actual=a, action=ActualChange.Action.CREATE, at=a.created_at,
                                        new_value=value, old_status="", new_status=Actual.Status.DRAFT))
            if a.status != Actual.Status.DRAFT:
                changes.append(ActualChange(actual=a, action=ActualChange.Action.SUBMIT,
                                            at=a.created_at + timedelta(days=1), old_value=value, new_value=value,
                                            old_status=Actual.Status.DRAFT, new_status=Actual.Status.SUBMITTED))
            if a.status in (Actual.Status.APPROVED, Actual.Status.RETURNED):
                action = ActualChange.Action.APPROVE if a.status == Actual.Status.APPROVED else ActualChange.Action.RETURN
                changes.append(ActualChange(actual=a, action=action, at=a.updated_at, old_value=value,
                                            new_value=value, old_status=Actual.Status.SUBMITTED, new_status=a.status,
                                            reason=a.return_reason))
        ActualChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)
        self.counts["actuals"] += len(actuals)


# --------------------------------------------------------------------------
# Presence and removal of generated data
# --------------------------------------------------------------------------


def demo_present() -> bool:
    return User.objects.filter(username__startswith=DEMO_PREFIX).exists()


@transaction.atomic
def demo_delete() -> None:
    """Remove what ``generate_demo`` created: demo users, demo organisations and
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
    region_munis = Municipality.objects.filter(order__gte=1000)
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
        models.Q(municipality__in=region_munis) | models.Q(short_name__startswith="МБОУ СШ №")
        | models.Q(partner_agreements__isnull=True)
    ).delete()
    orgs.delete()
    region_munis.delete()
