import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from directory.models import Domain
from editions.models import Edition

from .models import SLOT_MINUTES_MAX, SLOT_MINUTES_MIN, TABLES_MAX, Event, NextStep, Slot


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class EventForm(forms.ModelForm):
    online_url = forms.URLField(
        label=_("lien de la rencontre en ligne"), required=False, assume_scheme="https"
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "description",
            "date",
            "place",
            "online_url",
            "edition",
            "domains",
            "registration_opens_on",
            "registration_closes_on",
            "booking_opens_on",
            "booking_closes_on",
        ]
        widgets = {
            "date": DateInput(),
            "registration_opens_on": DateInput(),
            "registration_closes_on": DateInput(),
            "booking_opens_on": DateInput(),
            "booking_closes_on": DateInput(),
            "domains": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, editions=None, **kwargs):
        """`editions`: None for programme staff (any edition, or none); a federator's editions
        otherwise (one of them is required)."""
        super().__init__(*args, **kwargs)
        self.fields["domains"].queryset = Domain.objects.filter(is_active=True)
        if editions is None:
            self.fields["edition"].queryset = Edition.objects.all()
        else:
            self.fields["edition"].queryset = editions
            self.fields["edition"].required = True

    def clean(self):
        data = super().clean()
        if not data.get("place") and not data.get("online_url"):
            self.add_error("place", _("Indiquez un lieu ou un lien de rencontre en ligne."))
        order = [
            ("registration_opens_on", "registration_closes_on"),
            ("booking_opens_on", "booking_closes_on"),
            ("registration_opens_on", "booking_opens_on"),
            ("booking_closes_on", "date"),
        ]
        for first, then in order:
            if data.get(first) and data.get(then) and data[then] < data[first]:
                self.add_error(then, _("Cette date vient trop tôt dans le calendrier."))
        return data


class SessionForm(forms.Form):
    starts_at = forms.TimeField(label=_("Début"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label=_("Fin"), widget=forms.TimeInput(attrs={"type": "time"}))
    slot_minutes = forms.IntegerField(
        label=_("Durée d'un rendez-vous (minutes)"),
        min_value=SLOT_MINUTES_MIN,
        max_value=SLOT_MINUTES_MAX,
        initial=25,
    )
    tables = forms.IntegerField(
        label=_("Nombre de tables"), min_value=1, max_value=TABLES_MAX, initial=10
    )

    def moments(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        tz = timezone.get_current_timezone()
        return (
            datetime.datetime.combine(day, self.cleaned_data["starts_at"], tzinfo=tz),
            datetime.datetime.combine(day, self.cleaned_data["ends_at"], tzinfo=tz),
        )


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("Passer à l'étape"), choices=Event.State.choices)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("validate", _("Valider")), ("refuse", _("Refuser"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Motif (requis pour un refus)"), required=False, max_length=1000
    )


class ApplicationForm(forms.Form):
    pitch = forms.CharField(
        label=_("Présentez votre entreprise et ce que vous proposez aux acheteurs"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=1500,
    )


class BuyerForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Acheteur"), queryset=User.objects.none())
    needs = forms.CharField(
        label=_("Besoins qu'il ou elle apporte"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=1500,
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            memberships__organisation=organisation
        ).order_by("last_name", "first_name", "email")


class RequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Objet du rendez-vous"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )

    def __init__(self, *args, buyers=None, **kwargs):
        """`buyers`: for a large account, its buyers registered at the event (one asks)."""
        super().__init__(*args, **kwargs)
        if buyers is not None:
            self.fields["buyer"] = forms.ModelChoiceField(
                label=_("Au nom de l'acheteur"), queryset=buyers, empty_label=None
            )
            self.order_fields(["buyer", "reason"])


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Slot) -> str:
        start = timezone.localtime(obj.starts_at)
        end = timezone.localtime(obj.ends_at)
        return f"{start:%H:%M} – {end:%H:%M}"


class SlotForm(forms.Form):
    slot = SlotChoiceField(label=_("Créneau"), queryset=Slot.objects.none(), required=False)

    def __init__(self, *args, slots, required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = slots
        self.fields["slot"].required = required
        self.fields["slot"].empty_label = (
            None if required else _("Laisser les organisateurs placer")
        )


class NextStepForm(forms.Form):
    step = forms.ChoiceField(
        label=_("Suite donnée au rendez-vous"), choices=NextStep.choices, widget=forms.RadioSelect
    )
