"""REST API of the indicators app."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from copp.value_rows import value_rows_list
from copp.web import requested_plan
from indicators import permissions, registries, services
from indicators.checks import breach_sentence
from indicators.derivations import derivation
from indicators.memo import current_figures
from indicators.models import (
    Actual,
    ActualChange,
    EducationalProgramme,
    Indicator,
    PartnerAgreement,
    ProgrammeCategory,
    ProgrammeCohort,
)
from indicators.selectors import (
    Figure,
    actual_history,
    actuals_visible_to,
    broken_rules,
    indicator_figures,
    indicators_of,
    visible_indicator_records,
)
from roadmap.api import PLAN_PARAMETER
from roadmap.models import Organization, Plan
from roadmap.plans.selectors import plan_by_key


class IndicatorSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None, allow_null=True)  # type: ignore[assignment]  # a declared field; the stubs see Field.parent
    targets = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = ["code", "printed_code", "parent", "name", "unit", "value_type", "aggregation", "note", "targets"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_targets(self, indicator: Indicator) -> dict[str, Any]:
        return {str(t.year): t.value for t in indicator.targets.all()}


class FigureSerializer(serializers.Serializer):
    code = serializers.CharField()
    year = serializers.IntegerField()
    target = serializers.JSONField()
    actual = serializers.JSONField()
    derived = serializers.JSONField()
    manual = serializers.JSONField()
    percent = serializers.FloatField(allow_null=True)
    deviation = serializers.JSONField()
    status = serializers.CharField(allow_null=True)
    expected_share = serializers.FloatField()
    listed = serializers.IntegerField(
        allow_null=True, help_text="People of the figure counted once from event reports' participant lists."
    )
    deduplicated_share = serializers.FloatField(
        allow_null=True, help_text="listed / actual: the share of the figure deduplicated from participant lists."
    )
    final = serializers.BooleanField(help_text="The year is over: the status is a verdict (achieved / not_achieved).")


class ProgressSerializer(FigureSerializer):
    derivation = serializers.JSONField(
        help_text="How the figure is derived: {kind, rows, sources, scope, deduplicated_share, unassigned}"
    )


# --- helpers ------------------------------------------------------------------------


def _plan(request: Request) -> Plan:
    return requested_plan(request.query_params.get("plan"))


def _year_param(request: Request, plan: Plan, *, required: bool) -> list[int]:
    raw = request.query_params.getlist("year")
    if not raw:
        if required:
            raise ValidationError({"year": [_("Give the year: ?year=2024.")]})
        return list(plan.years)
    years = []
    for value in raw:
        if not value.isdigit() or int(value) not in plan.years:
            raise ValidationError(
                {
                    "year": [
                        _("Unknown year “%(year)s”; the plan covers %(first)s–%(last)s.")
                        % {"year": value, "first": plan.first_year, "last": plan.last_year}
                    ]
                }
            )
        years.append(int(value))
    return years


def _figures(
    plan: Plan, *, years: list[int], organization: Organization | None, as_of: dt.datetime | None
) -> dict[tuple[str, int], Figure]:
    """Figures as of now (kept while nothing they read changes: ``indicators.memo``), or
    exactly as of ``as_of``."""
    if as_of is None:
        return current_figures(plan, years=years, organization=organization, now=timezone.now())
    return indicator_figures(plan, years=years, organization=organization, as_of=as_of, now=as_of)


def _as_of_param(request: Request) -> dt.datetime | None:
    raw = request.query_params.get("as_of")
    if not raw:
        return None
    moment = parse_datetime(raw)
    if moment is None:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise ValidationError({"as_of": [_("Give a date YYYY-MM-DD or a date and time.")]}) from None
        # a date means the end of that day in the region's time zone
        moment = dt.datetime.combine(day, dt.time.max)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _organization_param(request: Request) -> Organization | None:
    raw = request.query_params.get("organization")
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationError({"organization": [_("Give an organisation id.")]})
    organization = Organization.objects.filter(pk=int(raw)).first()
    if organization is None:
        raise ValidationError({"organization": [_("No such organisation.")]})
    if not permissions.can_view_actual(request.user, organization.pk):
        raise PermissionDenied(_("You may not see this organisation's figures."))
    return organization


def _figure_data(figure: Figure) -> dict[str, Any]:
    return FigureSerializer(figure).data


def _service_call(func: Any, **kwargs: Any) -> Any:
    """Run a service, turning its refusals into HTTP answers: 400 by field, 403 (a ``Conflict`` goes on to ``copp.rest``: 409)."""
    try:
        return func(**kwargs)
    except services.InvalidInput as exc:
        raise ValidationError({exc.field or "non_field_errors": [exc.message]}) from exc
    except DjangoValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        raise ValidationError(
            {("non_field_errors" if name == NON_FIELD_ERRORS else name): messages for name, messages in errors.items()}
        ) from exc
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from exc


# --- indicators ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(parameters=[PLAN_PARAMETER]), retrieve=extend_schema(parameters=[PLAN_PARAMETER])
)
class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """Indicators of the current plan (or ``?plan=<key>``) in the order's order."""

    serializer_class = IndicatorSerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9]+(\.[0-9]+)*"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Indicator]:
        return indicators_of(requested_plan(self.request.query_params.get("plan")))

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=True),
            OpenApiParameter("organization", int),
            OpenApiParameter("as_of", str, description="YYYY-MM-DD or an ISO date and time"),
        ],
        responses=ProgressSerializer,
    )
    @action(detail=True, url_path="progress")
    def progress(self, request: Request, code: str | None = None) -> Response:
        """Target, actual (approved and derived values only), percent and status of one year."""
        indicator = self.get_object()
        plan = indicator.indicator_set.plan
        (year,) = _year_param(request, plan, required=True)[:1]
        as_of = _as_of_param(request)
        organization = _organization_param(request)
        # every row's figure (a total's derivation reads its rows'); the cost is the same
        figures = _figures(plan, years=[year], organization=organization, as_of=as_of)
        figure = figures[(indicator.code, year)]
        data = dict(_figure_data(figure))
        data["derivation"] = derivation(
            indicator, year, value=figure.actual, figures=figures, organization=organization, as_of=as_of
        )
        return Response(data)

    @extend_schema(parameters=[OpenApiParameter("year", int, required=True)], responses=OpenApiTypes.OBJECT)
    @action(detail=True, url_path="records")
    def records(self, request: Request, code: str | None = None) -> Response:
        """The records behind the figure: approved values and the derived source's records."""
        indicator = self.get_object()
        plan = indicator.indicator_set.plan
        (year,) = _year_param(request, plan, required=True)[:1]
        records = visible_indicator_records(
            request.user, indicator, year, organization=_organization_param(request), as_of=_as_of_param(request)
        )
        actuals = cast(
            list[dict[str, Any]], ActualSerializer(records.pop("actuals"), many=True).data
        )  # many=True: a list
        data: dict[str, list[dict[str, Any]]] = {"actuals": actuals}
        for kind, query in records.items():
            data[kind] = [_record_data(kind, r) for r in query]
        return Response(data)


def _record_data(kind: str, record: Any) -> dict[str, Any]:
    if kind == "event_reports":
        event = record.event
        return {
            "id": record.pk,
            "event": event.pk,
            "title": str(event),
            "activity": event.activity.number,
            "organizer": event.organizer_id,
            "start_date": event.start_date,
            "participants_total": record.participants_total,
            "participants_pupils_6_11": record.participants_pupils_6_11,
            "accepted_at": record.accepted_at,
        }
    if kind == "partner_agreements":
        return PartnerAgreementSerializer(record).data
    if kind == "programmes":
        return EducationalProgrammeSerializer(record).data
    return ProgrammeCohortSerializer(record).data


class FigureViewSet(viewsets.ViewSet):
    """Figures of every indicator for the plan's years (or ``?year=``), regional or ``?organization=``."""

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, many=True),
            OpenApiParameter("organization", int),
            OpenApiParameter("as_of", str),
            OpenApiParameter("plan", str),
        ],
        responses=FigureSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        plan = _plan(request)
        as_of = _as_of_param(request)
        figures = _figures(
            plan,
            years=_year_param(request, plan, required=False),
            organization=_organization_param(request),
            as_of=as_of,
        )
        # One serializer for the list: a Serializer per figure copies its fields each time.
        return Response(FigureSerializer(list(figures.values()), many=True).data)


class BreachSerializer(serializers.Serializer):
    rule = serializers.CharField()
    year = serializers.IntegerField()
    left = serializers.FloatField(allow_null=True)
    right = serializers.FloatField(allow_null=True)
    operator = serializers.CharField()
    key = serializers.CharField()
    name = serializers.CharField()
    importance = serializers.CharField()
    sentence = serializers.CharField()


class ConsistencyViewSet(viewsets.ViewSet):
    """Broken validation rules: ``?year=2024&source=plan`` (targets) or ``source=actual``."""

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("source", str, enum=["plan", "actual"], required=True),
            OpenApiParameter("as_of", str),
            OpenApiParameter("plan", str),
        ],
        responses=BreachSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        source = request.query_params.get("source")
        if source not in ("plan", "actual"):
            raise ValidationError({"source": [_("Give source=plan or source=actual.")]})
        plan = _plan(request)
        breaches = broken_rules(
            plan,
            years=_year_param(request, plan, required=False),
            source=source,
            organization=_organization_param(request),
            as_of=_as_of_param(request),
        )
        return Response(
            [
                {
                    **b.as_dict(),
                    "sentence": breach_sentence(year=b.year, source=source, rule=b.rule, left=b.left, right=b.right),
                }
                for b in breaches
            ]
        )


# --- actual values ----------------------------------------------------------------------------


class ActualSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")
    organization_name = serializers.CharField(source="organization.short_name")
    value = serializers.JSONField()

    class Meta:
        model = Actual
        fields = [
            "id",
            "indicator",
            "year",
            "period",
            "organization",
            "organization_name",
            "value",
            "evidence",
            "status",
            "return_reason",
            "version",
            "created_at",
            "updated_at",
            "approved_at",
        ]


class ActualCreateSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    year = serializers.IntegerField()
    organization = serializers.IntegerField()
    value = serializers.JSONField()
    period = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.CharField(required=False, allow_blank=True, default="")
    plan = serializers.CharField(required=False)


class ActualUpdateSerializer(serializers.Serializer):
    value = serializers.JSONField()
    version = serializers.IntegerField()
    evidence = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    confirm_breaches = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Save an edit of a value approved before even though it breaks a rule of the order "
        "(without it, such an edit is a 400 on `value` naming the rule).",
    )


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False)


class ReasonSerializer(VersionSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class BulkApproveSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class ActualChangeSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.get_full_name", default=None, allow_null=True)

    class Meta:
        model = ActualChange
        fields = ["action", "at", "user", "old_value", "new_value", "old_status", "new_status", "reason"]


class ActualViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Actual values: create a draft, edit it, submit, approve, return, reopen.

    Writes answer 400 naming the field at fault, 403 when the user may not
    act, 409 when the value is not in a state that allows the step or the
    ``version`` sent is stale.
    """

    serializer_class = ActualSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Actual]:
        query = actuals_visible_to(self.request.user).order_by("indicator__order", "year", "period", "organization")
        params = self.request.query_params
        for name in ("year", "organization"):
            if params.get(name):
                if not params[name].isdigit():
                    raise ValidationError({name: [_("Give a whole number.")]})
                query = query.filter(**{name: int(params[name])})
        for name in ("status", "period"):
            if params.get(name):
                query = query.filter(**{name: params[name]})
        if params.get("indicator"):
            query = query.filter(indicator__code=params["indicator"])
        return query

    @extend_schema(request=ActualCreateSerializer, responses={201: ActualSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ActualCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        plan = plan_by_key(values.get("plan"))
        indicator = (
            Indicator.objects.select_related("indicator_set__plan")
            .filter(indicator_set__plan=plan, code=values["indicator"].strip())
            .first()
        )
        if indicator is None:
            raise ValidationError(
                {"indicator": [_("Unknown indicator code “%(code)s”.") % {"code": values["indicator"]}]}
            )
        organization = Organization.objects.filter(pk=values["organization"]).first()
        if organization is None:
            raise ValidationError({"organization": [_("No such organisation.")]})
        actual = _service_call(
            services.actual_create,
            indicator=indicator,
            year=values["year"],
            organization=organization,
            value=values["value"],
            period=values["period"],
            evidence=values["evidence"],
            user=request.user,
            now=timezone.now(),
        )
        return Response(ActualSerializer(actual).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActualUpdateSerializer, responses=ActualSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        actual = self.get_object()
        data = ActualUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        actual = _service_call(
            services.actual_update,
            actual=actual,
            value=values["value"],
            version=values["version"],
            evidence=values.get("evidence"),
            reason=values["reason"],
            confirm_breaches=values["confirm_breaches"],
            user=request.user,
            now=timezone.now(),
        )
        return Response(ActualSerializer(actual).data)

    def _step(self, request: Request, func: Any, serializer: type[serializers.Serializer], **extra: Any) -> Response:
        actual = self.get_object()
        data = serializer(data=request.data)
        data.is_valid(raise_exception=True)
        kwargs = {"version": data.validated_data.get("version"), **extra}
        if "reason" in data.validated_data:
            kwargs["reason"] = data.validated_data["reason"]
        actual = _service_call(func, actual=actual, user=request.user, now=timezone.now(), **kwargs)
        return Response(ActualSerializer(actual).data)

    @extend_schema(request=VersionSerializer, responses=ActualSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.actual_submit, VersionSerializer)

    @extend_schema(request=VersionSerializer, responses=ActualSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.actual_approve, VersionSerializer)

    @extend_schema(request=ReasonSerializer, responses=ActualSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.actual_return, ReasonSerializer)

    @extend_schema(request=ReasonSerializer, responses=ActualSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.actual_reopen, ReasonSerializer)

    @extend_schema(request=BulkApproveSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"], url_path="bulk-approve")
    def bulk_approve(self, request: Request) -> Response:
        data = BulkApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visible = set(self.get_queryset().filter(pk__in=data.validated_data["ids"]).values_list("pk", flat=True))
        wanted = [i for i in data.validated_data["ids"] if i in visible]
        try:
            result = services.actuals_bulk_approve(actual_ids=wanted, user=request.user, now=timezone.now())
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        refused = {str(k): v for k, v in result.refused.items()}
        refused |= {str(i): _("No such value.") for i in data.validated_data["ids"] if i not in visible}
        return Response({"approved": result.approved, "refused": refused})

    @extend_schema(responses=ActualChangeSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Every change of the value: who, when, old and new value, reason."""
        return Response(ActualChangeSerializer(actual_history(self.get_object()), many=True).data)


# --- registries ------------------------------------------------------------------------------


class ProgrammeCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeCategory
        fields = ["id", "key", "name"]


class PartnerAgreementSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.short_name", read_only=True)
    organization_name = serializers.CharField(source="organization.short_name", read_only=True)

    class Meta:
        model = PartnerAgreement
        fields = [
            "id",
            "partner",
            "partner_name",
            "organization",
            "organization_name",
            "activity",
            "number",
            "date",
            "valid_from",
            "valid_to",
            "subject",
        ]


class EducationalProgrammeSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = EducationalProgramme
        fields = ["id", "name", "category", "category_name", "developer", "approved_on", "hours", "form"]
        extra_kwargs = {"hours": {"min_value": 1}}


class ProgrammeCohortSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeCohort
        fields = ["id", "programme", "year", "group", "completed"]

    def get_fields(self) -> dict[str, serializers.Field]:
        # Another organisation's programme is "not found" here too (400 like an
        # unknown id), never a 403 that would confirm it exists.
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and "programme" in fields:
            cast(serializers.PrimaryKeyRelatedField, fields["programme"]).queryset = permissions.visible_programmes(
                request.user
            )
        return fields


_CONFLICT = inline_serializer("RegistryConflict", fields={"detail": serializers.CharField()})


def _registry_schema(serializer: type[serializers.Serializer]) -> Any:
    """The registries' writes answer 409 with the reason (a protected delete, a concurrent duplicate)."""
    return extend_schema_view(
        create=extend_schema(responses={201: serializer, 409: _CONFLICT}),
        update=extend_schema(responses={200: serializer, 409: _CONFLICT}),
        partial_update=extend_schema(responses={200: serializer, 409: _CONFLICT}),
        destroy=extend_schema(responses={204: None, 409: _CONFLICT}),
    )


class RegistryViewSet(viewsets.ModelViewSet):
    """Anyone signed in reads what they may see; every write goes through ``indicators.registries``.

    The services own the permission (the holder decides), the rules, history
    and the protected delete; this class only maps their refusals to HTTP:
    403, 400 by field, 409 with the reason.
    """

    lookup_value_regex = r"[0-9]+"

    create_service: Any = None
    update_service: Any = None
    delete_service: Any = None
    record_arg = "record"

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The serializers' own answers from values() rows (copp.value_rows): no model instances per row.
        return value_rows_list(self, request)

    def _call(self, func: Any, **kwargs: Any) -> Any:
        return _service_call(func, user=self.request.user, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = self._call(type(self).create_service, **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = self._call(
            type(self).update_service, **{self.record_arg: serializer.instance}, **serializer.validated_data
        )

    def perform_destroy(self, instance: Any) -> None:
        self._call(type(self).delete_service, **{self.record_arg: instance})


@_registry_schema(PartnerAgreementSerializer)
class PartnerAgreementViewSet(RegistryViewSet):
    serializer_class = PartnerAgreementSerializer
    create_service = staticmethod(registries.agreement_create)
    update_service = staticmethod(registries.agreement_update)
    delete_service = staticmethod(registries.agreement_delete)
    record_arg = "agreement"

    def get_queryset(self) -> QuerySet[PartnerAgreement]:
        query = permissions.visible_agreements(
            self.request.user,
            PartnerAgreement.objects.select_related("partner", "organization").order_by("-date", "id"),
        )
        if self.request.query_params.get("valid_on"):
            day = self.request.query_params["valid_on"]
            query = query.filter(valid_from__lte=day).exclude(valid_to__lt=day)
        return query


@_registry_schema(EducationalProgrammeSerializer)
class EducationalProgrammeViewSet(RegistryViewSet):
    serializer_class = EducationalProgrammeSerializer
    create_service = staticmethod(registries.programme_create)
    update_service = staticmethod(registries.programme_update)
    delete_service = staticmethod(registries.programme_delete)
    record_arg = "programme"

    def get_queryset(self) -> QuerySet[EducationalProgramme]:
        query = EducationalProgramme.objects.select_related("category").order_by("-approved_on", "id")
        return permissions.visible_programmes(self.request.user, query)


@_registry_schema(ProgrammeCohortSerializer)
class ProgrammeCohortViewSet(RegistryViewSet):
    serializer_class = ProgrammeCohortSerializer
    create_service = staticmethod(registries.cohort_create)
    update_service = staticmethod(registries.cohort_update)
    delete_service = staticmethod(registries.cohort_delete)
    record_arg = "cohort"

    def get_queryset(self) -> QuerySet[ProgrammeCohort]:
        query = ProgrammeCohort.objects.select_related("programme").order_by("-year", "id")
        return permissions.visible_cohorts(self.request.user, query)


class ProgrammeCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgrammeCategorySerializer
    lookup_value_regex = r"[0-9]+"
    pagination_class = None

    def get_queryset(self) -> QuerySet[ProgrammeCategory]:
        plan = requested_plan(self.request.query_params.get("plan"))
        return ProgrammeCategory.objects.filter(indicator_set__plan=plan).order_by("order")


router = SimpleRouter()
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("actuals", ActualViewSet, basename="actual")
router.register("figures", FigureViewSet, basename="figure")
router.register("consistency", ConsistencyViewSet, basename="consistency")
router.register("partner-agreements", PartnerAgreementViewSet, basename="partner-agreement")
router.register("programmes", EducationalProgrammeViewSet, basename="programme")
router.register("programme-cohorts", ProgrammeCohortViewSet, basename="programme-cohort")
router.register("programme-categories", ProgrammeCategoryViewSet, basename="programme-category")
