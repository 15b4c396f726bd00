"""Participant lists of event reports: people counted once.

Rows 6 and 7 of the order count people (численность), not participations:
a pupil at three профпробы is one pupil. An event report may carry a list
of its participants; the indicator then counts distinct people across all
the year's events of its activities (:func:`people_figures`). Events
without a list count their totals, as before.

What is stored: for each listed person only the category (pupil with the
grade, student, adult, 50+) and ``person_key``, an HMAC-SHA256 of the
normalised identifying fields under ``settings.PARTICIPANT_HASH_KEY``. The
names, birth dates and СНИЛС typed in are used to compute the key and
dropped; without the key the hash cannot be tested against a guessed
person. ``participants_purge`` anonymises the keys of plans that ended more
than ``PARTICIPANT_KEYS_KEPT_YEARS`` ago (see the README, «Participant data»).

Every door (report form, API, xlsx import) parses with :func:`clean_people`
and writes with :func:`report_participants_set`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum

from roadmap.events.event_year import event_year_expr, event_year_q
from roadmap.models import EventReport, Plan, ReportParticipant

Category = ReportParticipant.Category

# The longest list one report may carry (a whole-region festival is a few thousand).
MAX_LISTED = 20_000

# Which listed categories each people figure of a report counts. The 50+ are
# adults too (the order counts them within the adults).
FIELD_CATEGORIES: dict[str, tuple[str, ...]] = {
    "participants_total": (Category.PUPIL, Category.STUDENT, Category.ADULT, Category.SENIOR),
    "participants_pupils_6_11": (Category.PUPIL,),
    "participants_students": (Category.STUDENT,),
    "participants_adults": (Category.ADULT, Category.SENIOR),
    "participants_50_plus": (Category.SENIOR,),
}
PEOPLE_FIELDS = tuple(FIELD_CATEGORIES)

CATEGORY_WORDS = {
    "школьник": Category.PUPIL,
    "школьница": Category.PUPIL,
    "ученик": Category.PUPIL,
    "ученица": Category.PUPIL,
    "обучающийся": Category.PUPIL,
    "обучающаяся": Category.PUPIL,
    "pupil": Category.PUPIL,
    "студент": Category.STUDENT,
    "студентка": Category.STUDENT,
    "student": Category.STUDENT,
    "взрослый": Category.ADULT,
    "взрослая": Category.ADULT,
    "adult": Category.ADULT,
    "50+": Category.SENIOR,
    "старше 50": Category.SENIOR,
    "senior": Category.SENIOR,
}
GRADES = range(6, 12)
LINE_FORMAT = "Фамилия; Имя; дд.мм.гггг или СНИЛС; категория; класс"


@dataclass(frozen=True)
class Person:
    """A listed participant as stored: the keyed hash, the category and (pupils) the grade."""

    person_key: str
    category: str
    grade: int | None = None


# --- the key ---------------------------------------------------------------------------


def _hash_key() -> bytes:
    return str(settings.PARTICIPANT_HASH_KEY).encode()


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return " ".join(re.sub(r"[^\w\s-]", " ", text).replace("-", " ").split())


def person_key(*, surname: str, name: str, birth_date: dt.date | None = None, snils: str = "") -> str:
    """HMAC-SHA256 of the normalised identifying fields.

    СНИЛС identifies a person alone; otherwise surname, name and birth date
    do (case, «ё» and spacing do not matter). The same person entered once
    with a СНИЛС and once with a birth date gets two keys: the lists of one
    organiser should use one of the two consistently.
    """
    if snils:
        message = "snils:" + snils
    else:
        message = f"person:{_norm(surname)}|{_norm(name)}|{birth_date:%Y-%m-%d}"
    return hmac.new(_hash_key(), message.encode(), hashlib.sha256).hexdigest()


def _snils_digits(text: str) -> str | None:
    """The 11 digits of a valid СНИЛС, or None (the checksum catches typos)."""
    digits = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"\d{11}", digits):
        return None
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits[:9]))
    check = total % 101 if total > 100 else total
    check = 0 if check in (100, 101) else check
    return digits if check == int(digits[9:]) else None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


# --- parsing and validation ---------------------------------------------------------------


def parse_lines(text: str) -> list[dict[str, Any]]:
    """The form's textarea: one person a line, fields separated by «;» (or tabs,
    as pasted from a spreadsheet). Blank lines are skipped; each row keeps its
    line number for the error messages."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[;\t]", line)]
        parts += [""] * (5 - len(parts))
        row = {"surname": parts[0], "name": parts[1], "category": parts[3], "grade": parts[4], "line": number}
        identity = parts[2]
        if "." not in identity and re.search(r"\d{3}[\s-]?\d{3}[\s-]?\d{3}", identity):
            row["snils"] = identity
        else:
            row["birth_date"] = identity
        if any(parts[5:]):
            row["extra"] = True
        rows.append(row)
    return rows


def _clean_one(row: Mapping[str, Any]) -> tuple[Person | None, list[str]]:
    problems: list[str] = []
    surname, name = str(row.get("surname") or "").strip(), str(row.get("name") or "").strip()
    if row.get("extra"):
        problems.append(f"лишние поля; формат: {LINE_FORMAT}")
    if not surname or not name:
        problems.append("укажите фамилию и имя")
    snils_text = str(row.get("snils") or "").strip()
    birth_text = row.get("birth_date")
    snils = birth = None
    if snils_text:
        snils = _snils_digits(snils_text)
        if snils is None:
            problems.append(f"СНИЛС «{snils_text}» неверен (11 цифр с верной контрольной суммой)")
    elif birth_text not in (None, ""):
        birth = _date(birth_text)
        if birth is None:
            problems.append(f"дата рождения «{birth_text}» — нужна в виде дд.мм.гггг")
        elif not dt.date(1900, 1, 1) <= birth <= dt.date.today():
            problems.append(f"дата рождения {birth:%d.%m.%Y} невозможна")
    else:
        problems.append("укажите дату рождения или СНИЛС")
    raw = str(row.get("category") or "").strip()
    category = (
        raw
        if raw in Category.values
        else (CATEGORY_WORDS.get(raw.casefold().replace(" ", "")) or CATEGORY_WORDS.get(_norm(raw)))
    )
    if category is None:
        problems.append(
            f"категория «{raw}» неизвестна: школьник, студент, взрослый или 50+"
            if raw
            else "укажите категорию: школьник, студент, взрослый или 50+"
        )
    grade: int | None = None
    grade_text = str(row.get("grade") if row.get("grade") is not None else "").strip()
    if category == Category.PUPIL:
        try:
            grade = int(grade_text)
        except ValueError:
            grade = None
        if grade not in GRADES:
            problems.append(f"класс школьника — число от 6 до 11 (указано «{grade_text}»)")
    elif grade_text:
        problems.append("класс указывается только для школьников")
    if problems:
        return None, problems
    key = person_key(surname=surname, name=name, birth_date=birth, snils=snils or "")
    return Person(person_key=key, category=str(category), grade=grade), []


def clean_people(rows: Sequence[Mapping[str, Any]], *, label: str = "Строка") -> list[Person]:
    """Validate a list of people; all errors at once, one message per row.

    Each row: ``surname``, ``name``, ``birth_date`` (a date or дд.мм.гггг) or
    ``snils``, ``category`` (a stored value or a Russian word), ``grade`` for
    pupils; ``line`` (optional) numbers it in the messages. The same person
    twice in one list is refused: a list counts people, not visits.
    """
    people: list[Person] = []
    errors: list[str] = []
    if len(rows) > MAX_LISTED:
        raise ValidationError({"participants": [f"В списке больше {MAX_LISTED} человек."]})
    seen: dict[str, int] = {}
    for index, row in enumerate(rows, start=1):
        number = row.get("line") or index
        person, problems = _clean_one(row)
        if person is not None and person.person_key in seen:
            problems = [f"тот же человек, что в строке {seen[person.person_key]}"]
        if problems:
            errors.append(f"{label} {number}: {'; '.join(problems)}.")
            continue
        assert person is not None
        seen[person.person_key] = int(number)
        people.append(person)
    if errors:
        raise ValidationError({"participants": errors})
    return people


def list_errors(figures: Any, people: Iterable[Person]) -> dict[str, list[str]]:
    """The list may fall short of the report's figures (not everyone signed
    in) but never exceed them: the figures stay the report's own count."""
    counts = Counter(p.category for p in people)
    errors: list[str] = []
    for field, categories in FIELD_CATEGORIES.items():
        value = getattr(figures, field, None)
        listed = sum(counts[c] for c in categories)
        if value is not None and listed > value:
            label = FIELD_LABELS[field]
            errors.append(f"В списке {listed} — больше, чем указано в поле «{label}» ({value}).")
    return {"participants": errors} if errors else {}


FIELD_LABELS = {
    "participants_total": "Участников всего",
    "participants_pupils_6_11": "из них школьников 6–11 классов",
    "participants_students": "из них студентов",
    "participants_adults": "из них взрослых",
    "participants_50_plus": "из них в возрасте 50+",
}


def stored_people(report: EventReport) -> list[Person]:
    return [Person(k, c, g) for k, c, g in report.participants.values_list("person_key", "category", "grade")]


def stored_lists(reports: Sequence[EventReport]) -> dict[int, list[Person]]:
    """The stored lists of several reports, in one query: {report id: people}."""
    found: dict[int, list[Person]] = defaultdict(list)
    if reports:
        rows = ReportParticipant.objects.filter(report__in=[r.pk for r in reports]).values_list(
            "report_id", "person_key", "category", "grade"
        )
        for report_id, key, category, grade in rows:
            found[report_id].append(Person(key, category, grade))
    return dict(found)


def report_participants_set(report: EventReport, people: Sequence[Person]) -> int:
    """Replace the report's list (atomically); an empty list removes it."""
    with transaction.atomic():
        ReportParticipant.objects.filter(report=report).delete()
        ReportParticipant.objects.bulk_create(
            [
                ReportParticipant(report=report, person_key=p.person_key, category=p.category, grade=p.grade)
                for p in people
            ],
            batch_size=500,
        )
    return len(people)


# --- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeopleFigure:
    value: int  # people: distinct listed ones plus the unlisted counts
    listed: int  # of which distinct people from lists

    @property
    def listed_share(self) -> float | None:
        return round(self.listed / self.value, 4) if self.value else None


# The most report ids the distinct count of listed people names in its query
# (far below SQLite's 32,766 variables); beyond, it joins the reports' conditions.
_LISTED_REPORTS_MAX = 20_000

# One figure to compute: the activities, the report field, and the organiser
# kinds whose events count (None: every organiser).
Spec = tuple[frozenset[int], str, "tuple[str, ...] | None"]


def people_figures_many(
    specs: Sequence[Spec],
    *,
    years: Iterable[int],
    organization_ids: Iterable[int] | None = None,
    as_of: dt.datetime | None = None,
) -> dict[tuple[int, int], PeopleFigure]:
    """People figures for several (activity ids, report field) specs: {(spec index, year): figure}.

    The reports counted are those the indicators count (accepted, of a
    non-cancelled event of the activities, in the year by the project's one
    year rule, accepted by ``as_of``). A figure is the distinct listed
    people of the field's categories across ALL those reports (not per
    activity), plus, per report, what its figure counts beyond its list (the
    whole figure when there is no list). Three queries, whatever the data (two when
    no counted report has a list):
    the sums of the reports without a list, a row per report with a list (its
    listed people per category), and the distinct people of every figure,
    counted by the database.
    """
    years = sorted(set(years))
    activity_ids = set().union(*(s[0] for s in specs)) if specs else set()
    if not activity_ids or not years:
        return {}
    organizers = None if organization_ids is None else list(organization_ids)

    def counted(prefix: str) -> Q:
        """The reports counted, reached through ``prefix`` (joined, never ``IN (subquery)``:
        PostgreSQL would walk every report of the country to semi-join it)."""
        q = Q(
            **{
                f"{prefix}status": EventReport.Status.ACCEPTED,
                f"{prefix}event__activity_id__in": sorted(activity_ids),
                f"{prefix}event__cancelled_at__isnull": True,
            }
        ) & event_year_q(years, prefix=f"{prefix}event__")
        if organizers is not None:
            q &= Q(**{f"{prefix}event__organizer_id__in": organizers})
        if as_of is not None:
            q &= Q(**{f"{prefix}accepted_at__lte": as_of})
        return q

    reports = EventReport.objects.filter(counted(""))
    fields = sorted({s[1] for s in specs})
    with_year = reports.annotate(y=event_year_expr(prefix="event__", years=years))
    # Reports without a list count their figures: summed in the database.
    # (activity, organiser kind, year, field) -> unlisted people
    rest: dict[tuple[int, str, int, str], int] = defaultdict(int)
    has_list = Exists(ReportParticipant.objects.filter(report=OuterRef("pk")))
    unlisted = (
        # NOT EXISTS, not a LEFT JOIN ... IS NULL: PostgreSQL estimated one row
        # for the outer join's leftovers and nested-looped 20,000 reports.
        with_year.filter(~has_list)
        .order_by()
        .values("event__activity_id", "event__organizer__kind", "y")
        .annotate(**{f"sum_{f}": Sum(f) for f in fields})
    )
    for row in unlisted:
        for f in fields:
            rest[(row["event__activity_id"], row["event__organizer__kind"], row["y"], f)] += row[f"sum_{f}"] or 0
    # Reports with a list: one row per report, with its listed people per
    # category, to count what its figures have beyond its list.
    categories = sorted({c for f in fields for c in FIELD_CATEGORIES[f]})
    per_report = (
        with_year.filter(has_list)
        .order_by()
        .values("pk", "event__activity_id", "event__organizer__kind", "y", *fields)
        .annotate(**{f"n_{c}": Count("participants", filter=Q(participants__category=c)) for c in categories})
    )
    listed_reports: list[int] = []
    for row in per_report:
        listed_reports.append(row["pk"])
        key = (row["event__activity_id"], row["event__organizer__kind"], row["y"])
        for f in fields:
            beyond = (row[f] or 0) - sum(row[f"n_{c}"] for c in FIELD_CATEGORIES[f])
            rest[(*key, f)] += max(beyond, 0)
    # The listed people themselves: counted once per figure, in the database,
    # over the participants of the reports just listed, found by their report ids
    # (the counted reports with a list, exactly). Joined from the participants to
    # the reports' conditions instead, PostgreSQL merge-joined the participants with
    # every report of the country in primary-key order (4.2 s at national scale);
    # past ``_LISTED_REPORTS_MAX`` ids the conditions are joined as before.
    if not listed_reports:
        return _people_result(specs, years, {}, rest)
    if len(listed_reports) <= _LISTED_REPORTS_MAX:
        participants = ReportParticipant.objects.filter(report_id__in=listed_reports)
    else:
        participants = ReportParticipant.objects.filter(counted("report__"))
    listed_people = (
        participants.annotate(y=event_year_expr(prefix="report__event__", years=years))
        .order_by()
        .values("y")
        .annotate(
            **{
                f"p{index}": Count(
                    "person_key",
                    distinct=True,
                    filter=Q(category__in=FIELD_CATEGORIES[f], report__event__activity_id__in=sorted(activities))
                    & (Q() if kinds is None else Q(report__event__organizer__kind__in=kinds)),
                )
                for index, (activities, f, kinds) in enumerate(specs)
            }
        )
    )
    distinct = {(index, row["y"]): row[f"p{index}"] for row in listed_people for index in range(len(specs))}
    return _people_result(specs, years, distinct, rest)


def _people_result(
    specs: Sequence[Spec],
    years: list[int],
    distinct: dict[tuple[int, int], int],
    rest: dict[tuple[int, str, int, str], int],
) -> dict[tuple[int, int], PeopleFigure]:
    """Each spec's figure per year: its distinct listed people plus what reports count beyond their lists."""
    result: dict[tuple[int, int], PeopleFigure] = {}
    for index, (activities, f, kinds) in enumerate(specs):
        for year in years:
            people = distinct.get((index, year)) or 0
            beyond = [
                n
                for (a, kind, y, name), n in rest.items()
                if y == year and name == f and a in activities and (kinds is None or kind in kinds)
            ]
            if people or beyond:
                result[(index, year)] = PeopleFigure(value=people + sum(beyond), listed=people)
    return result


def people_figures(
    *,
    activity_ids: Iterable[int],
    years: Iterable[int],
    field: str,
    organization_ids: Iterable[int] | None = None,
    organizer_kinds: tuple[str, ...] | None = None,
    as_of: dt.datetime | None = None,
) -> dict[int, PeopleFigure]:
    """Per year: {value, listed} of one people figure of the activities' events."""
    spec: list[Spec] = [(frozenset(activity_ids), field, organizer_kinds)]
    found = people_figures_many(spec, years=years, organization_ids=organization_ids, as_of=as_of)
    return {year: figure for (_, year), figure in found.items()}


# --- retention -------------------------------------------------------------------------------


def participants_purge(*, today: dt.date, kept_years: int | None = None) -> int:
    """Anonymise the person keys of plans that ended more than ``kept_years`` ago.

    Each key is replaced by an HMAC under a random secret that is thrown
    away at once, one secret per plan: people stay distinct within the plan
    (its figures do not change) but can no longer be matched to anyone, not
    even with ``PARTICIPANT_HASH_KEY``. Running it twice changes nothing.
    Returns the number of keys anonymised.
    """
    kept = settings.PARTICIPANT_KEYS_KEPT_YEARS if kept_years is None else kept_years
    done = 0
    for plan in Plan.objects.filter(last_year__lt=today.year - kept):
        secret = secrets.token_bytes(32)
        rows = ReportParticipant.objects.filter(report__event__activity__plan=plan, anonymised=False)
        with transaction.atomic():
            batch = list(rows.select_for_update().only("id", "person_key"))
            for row in batch:
                row.person_key = hmac.new(secret, row.person_key.encode(), hashlib.sha256).hexdigest()
                row.anonymised = True
            ReportParticipant.objects.bulk_update(batch, ["person_key", "anonymised"], batch_size=500)
        done += len(batch)
    return done
