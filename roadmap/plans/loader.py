"""Loading a plan (a roadmap with its target indicators) from a data file.

The whole file is validated before anything is written; the write runs in one
transaction, so a bad file never leaves a half-loaded plan behind. Records are
matched by their natural keys (plan key, section order, activity number,
organisation key, indicator code, target year) and updated in place, so
references from events, actuals and reports survive a corrected data file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from roadmap.models import (
    Activity,
    DeadlineWindow,
    Municipality,
    Organization,
    Plan,
    Region,
    Responsibility,
    Section,
)
from roadmap.plans.deadlines import parse_deadline
from roadmap.plans.plan_current import plan_mark_current
from roadmap.plans.sections import LoadResult, plan_written_hooks, section_loaders, text, upsert
from roadmap.plans.signature import SIGNATURE_KEYS, signature_from_contacts

DATA_DIR = Path(__file__).resolve().parent.parent / "data"  # roadmap/data
DEFAULT_PLAN_FILE = DATA_DIR / "plans" / "order_2714.yaml"
MUNICIPALITIES_FILE = DATA_DIR / "municipalities.yaml"

ACTIVITY_FIELDS = ("number", "name", "expected_result", "evidence_document", "deadline", "responsible")
INDICATOR_FIELDS = ("code", "name", "unit", "value_type", "targets")


class PlanDataError(Exception):
    """A data file that cannot be loaded; ``errors`` name each place."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


# libyaml's parser when PyYAML was built with it: the order's file parses in a
# tenth of the pure-Python parser's time (the loader runs in most tests).
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_SafeLoader)
    except FileNotFoundError as exc:
        raise PlanDataError([f"{path}: file not found"]) from exc
    except yaml.YAMLError as exc:
        raise PlanDataError([f"{path}: not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise PlanDataError([f"{path}: the top level must be a mapping"])
    return data


# --- validation -------------------------------------------------------------


def validate_plan_data(data: dict[str, Any], *, known_municipalities: set[str] | None = None) -> list[str]:
    """Return every problem of a plan data file, each naming its place."""
    errors: list[str] = []
    plan = data.get("plan")
    if not isinstance(plan, dict):
        return ["plan: missing or not a mapping"]
    for key in ("key", "number", "date", "issuer", "title", "first_year", "last_year"):
        if text(plan.get(key)) == "":
            errors.append(f"plan: missing field '{key}'")
    if plan.get("date") is not None and not isinstance(plan.get("date"), dt.date):
        errors.append("plan.date: must be a date YYYY-MM-DD")
    first, last = plan.get("first_year"), plan.get("last_year")
    if not (isinstance(first, int) and isinstance(last, int) and 2000 <= first <= last <= 2100):
        errors.append("plan: first_year and last_year must be years with first_year <= last_year")
        first = last = None
    rule = plan.get("reporting_rule") or {}
    if not isinstance(rule, dict):
        errors.append("plan.reporting_rule: must be a mapping")
        rule = {}
    if "days" in rule and not (isinstance(rule["days"], int) and rule["days"] >= 0):
        errors.append("plan.reporting_rule.days: must be a non-negative integer")
    if rule.get("calendar", "calendar") not in Plan.DueCalendar.values:
        errors.append(f"plan.reporting_rule.calendar: must be one of {', '.join(Plan.DueCalendar.values)}")
    region = plan.get("region")
    if region is not None and not (
        isinstance(region, dict) and text(region.get("key")) != "" and text(region.get("name")) != ""
    ):
        errors.append("plan.region: must be a mapping with 'key' and 'name'")
    signature = plan.get("signature")
    if signature is not None:
        if not isinstance(signature, dict):
            errors.append("plan.signature: must be a mapping")
        else:
            for key in sorted(set(signature) - set(SIGNATURE_KEYS)):
                errors.append(f"plan.signature: unknown field '{key}' (known: {', '.join(SIGNATURE_KEYS)})")
            for key in SIGNATURE_KEYS:
                if key in signature and not isinstance(signature[key], str | None):
                    errors.append(f"plan.signature.{key}: must be text")

    org_keys: set[str | None] = set()
    for i, org in enumerate(data.get("organizations") or []):
        where = f"organizations[{i}]"
        if not isinstance(org, dict):
            errors.append(f"{where}: must be a mapping")
            continue
        for key in ("key", "kind", "short_name", "name"):
            if text(org.get(key)) == "":
                errors.append(f"{where}: missing field '{key}'")
        if org.get("kind") and org["kind"] not in Organization.Kind.values:
            errors.append(f"{where}: unknown kind '{org['kind']}'")
        if org.get("key") in org_keys:
            errors.append(f"{where}: duplicate organisation key '{org['key']}'")
        org_keys.add(org.get("key"))
        mun = org.get("municipality")
        if mun and known_municipalities is not None and mun not in known_municipalities:
            errors.append(f"{where}: unknown municipality '{mun}'")

    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        errors.append("sections: missing or empty")
        sections = []
    numbers: dict[int, str] = {}
    for s, section in enumerate(sections):
        where = f"sections[{s}]"
        if not isinstance(section, dict) or text(section.get("title")) == "":
            errors.append(f"{where}: missing field 'title'")
            continue
        for a, activity in enumerate(section.get("activities") or []):
            at = f"{where}.activities[{a}]"
            if not isinstance(activity, dict):
                errors.append(f"{at}: must be a mapping")
                continue
            number = activity.get("number")
            if isinstance(number, int) and not isinstance(number, bool) and number > 0:
                at = f"{at} (№ {number})"
                if number in numbers:
                    errors.append(f"{at}: duplicate activity number {number}, first at {numbers[number]}")
                else:
                    numbers[number] = at
            else:
                errors.append(f"{at}: 'number' must be a positive integer")
            for key in ACTIVITY_FIELDS:
                if key not in activity:
                    errors.append(f"{at}: missing field '{key}'")
            for key in ("name", "deadline"):
                if key in activity and text(activity.get(key)) == "":
                    errors.append(f"{at}: field '{key}' is empty")
            responsible = activity.get("responsible")
            if "responsible" in activity and (not isinstance(responsible, list) or not responsible):
                errors.append(f"{at}: 'responsible' must be a non-empty list")
                responsible = []
            seen: set[str] = set()
            for r, item in enumerate(responsible or []):
                org = item.get("org") if isinstance(item, dict) else None
                if org not in org_keys:
                    errors.append(f"{at}.responsible[{r}]: unknown organisation '{org}'")
                elif org in seen:
                    errors.append(f"{at}.responsible[{r}]: organisation '{org}' listed twice")
                seen.add(org)

    errors.extend(_validate_indicators(data.get("indicators"), first, last))
    # The sections other apps own (indicators: its rules, sources, seasons) validate themselves.
    for loader in section_loaders():
        if loader.validate is not None:
            errors.extend(loader.validate(data))
    return errors


def _validate_indicators(block: Any, first: int | None, last: int | None) -> list[str]:
    if block is None:
        return []
    if not isinstance(block, dict) or not isinstance(block.get("items"), list):
        return ["indicators: must be a mapping with 'items'"]
    errors: list[str] = []
    codes: set[str] = set()
    for i, item in enumerate(block["items"]):
        where = f"indicators.items[{i}]"
        if not isinstance(item, dict):
            errors.append(f"{where}: must be a mapping")
            continue
        code = text(item.get("code"))
        if code:
            where = f"{where} (code {code})"
        for key in INDICATOR_FIELDS:
            if key not in item or (key != "targets" and text(item.get(key)) == ""):
                errors.append(f"{where}: missing field '{key}'")
        if code in codes:
            errors.append(f"{where}: duplicate indicator code '{code}'")
        parent = item.get("parent")
        if parent is not None and text(parent) not in codes:
            errors.append(f"{where}: unknown parent code '{parent}' (a parent must come before its rows)")
        codes.add(code)
        value_type = item.get("value_type")
        if value_type not in ("number", "boolean"):
            errors.append(f"{where}: value_type must be 'number' or 'boolean'")
            continue
        aggregation = item.get("aggregation")
        if aggregation is not None and aggregation not in ("flow", "stock", "boolean"):
            errors.append(f"{where}: aggregation must be 'flow', 'stock' or 'boolean'")
        targets = item.get("targets") or {}
        if not isinstance(targets, dict):
            errors.append(f"{where}.targets: must be a mapping year -> value")
            continue
        for year, value in targets.items():
            if not isinstance(year, int) or (first is not None and last is not None and not first <= year <= last):
                errors.append(f"{where}.targets: year '{year}' is outside the plan's years")
            if value_type == "boolean" and not isinstance(value, bool):
                errors.append(f"{where}.targets[{year}]: expected yes/no (true/false), got '{value}'")
            if value_type == "number" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                errors.append(f"{where}.targets[{year}]: expected a non-negative integer, got '{value}'")
    return errors


# --- writing ----------------------------------------------------------------


def region_ensure(result: LoadResult, *, key: str, name: str) -> Region:
    """The region with this key, created if missing (a reload leaves an edited name alone)."""
    region = Region.objects.filter(key=key).first()
    if region is None:
        region = Region.objects.filter(name=name).first()
    if region is None:
        region = Region.objects.create(key=key, name=name, order=Region.objects.count())
        result.note("region", "created")
    else:
        result.note("region", "unchanged")
    return region


def load_municipalities(result: LoadResult, path: Path = MUNICIPALITIES_FILE) -> Region | None:
    """The region's municipalities (matched by name); returns their region."""
    data = read_yaml(path)
    name = text(data.get("region"))
    region = region_ensure(result, key=text(data.get("region_key")) or "tula", name=name) if name else None
    for order, item in enumerate(data.get("municipalities") or [], start=1):
        upsert(
            Municipality,
            result,
            "municipality",
            {"name": item["name"]},
            {"kind": item["kind"], "region": region, "order": order},
        )
    return region


def plan_load(
    *, path: Path = DEFAULT_PLAN_FILE, make_current: bool | None = None, now: dt.datetime | None = None
) -> LoadResult:
    """Validate and load one plan data file; idempotent.

    After the load, the open events of the plan get their report due moment
    under the plan's rule as it now stands (``events_recompute_due_at``, registered by
    ``roadmap.events`` as a plan-written hook): a
    reload leaves an administrator's rule alone, but whatever the rule or the
    production calendar says now is what every open event is due by.
    """
    data = read_yaml(path)
    result = LoadResult()
    with transaction.atomic():
        home = load_municipalities(result)
        known = set(Municipality.objects.values_list("name", flat=True))
        errors = validate_plan_data(data, known_municipalities=known)
        if errors:
            raise PlanDataError([f"{path.name}: {e}" for e in errors])
        plan = _load_plan(data, result, make_current=make_current, home=home)
        # The open events of the plan follow its rule (roadmap.events registers the recomputation).
        for hook in plan_written_hooks():
            hook(plan=plan, result=result, now=now or timezone.now())
        orgs = _load_organizations(data.get("organizations") or [], result, region=plan.region)
        _load_sections(plan, data["sections"], orgs, result)
        # Then each section another app owns, by the app that registered it (roadmap.plans.sections).
        for loader in section_loaders():
            if loader.load is not None and data.get(loader.name):
                loader.load(plan, data, result)
    return result


def _load_plan(data: dict[str, Any], result: LoadResult, *, make_current: bool | None, home: Region | None) -> Plan:
    """The plan of the file; in the region the file names, else in the municipalities' region (``home``)."""
    p = data["plan"]
    rule = p.get("reporting_rule") or {}
    existing = Plan.objects.filter(key=p["key"]).first()
    # Loading a plan leaves every other plan's records untouched: which plan is
    # current follows from the dates (roadmap.plans.selectors.current_plan) unless an
    # administrator marks one, which ``load_order --current`` does.
    values = {
        "number": str(p["number"]),
        "date": p["date"],
        "issuer": p["issuer"],
        "title": text(p["title"]),
        "roadmap_title": text(p.get("roadmap_title")),
        "first_year": p["first_year"],
        "last_year": p["last_year"],
        "signed_by": text(p.get("signed_by")),
        "contact": text(p.get("contact")),
        "contact_email": text(p.get("contact_email")),
    }
    # The signature block: from the file's ``signature:`` or, without it, from
    # the contact lines. Administrators edit it; a reload fills only the
    # fields that are empty, so an administrator's change is not undone.
    signature = p.get("signature") or signature_from_contacts(values["signed_by"], values["contact"])
    for key in SIGNATURE_KEYS:
        field = f"signature_{key}"
        if existing is None or not getattr(existing, field):
            values[field] = text(signature.get(key))
    # The reporting rule is editable by administrators; a reload only sets it
    # on a new plan so an administrator's change is not silently undone.
    if existing is None:
        values |= {
            "report_due_days": rule.get("days", 1),
            "report_due_calendar": rule.get("calendar", Plan.DueCalendar.CALENDAR),
            "escalation_days": rule.get("escalation_days", 3),
        }
    region = p.get("region")
    if region:
        values["region"] = region_ensure(result, key=text(region["key"]), name=text(region["name"]))
    elif home is not None:
        values["region"] = home
    plan = upsert(Plan, result, "plan", {"key": p["key"]}, values)
    if make_current:
        plan_mark_current(plan=plan)
    return plan


def _load_organizations(
    items: list[dict[str, Any]], result: LoadResult, *, region: Region | None
) -> dict[str, Organization]:
    """The plan's organisations, in the plan's region (when it names one)."""
    municipalities = {m.name: m for m in Municipality.objects.all()}
    orgs: dict[str, Organization] = {}
    for item in items:
        values: dict[str, Any] = {
            "kind": item["kind"],
            "short_name": text(item["short_name"]),
            "name": text(item["name"]),
            "is_group": bool(item.get("is_group", False)),
            "municipality": municipalities.get(item.get("municipality") or ""),
        }
        if region is not None:
            values["region"] = region
        for optional in ("head_name", "email", "phone", "address", "website"):
            if item.get(optional):
                values[optional] = text(item[optional])
        orgs[item["key"]] = upsert(Organization, result, "organization", {"key": item["key"]}, values)
    return orgs


def _load_sections(
    plan: Plan, sections: list[dict[str, Any]], orgs: dict[str, Organization], result: LoadResult
) -> None:
    for order, item in enumerate(sections, start=1):
        section = upsert(Section, result, "section", {"plan": plan, "order": order}, {"title": text(item["title"])})
        for activity_data in item.get("activities") or []:
            _load_activity(plan, section, activity_data, orgs, result)
    # Sections beyond the file's end are left alone when activities still
    # point at them; empty leftovers are removed.
    Section.objects.filter(plan=plan, order__gt=len(sections), activities__isnull=True).delete()


def _load_activity(
    plan: Plan, section: Section, item: dict[str, Any], orgs: dict[str, Organization], result: LoadResult
) -> None:
    parsed = parse_deadline(text(item["deadline"]), plan.first_year, plan.last_year)
    activity = upsert(
        Activity,
        result,
        "activity",
        {"plan": plan, "number": item["number"]},
        {
            "section": section,
            "name": text(item["name"]),
            "expected_result": text(item["expected_result"]),
            "evidence_document": text(item["evidence_document"]),
            "deadline_text": text(item["deadline"]),
            "deadline_recognized": parsed.recognized,
            "responsible_text": text(item.get("responsible_text")),
            "note": text(item.get("note")),
        },
    )
    wanted = [(w.start, w.end) for w in parsed.windows]
    have = list(activity.windows.order_by("start").values_list("start", "end"))
    if not parsed.recognized:
        # Windows an administrator set by hand for an unknown phrase are kept.
        # The reason names the phrase and why it has no fixed window.
        result.flagged_deadlines.append(f"№ {activity.number}: {parsed.reason}")
    elif have != wanted:
        activity.windows.all().delete()
        DeadlineWindow.objects.bulk_create(DeadlineWindow(activity=activity, start=s, end=e) for s, e in wanted)
        result.note("deadline window", "updated")
    wanted_resp = [
        (orgs[r["org"]].pk, bool(r.get("by_agreement", False)), order)
        for order, r in enumerate(item["responsible"], start=1)
    ]
    have_resp = list(
        activity.responsibilities.order_by("order").values_list("organization_id", "by_agreement", "order")
    )
    if have_resp != wanted_resp:
        activity.responsibilities.all().delete()
        Responsibility.objects.bulk_create(
            Responsibility(activity=activity, organization_id=org_id, by_agreement=agreement, order=order)
            for org_id, agreement, order in wanted_resp
        )
        result.note("responsibility", "updated")
