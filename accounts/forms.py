from allauth.mfa.webauthn.forms import AddWebAuthnForm, EditWebAuthnForm
from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Role, User


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"), max_length=254)
    role = forms.ChoiceField(
        label=_("Rôle"), choices=Role.choices, initial=Role.MEMBER, widget=forms.RadioSelect
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)


class PublicNamingForm(forms.Form):
    public_naming = forms.BooleanField(
        label=_("Nos chiffres peuvent être nommés dans le rapport public"),
        required=False,
        help_text=_("Sinon, le compte apparaît anonymisé (« Membre A »)."),
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StaffOrganisationForm(forms.ModelForm):
    """An organisation that staff create (a large account, a federator), with its first
    administrator's email."""

    # Wider than the model field so that « 552 120 222 » reaches clean_siren, which drops spaces.
    siren = forms.CharField(label=_("SIREN"), max_length=20, help_text=_("9 chiffres."))
    admin_email = forms.EmailField(
        label=_("E-mail du premier administrateur"),
        help_text=_("Cette personne recevra une invitation valable 14 jours."),
    )

    class Meta:
        model = Organisation
        # "Signataire depuis" is kept by the charter app from the online signatures.
        fields = ["name", "siren", "sector", "joined_on", "public_naming"]
        widgets = {"joined_on": DateInput()}

    def __init__(self, *args, kind: str = Organisation.Kind.LARGE_ACCOUNT, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != Organisation.Kind.LARGE_ACCOUNT:
            # Being named in the public report is a large account's choice.
            del self.fields["public_naming"]
            self.fields["sector"].help_text = _(
                "Par exemple : chambre de commerce, métropole, fédération professionnelle."
            )

    def clean_siren(self) -> str:
        return "".join((self.cleaned_data.get("siren") or "").split())

    def _post_clean(self):
        # The Organisation's kind is set by the service; validate the rest here.
        self.instance.kind = self.kind
        super()._post_clean()

    def validate_unique(self):
        """An unverified SME registration holding the SIREN is a conflict that staff resolve (the
        service says so and the page offers to release it), not a plain duplicate."""
        siren = self.cleaned_data.get("siren")
        held = Organisation.objects.filter(siren=siren).first() if siren else None
        if held is not None and held.is_sme and not held.is_verified:
            try:
                self.instance.validate_unique(exclude=self._get_validation_exclusions() | {"siren"})
            except forms.ValidationError as error:
                self._update_errors(error)
            return
        super().validate_unique()


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Nom ou SIREN"), required=False, max_length=100)


class AcceptInvitationForm(forms.Form):
    """A newcomer names themselves and chooses a password."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Confirmez le mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        elif password1:
            candidate = User(
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class JournalFilterForm(forms.Form):
    """Filters of the staff journal (every field optional)."""

    actor = forms.CharField(label=_("Auteur (e-mail)"), required=False, max_length=254)
    action = forms.ChoiceField(label=_("Action"), required=False)
    organisation = forms.CharField(
        label=_("Organisation (nom ou SIREN)"), required=False, max_length=200
    )
    since = forms.DateField(label=_("Du"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Au"), required=False, widget=DateInput())

    def __init__(self, *args, action_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Toutes")), *action_choices]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("La date de fin précède la date de début."))
        return cleaned

    def filters(self) -> dict:
        """The valid filters (an invalid field filters nothing and shows its error)."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "actor": data.get("actor") or "",
            "action": data.get("action") or "",
            "organisation": data.get("organisation") or "",
            "since": data.get("since"),
            "until": data.get("until"),
        }


# --- Two-factor authentication: allauth's security-key forms with French labels -------------


class AddSecurityKeyForm(AddWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Nom de la clé (facultatif)")
        self.fields["name"].help_text = _("Pour la reconnaître : « Clé du bureau », « Téléphone »…")


class EditSecurityKeyForm(EditWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Nom de la clé")
