"""Forms of the roadmap's HTML pages (the shared mixin and widgets: copp/forms.py)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from copp.forms import BootstrapMixin, DateInput, SearchChoiceField, TimeInput


class LoginForm(BootstrapMixin, AuthenticationForm):
    error_messages: dict[str, Any] = {
        "invalid_login": _("Wrong username or password. Check the keyboard layout and Caps Lock."),
        "inactive": _("The account is disabled. Contact the administrator."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Login name")
        self.fields["password"].label = _("Password")


class EventForm(BootstrapMixin, forms.Form):
    # Searched as you type (copp.choices): every plan's activities, thousands of
    # organisations and municipalities at national scale are never one <select>.
    activity = SearchChoiceField(
        label=_("Roadmap activity"),
        queryset=None,
        kind="event-activity",
        placeholder=_("Type the activity's number or words of its title"),
    )
    organizer = SearchChoiceField(label=_("Organiser"), queryset=None, kind="event-organizer")
    title = forms.CharField(label=_("Event title"), max_length=500)
    start_date = forms.DateField(label=_("First day"), widget=DateInput())
    end_date = forms.DateField(
        label=_("Last day"), required=False, widget=DateInput(), help_text=_("Empty: a one-day event.")
    )
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=TimeInput())
    end_time = forms.TimeField(label=_("End time"), required=False, widget=TimeInput())
    place = forms.CharField(label=_("Place of the event"), max_length=500, required=False)
    municipality = SearchChoiceField(
        label=_("Municipal entity"),
        queryset=None,
        required=False,
        help_text=_("Empty: the organiser's municipality."),
        kind="municipality",
    )
    format = forms.ChoiceField(label=_("Format"), choices=())
    audience = forms.CharField(label=_("Audience"), max_length=500, required=False)
    planned_participants = forms.IntegerField(label=_("Planned number of participants"), min_value=0, required=False)
    responsible_email = forms.EmailField(
        label=_("E-mail of the person responsible for the report"),
        required=False,
        help_text=_("Report reminders will also go to this address."),
    )

    def __init__(
        self, *args: Any, plans: Any, today: Any, organizers: Any, municipalities: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        from roadmap.events.choices import activity_choices, municipality_choices
        from roadmap.models import Event

        # The same querysets /choices/<kind>/ searches; they still decide what is accepted.
        cast(SearchChoiceField, self.fields["activity"]).queryset = activity_choices(plans=plans, today=today)
        cast(SearchChoiceField, self.fields["organizer"]).queryset = organizers
        if organizers.count() == 1:
            self.fields["organizer"].initial = organizers.first()
            self.fields["organizer"].widget = forms.HiddenInput()
        cast(SearchChoiceField, self.fields["municipality"]).queryset = (
            municipality_choices() if municipalities is None else municipalities
        )
        cast(forms.ChoiceField, self.fields["format"]).choices = Event.Format.choices
        self.fields["format"].initial = Event.Format.IN_PERSON


class ReportForm(BootstrapMixin, forms.Form):
    summary = forms.CharField(
        label=_("How the event went"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done, who took part, what the result was."),
    )
    participants_total = forms.IntegerField(label=_("Participants, total"), min_value=0)
    participants_pupils_6_11 = forms.IntegerField(
        label=_("of them, pupils of grades 6–11"), min_value=0, required=False
    )
    participants_students = forms.IntegerField(label=_("of them, students"), min_value=0, required=False)
    participants_adults = forms.IntegerField(label=_("of them, adults"), min_value=0, required=False)
    participants_50_plus = forms.IntegerField(label=_("of them, aged 50+"), min_value=0, required=False)
    schools_count = forms.IntegerField(label=_("Participating schools"), min_value=0, required=False)
    partners = forms.CharField(label=_("Partners"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    links = forms.CharField(
        label=_("Links to publications"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("One link per line."),
    )
    participants = forms.CharField(
        label=_("Participant list"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "Иванова; Мария; 14.03.2010; школьник; 8"}),
        help_text=_(
            "Optional. One person per line: “Surname; Name; dd.mm.yyyy or SNILS; category; grade” (category: "
            "pupil, student, adult, 50+; grade only for pupils). By the list, a person who attended several "
            "activities counts once in the indicators. Only a keyed hash is stored, not the names. Empty: the "
            "saved list does not change."
        ),
    )
    participants_clear = forms.BooleanField(label=_("Delete the saved participant list"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput(), required=False)

    def clean_participants(self) -> tuple[Any, ...] | None:
        """The people of the textarea, or None when it is blank (keep the stored list)."""
        from django.core.exceptions import ValidationError

        from roadmap.events.participants import clean_people, parse_lines

        text = self.cleaned_data.get("participants") or ""
        if not text.strip():
            return None
        try:
            return tuple(clean_people(parse_lines(text)))
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["participants"]) from exc

    def participants_payload(self) -> tuple[Any, ...] | None:
        """What the service gets: the new list, an empty one to remove it, or None to keep it."""
        if self.cleaned_data.get("participants") is not None:
            return self.cleaned_data["participants"]
        return () if self.cleaned_data.get("participants_clear") else None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (
            "participants_total",
            "participants_pupils_6_11",
            "participants_students",
            "participants_adults",
            "participants_50_plus",
            "schools_count",
        ):
            self.fields[name].widget.attrs.update({"inputmode": "numeric"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def _kind_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Document type"), choices=(), required=False)


def _files_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Files"), required=False, widget=MultipleFileInput(attrs={"aria-describedby": "evidence-help"})
    )


class EvidenceForm(BootstrapMixin, forms.Form):
    """Files of several document types in one upload: one row per type, several files per row.

    Row ``i`` is the pair ``kind_i`` / ``files_i``; the first row keeps the
    plain names ``kind`` / ``files`` (what the form took before rows, and what
    scripts and tests still post). The rows start on each document type in
    turn, so photos, a protocol and an order go up together without any
    script; a row's type can be changed. ``required`` asks for at least one file.
    """

    ROWS = 4
    help_text = _("Photos (JPEG, PNG, HEIC), PDF, Word, Excel; each row takes several files of its type.")

    kind = _kind_field()
    # The form metaclass moves declared fields into base_fields: `form.files` stays the uploads.
    files = _files_field()  # type: ignore[assignment]
    kind_1, files_1 = _kind_field(), _files_field()
    kind_2, files_2 = _kind_field(), _files_field()
    kind_3, files_3 = _kind_field(), _files_field()

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from roadmap.models import EvidenceFile

        self.required = required
        kinds = list(EvidenceFile.Kind.values)
        self.row_kinds = [kinds[i % len(kinds)] for i in range(self.ROWS)]
        for i, kind in enumerate(self.row_kinds):
            field = cast(forms.ChoiceField, self.fields[self._name("kind", i)])
            field.choices = EvidenceFile.Kind.choices
            field.initial = kind

    @staticmethod
    def _name(field: str, row: int) -> str:
        return field if row == 0 else f"{field}_{row}"

    def rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        """(row number from 1, the type's field, the files' field) for the template."""
        return [(i + 1, self[self._name("kind", i)], self[self._name("files", i)]) for i in range(self.ROWS)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.required and not self.uploads():
            raise forms.ValidationError(_("Choose files to upload."), code="required")
        return data

    def uploads(self) -> list[Any]:
        """Every chosen file with its row's document type (``services.EvidenceUpload``)."""
        from roadmap.events.services import EvidenceUpload

        data = getattr(self, "cleaned_data", {})
        return [
            EvidenceUpload(upload, data.get(self._name("kind", i)) or default)
            for i, default in enumerate(self.row_kinds)
            for upload in data.get(self._name("files", i)) or []
        ]


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput(), required=False)
