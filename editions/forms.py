from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.forms import DateInput
from accounts.models import Organisation
from directory.models import Departement, Domain, NafCode, Region

from .models import Convention, Edition
from .services import check_logo, check_signed_document

PDF_ACCEPT = {"accept": ".pdf,application/pdf"}
LOGO_ACCEPT = {"accept": ".png,.jpg,.jpeg,.svg,image/png,image/jpeg,image/svg+xml"}


class EditionForm(forms.ModelForm):
    """An edition, by programme staff: its territory (regions, départements) or its sector
    (domains, NAF codes typed as a list)."""

    logo_upload = forms.FileField(
        label=_("Logo (PNG, JPEG ou SVG, 1 Mo au plus)"),
        required=False,
        widget=forms.FileInput(attrs=LOGO_ACCEPT),
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Régions"),
        queryset=Region.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    departements = forms.ModelMultipleChoiceField(
        label=_("Départements"),
        queryset=Departement.objects.order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Une édition territoriale couvre ses régions et ses départements."),
    )
    domains = forms.ModelMultipleChoiceField(
        label=_("Domaines du programme"),
        queryset=Domain.objects.filter(is_active=True).order_by("position", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    naf_text = forms.CharField(
        label=_("Codes NAF"),
        required=False,
        max_length=2000,
        help_text=_("Séparés par des virgules, par exemple : 62.01Z, 58.29C."),
    )

    class Meta:
        model = Edition
        fields = ["name", "slug", "kind", "description", "starts_on", "ends_on", "status"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    M2M = ["regions", "departements", "domains", "naf_codes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for field in ["regions", "departements", "domains"]:
                self.initial[field] = list(getattr(self.instance, field).all())
            self.initial["naf_text"] = ", ".join(
                self.instance.naf_codes.order_by("code").values_list("code", flat=True)
            )

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if upload:
            check_logo(upload)
        return upload

    def clean_naf_text(self):
        text = self.cleaned_data.get("naf_text") or ""
        codes = [code.strip().upper() for code in text.replace(";", ",").split(",") if code.strip()]
        found = NafCode.objects.filter(code__in=codes)
        known = set(found.values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ValidationError(
                _("Codes NAF inconnus : %(codes)s.") % {"codes": ", ".join(unknown[:10])}
            )
        self.naf_codes = list(found)
        return text

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Edition.Kind.TERRITORIAL and not (
            cleaned.get("regions") or cleaned.get("departements")
        ):
            self.add_error(
                "regions", _("Une édition territoriale a au moins une région ou un département.")
            )
        if kind == Edition.Kind.SECTORAL and not (
            cleaned.get("domains") or getattr(self, "naf_codes", None)
        ):
            self.add_error(
                "domains", _("Une édition sectorielle a au moins un domaine ou un code NAF.")
            )
        return cleaned

    def plain_fields(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}

    def m2m(self) -> dict:
        return {
            "regions": self.cleaned_data["regions"],
            "departements": self.cleaned_data["departements"],
            "domains": self.cleaned_data["domains"],
            "naf_codes": getattr(self, "naf_codes", []),
        }


class ConventionForm(forms.ModelForm):
    document = forms.FileField(
        label=_("Convention signée (PDF, 5 Mo au plus)"),
        required=False,
        widget=forms.FileInput(attrs=PDF_ACCEPT),
    )

    class Meta:
        model = Convention
        fields = ["federator", "starts_on", "ends_on", "fee_eur", "admission_rules"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "admission_rules": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federator"].queryset = Organisation.objects.federators().order_by("name")
        if self.instance.pk:
            # A convention stays with its federator: sign a new one for another.
            self.fields["federator"].disabled = True

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload:
            check_signed_document(upload)
        return upload

    def plain_fields(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}


class AccountSearchForm(forms.Form):
    q = forms.CharField(label=_("Nom ou SIREN du grand compte"), required=False, max_length=100)


class AddAccountForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[("accept", _("Accepter la demande")), ("refuse", _("Refuser la demande"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Motif (obligatoire pour un refus, envoyé au grand compte)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Indiquez le motif du refus."))
        return cleaned


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Votre message à l'équipe de l'édition"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Pourquoi rejoindre cette édition : vos sites, vos achats sur ce territoire…"),
    )


class EmailAccountsForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Grands comptes"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leurs administrateurs reçoivent chacun le message."),
    )
    subject = forms.CharField(label=_("Objet"), max_length=200)
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = accounts
