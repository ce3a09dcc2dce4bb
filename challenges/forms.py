from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_siren
from directory.models import Domain

from .models import Challenge, ResearchProfile

PDF_ACCEPT = {"accept": ".pdf,application/pdf"}


class ChallengeForm(forms.ModelForm):
    domains = forms.ModelMultipleChoiceField(
        label=_("Domaines"),
        queryset=Domain.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les PME de ces domaines reçoivent le défi dans leur lettre hebdomadaire."),
    )

    class Meta:
        model = Challenge
        fields = [
            "title",
            "context",
            "domains",
            "deadline",
            "confidential_text",
            "confidentiality",
            "public_naming",
        ]
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "context": forms.Textarea(attrs={"rows": 8}),
            "confidential_text": forms.Textarea(attrs={"rows": 4}),
            "confidentiality": forms.RadioSelect,
        }
        help_texts = {
            "confidential_text": _(
                "Ce qui ne doit pas être publié (périmètre, volumes, nom du projet)."
            ),
            "public_naming": _(
                "Une fois attribué, le défi, votre nom et les lauréats paraissent dans la liste "
                "publique des défis attribués."
            ),
        }

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("La date limite doit être aujourd'hui ou plus tard."))
        return deadline


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Votre réponse"), max_length=6000, widget=forms.Textarea(attrs={"rows": 8})
    )
    document = forms.FileField(
        label=_("Document (PDF, 5 Mo au plus, facultatif)"),
        required=False,
        widget=forms.ClearableFileInput(attrs=PDF_ACCEPT),
    )


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Ce que le grand compte doit changer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ResearchRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Nom de l'organisme"), max_length=200)
    siren = forms.CharField(
        label=_("SIREN"), max_length=20, help_text=_("9 chiffres, espaces permis.")
    )
    kind = forms.ChoiceField(
        label=_("Type d'organisme"), choices=ResearchProfile.Kind.choices, widget=forms.RadioSelect
    )

    def clean_siren(self):
        siren = "".join(ch for ch in self.cleaned_data["siren"] if ch.isdigit())
        validate_siren(siren)
        return siren
