from django import forms
from django.utils.translation import gettext_lazy as _

from procurement.models import Campaign


class CampaignChoiceForm(forms.Form):
    annee = forms.ModelChoiceField(
        label=_("Campagne"),
        queryset=Campaign.objects.order_by("-year"),
        to_field_name="year",
        empty_label=None,
        error_messages={"invalid_choice": _("Cette campagne n'existe pas.")},
    )


class GenerateForm(CampaignChoiceForm):
    KINDS = [("programme", _("Rapport du programme")), ("members", _("Rapports des membres"))]
    kind = forms.ChoiceField(label=_("Rapport"), choices=KINDS)


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de la dépublication"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ce motif est conservé avec la version."),
    )
