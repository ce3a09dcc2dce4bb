from decimal import Decimal

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from directory.models import Departement, Domain

from .imports import MAX_FILE_BYTES
from .imports.parsing import CellError, parse_amount, parse_decimal, parse_siren
from .imports.readers import FORMAT_BY_SUFFIX
from .models import Campaign, ImportJob, OrderLine, Site
from .services import LineData


def _sentence(error: Exception) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + "."


class FrenchAmountField(forms.CharField):
    """An amount typed the French way ("1 234,50 €") or the English way ("1234.50")."""

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.validators = []  # the length applies to the text typed, checked by the widget

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            if self.allow_zero:
                number = parse_decimal(value)
                if number < 0:
                    raise CellError(_("le montant ne peut pas être négatif"))
                return number.quantize(Decimal("0.01"))
            return parse_amount(value)
        except CellError as exc:
            raise forms.ValidationError(_sentence(exc), code="invalid") from exc

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["inputmode"] = "decimal"
        return attrs


class ItTotalForm(forms.Form):
    it_purchases_total = FrenchAmountField(
        label=_("Total des achats informatiques externes de l'année (€ HT)"),
        allow_zero=True,
        help_text=_("Le dénominateur de votre part PME. Exemple : 12 500 000,00"),
    )


def line_domains(campaign: Campaign):
    """The domains a line may take: the campaign's, else every active one (asked once per
    campaign object, which a request's forms share)."""
    has_own = getattr(campaign, "_has_own_domains", None)
    if has_own is None:
        has_own = campaign._has_own_domains = campaign.domains.exists()
    domains = campaign.domains.all() if has_own else Domain.objects.filter(is_active=True)
    return domains.order_by("position", "name")


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """Reads the choices with one plain query: Django's own iterator uses `.iterator()`, a
    server-side cursor outside a transaction (DECLARE … WITH HOLD, FETCH, CLOSE: several round
    trips for a dozen domains)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class DomainChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator


class OrderLineForm(forms.Form):
    siren = forms.CharField(
        label=_("SIREN de la PME"),
        max_length=20,
        help_text=_("9 chiffres. Tapez un nom ou un SIREN pour chercher dans l'annuaire."),
    )
    sme_name = forms.CharField(
        label=_("Raison sociale"),
        max_length=200,
        required=False,
        help_text=_("Obligatoire si la PME n'est pas inscrite dans l'annuaire."),
    )
    amount = FrenchAmountField(label=_("Montant HT (€)"))
    order_date = forms.DateField(
        label=_("Date de commande"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    domain = DomainChoiceField(label=_("Domaine"), queryset=Domain.objects.none())
    reference = forms.CharField(label=_("Référence acheteur"), max_length=100, required=False)
    payment_delay_days = forms.IntegerField(
        label=_("Délai de paiement moyen (jours)"), min_value=0, max_value=3650, required=False
    )
    site = forms.ModelChoiceField(
        label=_("Site acheteur"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("— non précisé —"),
        help_text=_("Facultatif : l'établissement qui achète (pour la part des achats locaux)."),
    )

    def __init__(self, *args, declaration, **kwargs):
        super().__init__(*args, **kwargs)
        self.declaration = declaration
        # Only the account's own sites: another account's site id is "not a valid choice".
        sites = Site.objects.filter(organisation_id=declaration.organisation_id).order_by(
            "name", "pk"
        )
        if sites.exists():
            self.fields["site"].queryset = sites
        else:
            del self.fields["site"]
        self.fields["domain"].queryset = line_domains(declaration.campaign)
        year = declaration.campaign.year
        self.fields["order_date"].widget.attrs.update(min=f"{year}-01-01", max=f"{year}-12-31")

    @classmethod
    def initial_for(cls, line: OrderLine) -> dict:
        return {
            "siren": line.sme_siren,
            "sme_name": line.sme_name,
            "amount": f"{line.amount}".replace(".", ","),
            "order_date": line.order_date,
            "domain": line.domain_id,
            "reference": line.reference,
            "payment_delay_days": line.payment_delay_days,
            "site": line.site_id,
        }

    def clean_siren(self):
        try:
            return parse_siren(self.cleaned_data["siren"])[0]
        except CellError as exc:
            raise forms.ValidationError(_sentence(exc), code="invalid") from exc

    def clean_order_date(self):
        value = self.cleaned_data["order_date"]
        year = self.declaration.campaign.year
        if value.year != year:
            raise forms.ValidationError(
                _("La date doit être dans l'année %(year)s.") % {"year": year}, code="year"
            )
        return value

    def clean(self):
        data = super().clean()
        siren = data.get("siren")
        if siren and not data.get("sme_name"):
            from directory.models import SMEProfile

            name = SMEProfile.objects.filter(siren=siren).values_list("name", flat=True).first()
            if not name:
                self.add_error(
                    "sme_name", _("Cette PME n'est pas dans l'annuaire : indiquez son nom.")
                )
            else:
                data["sme_name"] = name
        return data

    def line_data(self) -> LineData:
        d = self.cleaned_data
        return LineData(
            siren=d["siren"],
            sme_name=d["sme_name"],
            amount=d["amount"],
            order_date=d["order_date"],
            domain=d["domain"],
            reference=d.get("reference") or "",
            payment_delay_days=d.get("payment_delay_days"),
            site=d.get("site"),
        )


class SubmitForm(forms.Form):
    attestation = forms.BooleanField(
        label=_(
            "J'atteste, en tant qu'administrateur du compte, que ces montants sont exacts et "
            "complets pour l'année déclarée."
        ),
        required=True,
        error_messages={"required": _("Cochez l'attestation pour soumettre.")},
    )
    justification = forms.CharField(
        label=_("Justification de l'écart (visible de l'équipe du programme)"),
        help_text=_(
            "Les commandes PME dépassent le total des achats informatiques externes : si les deux "
            "montants sont exacts, expliquez pourquoi (par exemple des commandes pluriannuelles)."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, needs_justification: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_justification:
            del self.fields["justification"]


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de la réouverture (visible du grand compte)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV, Excel ou OpenDocument"),
        help_text=_("CSV, XLSX, XLSM, XLS ou ODS ; 20 Mo et 100 000 lignes au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(FORMAT_BY_SUFFIX)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("Ce fichier dépasse 20 Mo : découpez-le en plusieurs fichiers."), code="size"
            )
        if not upload.name.lower().endswith(tuple(FORMAT_BY_SUFFIX)):
            raise forms.ValidationError(
                _("Formats acceptés : CSV, XLSX, XLSM, XLS ou ODS."), code="format"
            )
        return upload


class ImportMappingForm(forms.Form):
    """One choice of portal domain per word of the file that the portal does not know."""

    def __init__(self, *args, unmapped: list[dict], domains: list[Domain], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— à choisir —"))] + [(str(d.pk), d.name) for d in domains]
        self.entries = []
        for index, entry in enumerate(unmapped):
            name = f"map_{index}"
            self.fields[name] = forms.ChoiceField(
                label=entry["value"],
                choices=choices,
                required=False,
                initial=str(entry["suggestion"]) if entry.get("suggestion") else "",
            )
            self.entries.append((name, entry))

    def rows(self):
        for name, entry in self.entries:
            yield self[name], entry

    def choices(self) -> dict[str, int]:
        """Folded text → chosen domain id, for the values given a domain."""
        return {
            entry["folded"]: int(self.cleaned_data[name])
            for name, entry in self.entries
            if self.cleaned_data.get(name)
        }


class DomainMappingForm(forms.Form):
    source_text = forms.CharField(label=_("Libellé dans vos fichiers"), max_length=200)
    domain = forms.ModelChoiceField(
        label=_("Domaine du portail"),
        queryset=Domain.objects.filter(is_active=True).order_by("position", "name"),
        required=False,
        empty_label=_("— supprimer la correspondance —"),
    )


class ImportConfirmForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Que faire des lignes déjà saisies ?"),
        choices=ImportJob.Mode.choices,
        widget=forms.RadioSelect,
        initial=ImportJob.Mode.REPLACE,
    )
    replace_answers = forms.BooleanField(
        label=_("Je confirme le remplacement des lignes auxquelles la PME a répondu"),
        required=False,
    )

    def __init__(self, *args, replace_warning: str = "", **kwargs):
        """`replace_warning` says what a replace would lose; without it there is no checkbox."""
        super().__init__(*args, **kwargs)
        if replace_warning:
            self.fields["replace_answers"].help_text = replace_warning
        else:
            del self.fields["replace_answers"]


class SMEResponseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Réponse"),
        choices=[
            (OrderLine.SMEStatus.CONFIRMED, _("Je confirme cette commande")),
            (OrderLine.SMEStatus.DISPUTED, _("Je conteste cette commande")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire pour une contestation."),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("status") == OrderLine.SMEStatus.DISPUTED
            and not data.get("comment", "").strip()
        ):
            self.add_error("comment", _("Expliquez pourquoi vous contestez cette commande."))
        return data


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["year", "opens_on", "closes_on", "methodology_version", "methodology", "domains"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "methodology": forms.Textarea(attrs={"rows": 6}),
            "domains": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domains"].queryset = Domain.objects.order_by("position", "name")
        self.fields["domains"].required = True
        if not self.instance.pk:
            self.initial.setdefault(
                "domains", list(Domain.objects.filter(is_active=True).values_list("pk", flat=True))
            )

    def clean(self):
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("La clôture doit suivre l'ouverture."))
        return data


DECLARATION_STATES = [
    ("not_started", _("Non commencée")),
    ("draft", _("Brouillon")),
    ("submitted", _("Soumise")),
    ("reopened", _("Rouverte")),
]


class CampaignAccountFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("Grand compte")
    )
    state = django_filters.MultipleChoiceFilter(
        field_name="declaration_state",
        choices=DECLARATION_STATES,
        label=_("État de la déclaration"),
        widget=forms.CheckboxSelectMultiple,
    )
    disputed = django_filters.ChoiceFilter(
        method="filter_disputed",
        label=_("Lignes contestées par des PME"),
        choices=[("yes", _("Oui")), ("no", _("Non"))],
        empty_label=_("Indifférent"),
    )

    class Meta:
        model = Organisation
        fields = ["name", "state", "disputed"]

    def filter_disputed(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(disputed_count__gt=0)
        if value == "no":
            return queryset.filter(disputed_count=0)
        return queryset


class VouchForm(forms.Form):
    """A large-account administrator vouches for a contact of an SME it has ordered from."""

    contact = forms.ChoiceField(label=_("Personne que vous connaissez comme représentant la PME"))
    comment = forms.CharField(
        label=_("Commentaire pour l'équipe du programme"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_(
            "Je confirme que notre organisation est en relation avec cette personne au titre "
            "de cette entreprise."
        )
    )

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [(str(u.pk), u.email) for u in contacts]


class SiteForm(forms.Form):
    """A large account's buying site: SIRET (of the account's own SIREN), name, département."""

    siret = forms.CharField(
        label=_("SIRET du site"),
        max_length=30,
        help_text=_("14 chiffres ; les 9 premiers sont le SIREN de votre compte."),
    )
    name = forms.CharField(
        label=_("Nom du site"),
        max_length=200,
        help_text=_("Tel qu'il figurera dans vos fichiers d'import (colonne « Site acheteur »)."),
    )
    departement = forms.ModelChoiceField(
        label=_("Département"), queryset=Departement.objects.order_by("code")
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    @classmethod
    def initial_for(cls, site: Site) -> dict:
        return {"siret": site.siret, "name": site.name, "departement": site.departement_id}

    def clean_siret(self):
        from .sites import check_siret

        return check_siret(self.cleaned_data["siret"], self.organisation)
