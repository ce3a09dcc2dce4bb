from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_ACTIONS, PERCENT


class SignForm(forms.Form):
    """Tick each commitment, then sign with name and role."""

    def __init__(self, *args, commitments, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitments = list(commitments)
        for commitment in self.commitments:
            self.fields[f"commitment_{commitment.pk}"] = forms.BooleanField(
                label=commitment.text,
                required=True,
                error_messages={"required": _("Cochez cet engagement pour signer.")},
            )
        self.fields["signer_name"] = forms.CharField(label=_("Vos nom et prénom"), max_length=200)
        self.fields["signer_role"] = forms.CharField(label=_("Votre fonction"), max_length=200)

    def commitment_ids(self) -> list[int]:
        return [c.pk for c in self.commitments if self.cleaned_data.get(f"commitment_{c.pk}")]


class ContactsForm(forms.Form):
    correspondent_name = forms.CharField(label=_("Correspondant PME : nom"), max_length=200)
    correspondent_email = forms.EmailField(label=_("Correspondant PME : e-mail"))
    mediator_name = forms.CharField(label=_("Médiateur interne : nom"), max_length=200)
    mediator_email = forms.EmailField(label=_("Médiateur interne : e-mail"))


def _percent_target(label) -> forms.DecimalField:
    """A share target in %, optional."""
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=5,
        decimal_places=2,
        validators=PERCENT,
        localize=True,
    )


class TargetsForm(forms.Form):
    sme_share = _percent_target(_("Part PME des achats informatiques (%, au moins)"))
    registered_share = _percent_target(
        _("Part des PME inscrites dans les achats PME (%, au moins)")
    )
    median_payment_delay = forms.IntegerField(
        label=_("Délai de paiement médian (jours, au plus)"),
        required=False,
        min_value=0,
        max_value=365,
    )
    paid_within_60_share = _percent_target(
        _("Part des commandes payées sous 60 jours (%, au moins)")
    )
    smes_met = forms.IntegerField(
        label=_("Nombre de PME rencontrées (au moins)"),
        required=False,
        min_value=0,
        max_value=100000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, MAX_ACTIONS + 1):
            self.fields[f"action_{i}"] = forms.CharField(
                label=_("Action %(n)s") % {"n": i}, required=False, max_length=500
            )

    def actions(self) -> list[str]:
        return [self.cleaned_data.get(f"action_{i}", "") for i in range(1, MAX_ACTIONS + 1)]
