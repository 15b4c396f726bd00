"""Presentation helpers of the web pages: navigation, status badges, numbers."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import template
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timesince import timesince, timeuntil
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from copp.text import truncate_words_at
from roadmap.accounts.roles import Role, has_role, sees_everything
from roadmap.plans.periods import period_label

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool
    badge: int = 0
    more: bool = False  # under «Ещё» on a wide screen
    rank: int = 0  # the lower, the longer it stays in the bar (static/js/nav.js moves the others when short of room)


# (url name, label, who sees it) in menu order; a url that is not wired yet is left out.
_NAV: list[tuple[str, Any, str]] = [
    ("tasks", _("My tasks"), "acts"),
    ("dashboard", _("Dashboard"), "sees_all"),
    ("event_list", _("Events"), "any"),
    ("activity_list", _("Activities"), "any"),
    ("indicator_list", _("Indicators"), "any"),
    ("actual_list", _("Actuals"), "any"),
    ("report_list", _("Reports"), "sees_all"),
    ("import_start", _("Data import"), "imports"),
    ("inbox", _("Inbox"), "any"),
    ("region_comparison", _("Regions"), "federal"),
]
# Which items stay in the bar, most wanted first; the rest go under «Ещё», so the
# bar fits in one line from 1024 px for every role, the user's name included.
_NAV_PRIORITY = ["tasks", "dashboard", "event_list", "inbox", "indicator_list", "actual_list", "activity_list"]
NAV_IN_BAR = 5


def _visible(user: Any, who: str) -> bool:
    if who == "acts":
        return has_role(user, Role.COORDINATOR, Role.COPP)
    if who == "imports":
        return has_role(user, Role.COPP, Role.COORDINATOR, Role.ADMIN)
    if who == "sees_all":
        return sees_everything(user)
    if who == "federal":
        return has_role(user, Role.FEDERAL, Role.ADMIN)
    return True


def _unread_count(user: Any) -> int:
    from roadmap.events.selectors import unread_count

    return unread_count(user)


@register.simple_tag
def nav_items(request: HttpRequest) -> list[NavItem]:
    """The user's menu items in menu order; ``more`` marks those shown under «Ещё»."""
    user = request.user
    found = []
    for name, label, who in _NAV:
        if not _visible(user, who):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        found.append((name, label, url))
    ranked = sorted((n for n, _label, _url in found), key=lambda n: _rank(n))
    in_bar = set(ranked[:NAV_IN_BAR])
    items = []
    for name, label, url in found:
        active = request.path == url or (url != "/" and request.path.startswith(url))
        badge = _unread_count(user) if name == "inbox" else 0
        items.append(NavItem(str(label), url, active, badge, more=name not in in_bar, rank=_rank(name)))
    return items


@dataclass(frozen=True)
class NavMenu:
    items: list[NavItem]

    @property
    def more(self) -> list[NavItem]:
        return [i for i in self.items if i.more]

    @property
    def more_active(self) -> bool:
        return any(i.active for i in self.more)


@register.simple_tag
def nav_menu(request: HttpRequest) -> NavMenu:
    return NavMenu(nav_items(request))


def _rank(name: str) -> int:
    return _NAV_PRIORITY.index(name) if name in _NAV_PRIORITY else len(_NAV_PRIORITY)


STATUS_LABELS: dict[str, Any] = {
    # indicator progress
    "achieved": _("achieved"),
    "not_achieved": _("not achieved"),
    "on_track": _("on track"),
    "behind": _("behind"),
    "at_risk": _("at risk"),
    "no_data": _("no data"),
    # event report
    "planned": _("planned"),
    "awaiting": _("awaiting report"),
    "due_today": _("report due today"),
    "overdue": _("report overdue"),
    "on_time": _("filed on time"),
    "late": _("filed late"),
    "accepted": _("accepted"),
    "returned": _("returned"),
    "cancelled": _("cancelled"),
    # actuals and report files
    "draft": _("draft"),
    "submitted": _("in review"),
    "approved": _("approved"),
    "pending": _("queued"),
    "running": _("building"),
    "done": _("ready"),
    "failed": _("error"),
    "queued": _("queued"),
    # activities
    "not_started": _("not started"),
    "in_progress": _("in progress"),
    "missing": _("no report"),
}


@register.filter
def status_label(status: str | None) -> str:
    if not status:
        return ""
    return str(STATUS_LABELS.get(str(status), status))


@register.simple_tag
def status_badge(status: str | None, label: str | None = None) -> str:
    """A coloured badge; the colour is backed by the text, never colour alone."""
    if not status:
        return ""
    return format_html('<span class="badge status-badge status-{}">{}</span>', status, label or status_label(status))


FINAL_LABELS: dict[str, Any] = {"achieved": _("reached"), "not_achieved": _("not reached")}


@register.simple_tag
def figure_badge(figure: Any, with_percent: bool = True) -> str:
    """An indicator figure's status; once its year is over, the verdict with its
    percentage (``with_percent=False``: the verdict alone, where a column beside
    it shows the percentage)."""
    status = getattr(figure, "status", None)
    if not status:
        return ""
    if getattr(figure, "final", False) and str(status) in FINAL_LABELS:
        label = str(FINAL_LABELS[str(status)])
        if with_percent and getattr(figure, "percent", None) is not None:
            label = f"{label}, {percent(figure.percent)}"
        return status_badge(status, label)
    return status_badge(status)


@register.filter
def num(value: Any) -> str:
    """Numbers the Russian way: 12 345, 3,5; booleans as да / нет; None as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u00a0")
    if isinstance(value, float):
        text = f"{value:,.1f}".replace(",", "\u00a0").replace(".", ",")
        return text.removesuffix(",0")
    return str(value)


@register.filter
def percent(value: Any) -> str:
    """A share the Russian way, 87,5 %; nothing (None, or the '' a missing figure
    renders as in a template) as —, like ``num``."""
    if value is None or value == "":
        return "—"
    return f"{num(round(float(value), 1))}\u00a0%"


@register.simple_tag
def widget(bound_field: Any) -> str:
    """Render a field's widget, marked invalid and tied to its help and error text."""
    attrs: dict[str, str] = {}
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        css = bound_field.field.widget.attrs.get("class", "")
        attrs["class"] = f"{css} is-invalid".strip()
        attrs["aria-invalid"] = "true"
        described.append(f"{bound_field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def in_year(windows: Any, year: int) -> list[Any]:
    """Deadline windows (prefetched) that overlap a calendar year."""
    return [w for w in windows.all() if w.start.year <= int(year) <= w.end.year]


@register.filter
def period(code: str | None, year: int | None = None) -> str:
    """``actual.period|period:actual.year``: «I квартал 2025», «Январь 2025», «2025 год» (roadmap.plans.periods)."""
    return period_label(code, year)


@register.filter(expects_localtime=True)
def ddmmyyyy(value: Any) -> str:
    """A date, or a moment as its day in Moscow: 05.03.2026. Five times cheaper than
    ``|date:"d.m.Y"``, which counts in a list of fifty rows."""
    return value.strftime("%d.%m.%Y") if value else "—"


@register.filter(expects_localtime=True)
def hhmm(value: Any) -> str:
    """A moment's time of day in Moscow: 23:59 (``|date:"H:i"``, cheaper)."""
    return value.strftime("%H:%M") if value else ""


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping|get:key`` for dicts built by selectors."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def duration_ru(value: Any) -> str:
    """A delay as «2 дн. 5 ч» / «3 ч 10 мин»."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} дн. {hours} ч"
    if hours:
        return f"{hours} ч {minutes} мин"
    return f"{minutes} мин"


@register.filter
def page_links(page: Any) -> list[Any]:
    """Page numbers to link: the ends and two either side of the current page, with
    the paginator's ellipsis for the gaps. Never a loop over every page: a
    national register has 60,000 of them."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


@register.filter
def shorten(text: Any, limit: int = 100) -> str:
    """``text`` cut at a word boundary with «…», the full text in a ``title`` when cut."""
    full = "" if text is None else str(text)
    short = truncate_words_at(full, int(limit))
    if short == " ".join(full.split()):
        return short
    return format_html('<span title="{}">{}</span>', full, short)


@register.simple_tag
def yes_no(value: Any) -> str:
    """A yes/no value as a badge, «да» / «нет», or «—» when there is none yet
    (never a 0/1 figure or bar)."""
    if value is None or value == "":
        return format_html(
            '<span class="badge yes-no yes-no-none" title="{}"><span aria-hidden="true">—</span>'
            '<span class="visually-hidden">{}</span></span>',
            _("no data"),
            _("no data"),
        )
    yes = bool(value)
    return format_html(
        '<span class="badge yes-no yes-no-{}">{}</span>', "yes" if yes else "no", _("yes") if yes else _("no")
    )


def _is_yes_no(indicator: Any, value: Any) -> bool:
    return isinstance(value, bool) or bool(getattr(indicator, "is_boolean", False))


@register.simple_tag
def figure_value(figure: Any, name: str, indicator: Any = None) -> str:
    """A figure's ``target``/``actual``/...: a yes/no badge for a yes/no indicator, else the number."""
    value = getattr(figure, name, None) if figure else None
    if _is_yes_no(indicator, value):
        return yes_no(value)
    return num(value)


@register.simple_tag
def indicator_value(value: Any, indicator: Any = None) -> str:
    """One value of an indicator: a yes/no badge for a yes/no indicator, else the number."""
    if _is_yes_no(indicator, value):
        return yes_no(value)
    return num(value)


_EVENT_ROW = (
    "<tr>\n"
    '  <td class="wrap card-title-cell"><a href="{}">{}</a>\n'
    '    <div class="small text-body-secondary d-none d-md-block">{}{}. {}</div>\n'
    '    <div class="small text-body-secondary d-md-none card-hide">{} · {}</div></td>\n'
    '  <td class="d-none d-md-table-cell" data-label="{}">{}</td>\n'
    '  <td class="wrap small d-none d-md-table-cell" data-label="{}">{}{}</td>\n'
    '  <td class="{}" data-label="{}">{} <span class="small">{}</span></td>\n'
    '  <td data-label="{}">{}</td>\n'
    "</tr>"
)


def _escaped(value: Any) -> str:
    """``conditional_escape`` without its lazy-text wrapper, for text that is never lazy:
    the same ``html.escape`` of the text, or safe HTML as it is."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


def _event_dates(event: Any) -> tuple[str, str]:
    """An event's first day, and its dates as shown («10.06.2025» or «10.06.2025–12.06.2025»)."""
    start = ddmmyyyy(event.start_date)
    return start, start if event.end_date == event.start_date else f"{start}–{ddmmyyyy(event.end_date)}"


def _plan_years(activity: Any, several_plans: bool) -> str:
    """«2023–2025, » before an activity's number where several plans are listed, else nothing."""
    return f"{activity.plan.first_year}–{activity.plan.last_year}, " if several_plans else ""


@register.simple_tag
def event_rows(events: Iterable[Any], several_plans: bool = False) -> SafeString:
    """The ``<tr>`` rows of an event table (``roadmap/_event_rows.html`` gives the head):
    the event with its activity (and plan, with ``several_plans``), its dates, organiser
    and municipality, its report's due moment and status; a phone shows each row as a
    card, its cells labelled by ``data-label``.

    Built here in one call, as the admin builds its result rows (``items_for_result``),
    rather than by a template loop: fifty rows of some twenty template nodes each were
    the largest part of the events page after its queries. Every value is escaped
    (``_escaped``); moments are shown in Moscow time."""
    # Literal msgids, so that makemessages finds them here too (the head translates the same ones).
    l_dates, l_organiser, l_due, l_status = (
        html.escape(label)
        for label in (gettext("Dates"), gettext("Organiser"), gettext("Report due"), gettext("Status"))
    )
    rows = []
    for e in events:
        activity = e.activity
        plan = _plan_years(activity, several_plans)
        start, dates = _event_dates(e)
        organiser = _escaped(e.organizer.short_name)
        place = f'<div class="text-body-secondary">{_escaped(e.municipality)}</div>' if e.municipality else ""
        due = localtime(e.due_at)
        status = getattr(e, "report_status", "")
        rows.append(
            _EVENT_ROW.format(
                _escaped(reverse("event_detail", args=[e.pk])),
                _escaped(shorten(e.title, 90)),
                plan,
                _escaped(activity.number),
                _escaped(shorten(activity.name, 60)),
                start,
                organiser,
                l_dates,
                dates,
                l_organiser,
                organiser,
                place,
                "text-late fw-semibold" if status == "overdue" else "",
                l_due,
                ddmmyyyy(due),
                hhmm(due),
                l_status,
                status_badge(status),
            )
        )
    return mark_safe("".join(rows))  # every value above is escaped or a number


# One card of «Мои задачи» as the template loop wrote it, its whitespace included, so the
# page stays byte for byte what it was: the event, its activity, then what is to be done.
_TASK_CARD = (
    "\n  "
    '<div class="card card-task {} mb-2"><div class="card-body py-2">\n'
    '    <div class="d-flex justify-content-between gap-2 flex-wrap">\n'
    '      <a class="fw-semibold" href="{}">{}</a>{}\n'
    "    </div>\n"
    '    <div class="small text-body-secondary">{} · {}{}. {}</div>\n'
    "    {}\n"
    "  </div></div>\n"
    "  "
)
_TASK_RETURNED = (
    "\n"
    '      <div class="small text-warn">{} {}{}</div>\n'
    '      <a class="btn btn-sm btn-warning mt-2" href="{}">{}</a>\n'
    "    "
)
_TASK_DUE = (
    "\n"
    '      <div class="small {}">\n'
    "        {} {} {} —\n"
    "        {}\n"
    "      </div>\n"
    '      <a class="btn btn-sm btn-primary mt-2" href="{}">{}</a>\n'
    "    "
)


@register.simple_tag
def task_cards(events: Iterable[Any], several_plans: bool = False, now: dt.datetime | None = None) -> SafeString:
    """The cards of the reports a coordinator is to file or correct (``roadmap/tasks.html``):
    the event with its activity (and plan, with ``several_plans``), then either the reason
    it was sent back with the moment to correct it by, or its due moment with how long it
    is overdue or left at ``now``.

    Built here in one call, like ``event_rows``: fifty cards of some twenty-five template
    nodes each were most of the page's time. The output is what the template loop gave,
    whitespace and all. Typed text is escaped (``_escaped``); moments are shown in Moscow
    time (``localtime``, as the template's ``expects_localtime`` filters get them), while the
    overdue and left wordings count from the stored moment, as ``|timesince:now`` did:
    ``timesince`` counts months on the calendar of its first argument."""
    # Literal msgids, the template's own, so that makemessages finds them and the catalogue keeps serving them.
    l_sent_back, l_correct_by, l_due, l_correct, l_file = (
        html.escape(label)
        for label in (
            gettext("Sent back:"),
            gettext("correct by"),
            gettext("Due:"),
            gettext("Correct the report"),
            gettext("File the report"),
        )
    )
    overdue_by = html.escape(gettext("overdue by %(ago)s"))
    time_left = html.escape(gettext("%(left)s left"))
    cards = []
    for e in events:
        activity = e.activity
        status = e.report_status
        _start, dates = _event_dates(e)
        plan = _plan_years(activity, several_plans)
        report_url = _escaped(reverse("event_report", args=[e.pk]))
        if status == "returned":
            report = e.report
            correct_by = ""
            if report.resubmission_due_at:
                by = localtime(report.resubmission_due_at)
                correct_by = f" · {l_correct_by} {ddmmyyyy(by)} {hhmm(by)}"
            task = _TASK_RETURNED.format(
                l_sent_back, _escaped(shorten(report.return_reason, 140)), correct_by, report_url, l_correct
            )
        else:
            due = localtime(e.due_at)
            if status == "overdue":
                wording = overdue_by % {"ago": _escaped(timesince(e.due_at, now))}
            else:
                wording = time_left % {"left": _escaped(timeuntil(e.due_at, now))}
            task = _TASK_DUE.format(
                "text-late fw-semibold" if status == "overdue" else "",
                l_due,
                ddmmyyyy(due),
                hhmm(due),
                wording,
                report_url,
                l_file,
            )
        cards.append(
            _TASK_CARD.format(
                _escaped(status),
                _escaped(reverse("event_detail", args=[e.pk])),
                _escaped(e.title),
                status_badge(status),
                dates,
                plan,
                _escaped(activity.number),
                _escaped(shorten(activity.name, 70)),
                task,
            )
        )
    return mark_safe("".join(cards))  # every value above is escaped, a number or our own markup
