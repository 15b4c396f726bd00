"""REST API of events, event reports, timeliness and the notification inbox.

Views parse input, fetch, call a service and render; the rules live in
``roadmap.events.services`` and ``roadmap.accounts.permissions``. Every fetch, read or write,
goes through the scoped querysets of ``roadmap.accounts.permissions`` (``visible_events``,
``visible_event_reports``, ``visible_notifications``): another organisation's
event answers 404 whether or not it has a report; a user who may see the event
but not act on it gets 403 from the service.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import cache, cached_property
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from copp.value_rows import ValueRows
from copp.web import requested_plan
from roadmap.accounts import permissions
from roadmap.accounts.signed_in import signed_in_user
from roadmap.events import selectors as event_selectors
from roadmap.events import services
from roadmap.events.limits import MAX_PARTICIPANTS
from roadmap.events.memo import current_timeliness
from roadmap.events.participants import MAX_LISTED, clean_people
from roadmap.events.status import REPORT_STATUS_LABELS, ReportStatus
from roadmap.models import (
    Activity,
    Event,
    EventReport,
    EvidenceFile,
    Municipality,
    Organization,
    ReportParticipant,
    User,
)
from roadmap.plans.selectors import out_of_plans_message, plan_for_dates, plan_for_key, plan_years_text

# ---------------------------------------------------------------------------
# Serializers
# ---------------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    # The scoped download view, never the storage URL: files are served only
    # to users who may see the event (roadmap.accounts.permissions.visible_evidence).
    url = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceFile
        fields = (
            "id",
            "kind",
            "original_name",
            "size",
            "content_type",
            "uploaded_at",
            "url",
        )

    def get_url(self, evidence: EvidenceFile) -> str:
        path = reverse("evidence_download", args=[evidence.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ReportSerializer(serializers.ModelSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = EventReport
        fields: tuple[str, ...] = (
            "id",
            "summary",
            "participants_total",
            "participants_pupils_6_11",
            "participants_students",
            "participants_adults",
            "participants_50_plus",
            "schools_count",
            "partners",
            "links",
            "status",
            "submitted_at",
            "submitted_by",
            "on_time",
            "due_at_submission",
            "accepted_at",
            "accepted_by",
            "returned_at",
            "return_reason",
            "return_count",
            "resubmission_due_at",
            "resubmitted_at",
            "version",
            "evidence",
        )


class ReportDetailSerializer(ReportSerializer):
    """The report endpoint's answer: the report and how many people its stored list holds."""

    participants_listed = serializers.IntegerField(source="participants.count", read_only=True)

    class Meta(ReportSerializer.Meta):
        fields = (*ReportSerializer.Meta.fields, "participants_listed")


def _count(**kwargs: Any) -> serializers.IntegerField:
    """A count of people (or schools): the service refuses more than MAX_PARTICIPANTS
    whatever the door; declaring it here puts the bound in the published schema."""
    return serializers.IntegerField(min_value=0, max_value=MAX_PARTICIPANTS, **kwargs)


class ParticipantInputSerializer(serializers.Serializer):
    """One person of the list. Only a keyed hash of surname, name and birth date (or СНИЛС) is stored."""

    surname = serializers.CharField(max_length=200)
    name = serializers.CharField(max_length=200)
    birth_date = serializers.DateField(required=False, allow_null=True, help_text="Required unless snils is given.")
    snils = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="СНИЛС, 11 digits.")
    category = serializers.ChoiceField(choices=ReportParticipant.Category.choices)
    grade = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=11, help_text="Grade 6–11, pupils only."
    )


class ReportInputSerializer(serializers.Serializer):
    summary = serializers.CharField()
    participants_total = _count()
    participants_pupils_6_11 = _count(required=False, allow_null=True)
    participants_students = _count(required=False, allow_null=True)
    participants_adults = _count(required=False, allow_null=True)
    participants_50_plus = _count(required=False, allow_null=True)
    schools_count = _count(required=False, allow_null=True)
    partners = serializers.CharField(required=False, allow_blank=True, default="")
    links = serializers.CharField(required=False, allow_blank=True, default="")
    participants = ParticipantInputSerializer(
        # ListSerializer takes max_length (DRF 3.14); the stubs do not know it yet.
        many=True,
        required=False,
        allow_null=True,
        max_length=MAX_LISTED,  # type: ignore[call-arg]
        help_text="Optional list of the people who took part, each counted once across the year's events "
        "in the indicators. Omitted or null keeps the stored list; [] removes it.",
    )
    version = serializers.IntegerField(required=False, min_value=1)

    def report_data(self) -> services.ReportData:
        data = dict(self.validated_data)
        data.pop("version", None)
        people = data.pop("participants", None)
        if people is not None:
            people = tuple(clean_people(people, label="Участник"))
        return services.ReportData(**data, participants=people)


@extend_schema_field(
    {"type": "string", "pattern": r"^[0-2][0-9]:[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$", "example": "10:00:00"}
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in Moscow, "10:00:00". OpenAPI's ``format: time`` is
    RFC 3339's full-time, which demands a UTC offset the API never sends."""


class EventSerializer(serializers.ModelSerializer):
    start_time = LocalTimeField(allow_null=True, read_only=True)
    end_time = LocalTimeField(allow_null=True, read_only=True)
    activity = serializers.IntegerField(source="activity.number", read_only=True)
    activity_name = serializers.CharField(source="activity.name", read_only=True)
    plan = serializers.CharField(source="activity.plan.key", read_only=True)
    organizer_name = serializers.CharField(source="organizer.short_name", read_only=True)
    report_due_at = serializers.DateTimeField(source="due_at", read_only=True)
    report_status = serializers.SerializerMethodField()
    report_status_label = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = (
            "id",
            "plan",
            "activity",
            "activity_name",
            "organizer",
            "organizer_name",
            "title",
            "start_date",
            "end_date",
            "start_time",
            "end_time",
            "place",
            "municipality",
            "format",
            "audience",
            "planned_participants",
            "coordinator",
            "responsible_email",
            "report_due_at",
            "report_status",
            "report_status_label",
            "cancelled_at",
            "cancel_reason",
            "created_at",
            "updated_at",
            "version",
            "report",
        )

    def _status(self, event: Event) -> str:
        annotated = getattr(event, "report_status", None)
        if isinstance(annotated, str) and annotated:
            return annotated
        return event_selectors.event_report_status(event, self.context.get("now") or timezone.now()).value

    @extend_schema_field(serializers.ChoiceField(choices=[s.value for s in ReportStatus]))
    def get_report_status(self, event: Event) -> str:
        return self._status(event)

    def get_report_status_label(self, event: Event) -> str:
        return REPORT_STATUS_LABELS.get(self._status(event), "")

    @cached_property
    def _report_serializer(self) -> ReportSerializer:
        # One instance for the whole list: a ModelSerializer builds its fields
        # by introspecting the model, ~3 ms each time, so one per event made
        # a page of 50 reports cost 150 ms.
        return ReportSerializer(context=self.context)

    @extend_schema_field(ReportSerializer(allow_null=True))
    def get_report(self, event: Event) -> dict[str, Any] | None:
        try:
            report = event.report
        except EventReport.DoesNotExist:
            return None
        return self._report_serializer.to_representation(report)


@cache
def _value_rows() -> tuple[ValueRows, ValueRows, ValueRows]:
    """The event, report and evidence columns of ``EventRows``, built once."""
    return (
        ValueRows(EventSerializer, computed=("report_status", "report_status_label", "report")),
        ValueRows(ReportSerializer, prefix="report__", computed=("evidence",)),
        ValueRows(EvidenceSerializer, computed=("url",)),
    )


class EventRows:
    """``EventSerializer``'s answer for a list, from ``values()`` rows (``copp.value_rows``):
    the events with their report in one query, the reports' evidence in a second.
    ``report_status`` is the list's annotation (``events_list``)."""

    def __init__(self, *, request: Request | None) -> None:
        self._request = request
        self._events, self._reports, self._files = _value_rows()

    def queryset(self, events: QuerySet[Event]) -> QuerySet[Event]:
        """``events`` (from ``events_list``) as the values the rows need."""
        keys = {*self._events.keys, *self._reports.keys, "report__id", "report_status"}
        return events.prefetch_related(None).values(*keys)  # type: ignore[return-value]

    def represent(self, rows: list[Any]) -> list[dict[str, Any]]:
        evidence: dict[int, list[dict[str, Any]]] = {}
        reports = [row["report__id"] for row in rows if row["report__id"] is not None]
        for file in EvidenceFile.objects.filter(report_id__in=reports).values("report_id", *self._files.keys):
            evidence.setdefault(file["report_id"], []).append(self._files.represent(file, {"url": self._url}))
        report_fields = {"evidence": lambda row: evidence.get(row["report__id"], [])}

        def report(row: Mapping[str, Any]) -> dict[str, Any] | None:
            return None if row["report__id"] is None else self._reports.represent(row, report_fields)

        event_fields = {
            "report_status": lambda row: row["report_status"],
            "report_status_label": lambda row: REPORT_STATUS_LABELS.get(row["report_status"], ""),
            "report": report,
        }
        return [self._events.represent(row, event_fields) for row in rows]

    def _url(self, row: Mapping[str, Any]) -> str:
        path = reverse("evidence_download", args=[row["id"]])
        return self._request.build_absolute_uri(path) if self._request is not None else path


class EventInputSerializer(serializers.Serializer):
    """Input of POST /events/ and PATCH /events/{id}/; ``activity`` is the activity's number."""

    plan = serializers.CharField(
        required=False,
        help_text="Plan key. Without it, the plan whose period holds start_date; ``activity`` is a number within it.",
    )
    activity = serializers.IntegerField(min_value=1)
    organizer = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=500)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    start_time = LocalTimeField(required=False, allow_null=True)
    end_time = LocalTimeField(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=500)
    municipality = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    format = serializers.ChoiceField(choices=Event.Format.choices, required=False)
    audience = serializers.CharField(required=False, allow_blank=True, max_length=500)
    planned_participants = _count(required=False, allow_null=True)
    coordinator = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    responsible_email = serializers.EmailField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        out = dict(attrs)
        if "activity" in attrs:
            out["activity"] = self._activity(attrs)
        out.pop("plan", None)
        for name, model in (("organizer", Organization), ("municipality", Municipality), ("coordinator", User)):
            if attrs.get(name) is not None:
                obj = model.objects.filter(pk=attrs[name]).first()
                if obj is None:
                    raise ValidationError({name: ["Не найдено."]})
                out[name] = obj
        return out

    def _activity(self, attrs: dict[str, Any]) -> Activity:
        """The activity numbered ``activity`` in the plan named by ``plan``, or
        else in the plan whose period holds the event's first day (the one
        sent, or the stored one of the event being changed)."""
        if attrs.get("plan"):
            plan = plan_for_key(attrs["plan"])
            if plan is None:
                raise ValidationError({"plan": [f"Дорожная карта «{attrs['plan']}» не найдена."]})
        else:
            event = self.context.get("event")
            start = attrs.get("start_date") or (event.start_date if event is not None else None)
            if start is None:
                raise ValidationError({"start_date": ["Обязательное поле."]})
            plan = plan_for_dates(start, attrs.get("end_date"))
            if plan is None:
                raise ValidationError({"start_date": [out_of_plans_message(start)]})
        activity = Activity.objects.select_related("plan").filter(plan=plan, number=attrs["activity"]).first()
        if activity is None:
            raise ValidationError(
                {"activity": [f"В дорожной карте {plan_years_text(plan)} нет пункта № {attrs['activity']}."]}
            )
        return activity


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why the event will not take place (required)."
    )
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The event's version the caller saw; a stale one answers 409 and cancels nothing.",
    )


class ReviewInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required when returning a report."
    )


def _body(request: Request, serializer: type[serializers.Serializer]) -> dict[str, Any]:
    """The validated body of an action: a JSON number or list instead of an
    object is a 400 from the serializer, not an AttributeError (a 500)."""
    data = serializer(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class EvidenceInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=EvidenceFile.Kind.choices, required=False)


class TimelinessRowSerializer(serializers.Serializer):
    key = serializers.JSONField(
        help_text="Organisation or municipality id, activity number, month (YYYY-MM-DD) or null."
    )
    # A field named like Field.label: the serializer metaclass moves it into _declared_fields.
    label = serializers.CharField()  # type: ignore[assignment]
    held = serializers.IntegerField()
    due = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    not_yet_due = serializers.IntegerField()
    accepted = serializers.IntegerField()
    on_time_pct = serializers.FloatField(allow_null=True)
    median_delay_hours = serializers.FloatField(allow_null=True)


class TimelinessSerializer(serializers.Serializer):
    by = serializers.CharField()
    moment = serializers.DateTimeField()
    rows = TimelinessRowSerializer(many=True)
    total = TimelinessRowSerializer()


def _django_errors(exc: DjangoValidationError) -> dict[str, Any]:
    if hasattr(exc, "message_dict"):
        return exc.message_dict
    return {"detail": exc.messages}


class ServiceErrorsMixin:
    """Maps service exceptions onto HTTP: 400 by field, 403 (a conflict's 409: ``copp.rest``)."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            return Response(_django_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)  # type: ignore[misc]


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_param(request: Request, name: str) -> date | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)  # fromisoformat also takes "20240101" and week dates
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError({name: ["Дата в формате ГГГГ-ММ-ДД."]}) from exc


def _int_param(request: Request, name: str, *, maximum: int = 2**31 - 1) -> int | None:
    """A positive id or year from the query; anything else is a 400, not a guess."""
    value = request.query_params.get(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= maximum:
        raise ValidationError({name: [f"Целое число от 1 до {maximum}."]})
    return int(value)


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------


_ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


class EventViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Events with their report status; ``?report_status=overdue`` etc. filter in the database."""

    serializer_class = EventSerializer
    # Ids are integers: /events/abc/cancel/ matches no URL (404) instead of
    # reaching the ORM with a string (a 500).
    lookup_value_regex = r"[0-9]+"

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": self.now}

    @property
    def now(self) -> Any:
        if not hasattr(self, "_now"):
            self._now = timezone.now()
        return self._now

    @extend_schema(
        parameters=[
            OpenApiParameter("report_status", str, enum=[s.value for s in ReportStatus]),
            OpenApiParameter("plan", str, description="Plan key; every plan by default. An unknown key answers 404."),
            OpenApiParameter("organizer", _ID),
            OpenApiParameter("activity", _ID),
            OpenApiParameter("municipality", _ID),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The serializer's own answer, read from values() rows (copp.value_rows):
        # 50 events with their reports as model instances through DRF's field
        # lookup took two thirds of the page's time.
        rows = EventRows(request=request)
        queryset = rows.queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(rows.represent(list(queryset)))
        return self.get_paginated_response(rows.represent(page))

    def get_queryset(self) -> QuerySet[Event]:
        return event_selectors.events_list(**self._list_filters).prefetch_related("report__evidence")

    def get_count_queryset(self) -> QuerySet[Event]:
        """The list's rows for ``copp.pagination`` to count, without what the rows show."""
        return event_selectors.events_list(**self._list_filters, annotated=False)

    @cached_property
    def _list_filters(self) -> dict[str, Any]:
        """The query's filters, read once per request (the list and its count share them)."""
        params = self.request.query_params
        wanted = params.get("report_status") or None
        if wanted and wanted not in ReportStatus.__members__.values():
            raise ValidationError(
                {"report_status": [f"Допустимые значения: {', '.join(s.value for s in ReportStatus)}."]}
            )
        return {
            "user": self.request.user,
            "now": self.now,
            "report_status": wanted,
            "plan": requested_plan(params.get("plan"), default=None),
            "organization_id": _int_param(self.request, "organizer"),
            "activity_number": _int_param(self.request, "activity"),
            "municipality_id": _int_param(self.request, "municipality"),
            "date_from": _date_param(self.request, "date_from"),
            "date_to": _date_param(self.request, "date_to"),
        }

    def _event_for_write(self, pk: Any) -> Event:
        query = Event.objects.select_related("activity__plan", "organizer")
        return get_object_or_404(permissions.visible_events(self.request.user, query), pk=pk)

    def _render(self, event: Event, code: int = status.HTTP_200_OK) -> Response:
        event = Event.objects.select_related("activity__plan", "organizer").get(pk=event.pk)
        return Response(self.get_serializer(event).data, status=code)

    @extend_schema(request=EventInputSerializer, responses={201: EventSerializer})
    def create(self, request: Request) -> Response:
        data = EventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("version", None)
        event = services.event_create(user=signed_in_user(request), **values)
        return self._render(event, status.HTTP_201_CREATED)

    @extend_schema(request=EventInputSerializer, responses=EventSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        event = self._event_for_write(pk)
        data = EventInputSerializer(data=request.data, partial=True, context={"event": event})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version", None)
        if "organizer" in values and values["organizer"].pk != event.organizer_id:
            raise ValidationError({"organizer": ["Организатора мероприятия изменить нельзя."]})
        values.pop("organizer", None)
        event = services.event_update(user=signed_in_user(request), event=event, expected_version=version, **values)
        return self._render(event)

    @extend_schema(request=CancelInputSerializer, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        event = self._event_for_write(pk)
        body = _body(request, CancelInputSerializer)
        event = services.event_cancel(
            user=signed_in_user(request),
            event=event,
            reason=body["reason"],
            now=timezone.now(),
            expected_version=body.get("version"),
        )
        return self._render(event)

    @extend_schema(methods=["GET"], request=None, responses=ReportDetailSerializer)
    @extend_schema(methods=["POST"], request=ReportInputSerializer, responses={201: ReportDetailSerializer})
    @extend_schema(methods=["PUT"], request=ReportInputSerializer, responses=ReportDetailSerializer)
    @action(detail=True, methods=["get", "post", "put"], url_path="report")
    def report(self, request: Request, pk: Any = None) -> Response:
        if request.method == "GET":
            event = self.get_object()
            report = get_object_or_404(EventReport.objects.prefetch_related("evidence"), event=event)
            return Response(ReportDetailSerializer(report, context=self.get_serializer_context()).data)
        event = self._event_for_write(pk)
        data = ReportInputSerializer(data=request.data)
        if request.method == "POST":
            if not permissions.can_report_event(request.user, event):
                raise PermissionDenied("Отчёт подаёт координатор организации-организатора.")
            data.is_valid(raise_exception=True)
            report = services.event_report_submit(
                user=signed_in_user(request), event=event, data=data.report_data(), now=timezone.now()
            )
            code: int = status.HTTP_201_CREATED
        else:
            report = get_object_or_404(EventReport, event=event)
            if not permissions.can_report_event(request.user, event):
                raise PermissionDenied("Отчёт подаёт координатор организации-организатора.")
            data.is_valid(raise_exception=True)
            report = services.event_report_resubmit(
                user=signed_in_user(request),
                report=report,
                data=data.report_data(),
                now=timezone.now(),
                expected_version=data.validated_data.get("version"),
            )
            code = status.HTTP_200_OK
        return Response(ReportDetailSerializer(report, context=self.get_serializer_context()).data, status=code)

    def _report_for_write(self, pk: Any) -> EventReport:
        query = EventReport.objects.select_related("event__activity__plan")
        return get_object_or_404(permissions.visible_event_reports(self.request.user, query), event_id=pk)

    @extend_schema(request=ReviewInputSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="report/accept")
    def accept_report(self, request: Request, pk: Any = None) -> Response:
        report = self._report_for_write(pk)
        body = _body(request, ReviewInputSerializer)
        report = services.event_report_accept(
            user=signed_in_user(request), report=report, now=timezone.now(), expected_version=body.get("version")
        )
        return Response(ReportSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(request=ReviewInputSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="report/return")
    def return_report(self, request: Request, pk: Any = None) -> Response:
        report = self._report_for_write(pk)
        body = _body(request, ReviewInputSerializer)
        report = services.event_report_return(
            user=signed_in_user(request),
            report=report,
            reason=body["reason"],
            now=timezone.now(),
            expected_version=body.get("version"),
        )
        return Response(ReportSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(request={"multipart/form-data": EvidenceInputSerializer}, responses={201: EvidenceSerializer})
    @action(detail=True, methods=["post"], url_path="report/evidence")
    def add_evidence(self, request: Request, pk: Any = None) -> Response:
        report = self._report_for_write(pk)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Приложите файл."]})
        evidence = services.evidence_add(
            user=signed_in_user(request), report=report, upload=upload, kind=str(request.data.get("kind") or "other")
        )
        return Response(EvidenceSerializer(evidence, context=self.get_serializer_context()).data, status=201)

    @extend_schema(
        parameters=[OpenApiParameter("evidence_id", _ID, OpenApiParameter.PATH, description="Evidence file id")],
        request=None,
        responses={204: None},
    )
    @action(detail=True, methods=["delete"], url_path=r"report/evidence/(?P<evidence_id>[0-9]+)")
    def delete_evidence(self, request: Request, pk: Any = None, evidence_id: Any = None) -> Response:
        """Delete an evidence file of the report while it is not accepted (409 once it is)."""
        report = self._report_for_write(pk)
        evidence = get_object_or_404(
            permissions.visible_evidence(request.user, EvidenceFile.objects.filter(report=report)), pk=evidence_id
        )
        services.evidence_delete(user=signed_in_user(request), evidence=evidence)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[
            OpenApiParameter("by", str, enum=["organization", "activity", "municipality", "month", "total"]),
            OpenApiParameter("plan", str),
            OpenApiParameter("year", {"type": "integer", "minimum": 1, "maximum": 9999}),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
            OpenApiParameter("as_of", OpenApiTypes.DATE),
        ],
        responses=TimelinessSerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def timeliness(self, request: Request) -> Response:
        """Timeliness figures: ``?by=organization|activity|municipality|month&year=&plan=&as_of=``."""
        by = request.query_params.get("by", "organization")
        if by not in ("organization", "activity", "municipality", "month", "total"):
            raise ValidationError({"by": ["organization, activity, municipality, month или total."]})
        figures = current_timeliness(
            now=timezone.now(),
            by=by,  # type: ignore[arg-type]
            plan=requested_plan(request.query_params.get("plan"), default=None),
            year=_int_param(request, "year", maximum=9999),
            date_from=_date_param(request, "date_from"),
            date_to=_date_param(request, "date_to"),
            as_of=_date_param(request, "as_of"),
            # The events the user sees (visible_events' rule), filtered on the rollups.
            scope=permissions.organization_scope(request.user),
        )

        def row(r: event_selectors.TimelinessRow) -> dict[str, Any]:
            delay = r.median_delay
            return {
                "key": r.key.isoformat() if isinstance(r.key, date) else r.key,
                "label": r.label,
                "held": r.held,
                "due": r.due,
                "on_time": r.on_time,
                "late": r.late,
                "missing": r.missing,
                "not_yet_due": r.not_yet_due,
                "accepted": r.accepted,
                "on_time_pct": r.on_time_pct,
                "median_delay_hours": round(delay.total_seconds() / 3600, 1) if delay is not None else None,
            }

        return Response(
            {
                "by": by,
                "moment": figures.moment.isoformat(),
                "rows": [row(r) for r in figures.rows],
                "total": row(figures.total),
            }
        )
