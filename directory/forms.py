"""Forms of the directory: registration, profile, moderation, and the search parameters."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siren as siren_number

from .models import (
    Departement,
    Domain,
    HeadcountBand,
    Label,
    NafCode,
    RevenueBand,
    SMEProfile,
)
from .reference import GRANTED_LABELS
from .search import MAX_QUERY_LENGTH, Criteria, Sort

YEAR_MIN, YEAR_MAX = 1800, 2100
PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20


class SirenField(forms.CharField):
    """A SIREN typed with or without spaces, dots or dashes; checked with its check digit."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", _("Numéro SIREN"))
        kwargs.setdefault(
            "help_text", _("9 chiffres, par exemple 732 829 320. Les espaces sont acceptés.")
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        siren = siren_number.compact(value or "").replace("-", "").replace(".", "")
        try:
            return siren_number.validate(siren)
        except InvalidLength as exc:
            raise ValidationError(
                _("Un SIREN compte exactement 9 chiffres (vous en avez saisi %(n)s)."),
                code="invalid_length",
                params={"n": len(siren)},
            ) from exc
        except InvalidFormat as exc:
            raise ValidationError(
                _("Un SIREN ne contient que des chiffres."), code="invalid_format"
            ) from exc
        except InvalidChecksum as exc:
            raise ValidationError(
                _(
                    "Ce numéro n'est pas un SIREN valide : sa clé de contrôle est fausse. "
                    "Vérifiez-le sur votre extrait Kbis ou sur l'avis de situation INSEE."
                ),
                code="invalid_checksum",
            ) from exc


class RegistrationForm(forms.Form):
    siren = SirenField()
    name = forms.CharField(
        label=_("Raison sociale"),
        max_length=200,
        required=False,
        help_text=_("Nécessaire seulement si votre PME n'est pas encore inscrite."),
    )
    message = forms.CharField(
        label=_("Message aux administrateurs (si la PME est déjà inscrite)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProfileForm(forms.ModelForm):
    website = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")
    departement = forms.ModelChoiceField(
        queryset=Departement.objects.order_by("code"),
        label=_("Département"),
        required=False,
        help_text=_("La région en est déduite."),
    )
    naf = forms.ModelChoiceField(
        queryset=NafCode.objects.filter(code__regex=r"^[0-9]{2}\.[0-9]{2}[A-Z]$").order_by(
            "nomenclature", "code"
        ),
        label=_("Code NAF"),
        required=False,
        help_text=_("Nomenclature NAF rév. 2 (sous-classes)."),
    )
    domains = forms.ModelMultipleChoiceField(
        queryset=Domain.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Domaines"),
    )
    labels = forms.ModelMultipleChoiceField(
        queryset=Label.objects.exclude(slug__in=GRANTED_LABELS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Labels d'innovation"),
    )

    class Meta:
        model = SMEProfile
        fields = [
            "name",
            "legal_form",
            "website",
            "founded_year",
            "departement",
            "naf",
            "domains",
            "headcount_band",
            "revenue_band",
            "labels",
            "description",
            "keywords",
            "contact_email",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
            "founded_year": forms.NumberInput(attrs={"min": 1900, "max": 2100}),
        }
        help_texts = {
            "description": _("2 000 caractères au plus."),
            "keywords": _("Séparés par des virgules, par exemple : SIEM, audit, pentest."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["naf"].label_from_instance = lambda n: f"{n.code} – {n.label}"
        self.fields["departement"].label_from_instance = lambda d: f"{d.code} – {d.name}"

    def clean_labels(self):
        """Labels the programme granted stay on the profile (the SME does not see them here)."""
        chosen = list(self.cleaned_data["labels"])
        if self.instance.pk:
            chosen += list(self.instance.labels.filter(slug__in=GRANTED_LABELS))
        return chosen


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus (envoyé à la PME)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Sur quoi repose la vérification de l'identité ?"),
        help_text=_("Par exemple : « Kbis du 12/03 conforme, dirigeant = déclarant »."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


PDF_ACCEPT = {"accept": ".pdf,application/pdf"}


class DocumentForm(forms.Form):
    document = forms.FileField(
        label=_("Extrait Kbis ou avis de situation INSEE (PDF, 5 Mo au plus)"),
        widget=forms.ClearableFileInput(attrs=PDF_ACCEPT),
    )


class ArbitrationForm(forms.Form):
    siren = forms.CharField(widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("Qui êtes-vous dans l'entreprise, et pourquoi contestez-vous l'inscription ?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    document = forms.FileField(
        label=_("Justificatif (PDF, 5 Mo au plus, facultatif)"),
        required=False,
        widget=forms.ClearableFileInput(attrs=PDF_ACCEPT),
    )


class ArbitrationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            ("transfer", _("Confier l'administration de la PME au demandeur")),
            ("refuse", _("Refuser la demande")),
        ],
        widget=forms.RadioSelect,
    )
    remove_previous = forms.BooleanField(
        label=_("Retirer aussi les administrateurs actuels de la PME"),
        required=False,
        help_text=_("Sinon, ils en restent membres, sans droits d'administration."),
    )
    reason = forms.CharField(
        label=_("Motif (envoyé aux personnes concernées)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TransferForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail de la personne qui administrera la PME"),
        help_text=_("Elle doit avoir un compte sur le portail."),
    )
    remove_previous = forms.BooleanField(
        label=_("Retirer les administrateurs actuels de la PME"),
        required=False,
        help_text=_("Sinon, ils en restent membres, sans droits d'administration."),
    )
    reason = forms.CharField(
        label=_("Motif (envoyé aux personnes concernées)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReleaseForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus de l'inscription (envoyé à ses membres)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SharedChoicesField(django_filters.fields.MultipleChoiceField):
    """A multiple choice whose copies share its choices: the form of each directory page copies
    its fields, and deep-copying the hundred départements and the domains cost more than the
    rest of the parsing. The choices come from the reference data and are never changed."""

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """Repeatable parameter whose values are checked against the allowed ones (no filtering here:
    directory.search builds the SQL)."""

    field_class = SharedChoicesField

    def filter(self, qs, value):
        return qs


class DirectoryFilterSet(django_filters.FilterSet):
    """Parses the directory's query string. Unknown values are dropped with a message."""

    q = django_filters.CharFilter(label=_("Rechercher"), method="noop")
    region = ChoicesFilter(label=_("Région"))
    departement = ChoicesFilter(label=_("Département"))
    domaine = ChoicesFilter(label=_("Domaine"))
    label = ChoicesFilter(label=_("Label"))
    effectif = ChoicesFilter(label=_("Effectif"), choices=HeadcountBand.choices)
    ca = ChoicesFilter(label=_("Chiffre d'affaires"), choices=RevenueBand.choices)
    annee_min = django_filters.NumberFilter(label=_("Créée depuis"), method="noop")
    annee_max = django_filters.NumberFilter(label=_("Créée jusqu'en"), method="noop")
    tri = django_filters.ChoiceFilter(
        label=_("Trier par"),
        method="noop",
        choices=[
            (Sort.RELEVANCE, _("Pertinence")),
            (Sort.NAME, _("Nom")),
            (Sort.UPDATED, _("Dernière mise à jour")),
        ],
        empty_label=None,
    )

    MULTI = ("region", "departement", "domaine", "label", "effectif", "ca")

    def __init__(self, data, *, reference, **kwargs):
        self.reference = reference
        self.notices: list[str] = []
        data = self._sanitise(data)
        super().__init__(data, queryset=SMEProfile.objects.none(), **kwargs)
        self.filters["region"].extra["choices"] = [(r.code, r.name) for r in reference.regions]
        self.filters["departement"].extra["choices"] = [
            (d.code, d.name) for d in reference.departements
        ]
        self.filters["domaine"].extra["choices"] = [(d.slug, d.name) for d in reference.domains]
        self.filters["label"].extra["choices"] = [(lab.slug, lab.name) for lab in reference.labels]

    def noop(self, qs, name, value):
        return qs

    def _sanitise(self, data):
        """Keep known values only, shorten a very long query; remember what was dropped."""
        allowed = {
            "region": {r.code for r in self.reference.regions},
            "departement": {d.code for d in self.reference.departements},
            "domaine": {d.slug for d in self.reference.domains},
            "label": {lab.slug for lab in self.reference.labels},
            "effectif": set(HeadcountBand.values),
            "ca": set(RevenueBand.values),
        }
        clean = data.copy()
        for name, values in allowed.items():
            given = [v for v in data.getlist(name) if v != ""][:200]
            kept = list(dict.fromkeys(v for v in given if v in values))
            if len(kept) < len(set(given)):
                self.notices.append(
                    _("Valeur inconnue ignorée pour le critère « %(label)s ».")
                    % {"label": self.base_filters[name].label}
                )
            clean.setlist(name, kept)
        q = " ".join(data.get("q", "").split())
        if len(q) > MAX_QUERY_LENGTH:
            self.notices.append(
                _("La recherche a été raccourcie à %(n)s caractères.") % {"n": MAX_QUERY_LENGTH}
            )
            q = q[:MAX_QUERY_LENGTH]
        clean["q"] = q
        return clean

    def criteria(self) -> Criteria:
        form = self.form
        if not form.is_valid():
            for name in list(form.errors):
                label = self.filters[name].label if name in self.filters else name
                self.notices.append(
                    _("Le critère « %(label)s » n'a pas été compris et a été ignoré.")
                    % {"label": label}
                )
        data = form.cleaned_data

        def year(name):
            value = data.get(name)
            if value is None:
                return None
            if not YEAR_MIN <= value <= YEAR_MAX:
                self.notices.append(
                    _("L'année %(value)s est hors limites (%(min)s–%(max)s) et a été ignorée.")
                    % {"value": value, "min": YEAR_MIN, "max": YEAR_MAX}
                )
                return None
            return int(value)

        year_min, year_max = year("annee_min"), year("annee_max")
        if year_min and year_max and year_min > year_max:
            year_min, year_max = year_max, year_min
        domains = {d.slug: d.pk for d in self.reference.domains}
        labels = {lab.slug: lab.pk for lab in self.reference.labels}
        return Criteria(
            q=data.get("q") or "",
            regions=tuple(data.get("region") or ()),
            departements=tuple(data.get("departement") or ()),
            domain_ids=tuple(domains[s] for s in data.get("domaine") or ()),
            label_ids=tuple(labels[s] for s in data.get("label") or ()),
            headcount_bands=tuple(data.get("effectif") or ()),
            revenue_bands=tuple(data.get("ca") or ()),
            year_min=year_min,
            year_max=year_max,
            sort=data.get("tri") or Sort.RELEVANCE,
        )
