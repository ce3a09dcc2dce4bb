from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Need, Offer


class NeedForm(forms.ModelForm):
    class Meta:
        model = Need
        fields = ["title", "category", "description", "estimated_days"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}


class OfferForm(forms.ModelForm):
    class Meta:
        model = Offer
        fields = ["category", "days", "starts_on", "ends_on", "description"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("La fin de la période suit son début."))
        return data


class MissionProposalForm(forms.Form):
    need = forms.ModelChoiceField(label=_("Besoin de la PME"), queryset=Need.objects.none())
    offer = forms.ModelChoiceField(label=_("Offre du grand compte"), queryset=Offer.objects.none())
    days = forms.IntegerField(label=_("Jours de la mission"), min_value=1, max_value=200)

    def __init__(self, *args, needs, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = needs
        self.fields["need"].label_from_instance = lambda n: (
            f"{n.sme.name} — {n.title} ({n.get_category_display()}, {n.estimated_days} j)"
        )
        self.fields["offer"].queryset = offers
        self.fields["offer"].label_from_instance = lambda o: (
            f"{o.account.name} — {o.get_category_display()} ({o.days} j)"
        )


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=_("Votre retour sur la mission"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
