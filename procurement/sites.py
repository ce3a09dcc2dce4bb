"""A large account's buying sites: reading them (scoped to the account), checking a SIRET,
saving and deleting them, and finding one from an import cell (SIRET or name).

A site's SIRET must be valid (python-stdnum: 14 digits, Luhn key) and its first nine digits must
be the account's own SIREN: a site is an establishment of the account, not of a supplier.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.db.models.deletion import ProtectedError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from stdnum.exceptions import ValidationError as NumberError
from stdnum.fr import siret as siret_number

from accounts.models import Organisation, User
from directory.models import Departement

from .models import Site


class SiteError(ValidationError):
    """The site cannot be saved or deleted (message shown to the user)."""


def clean_siret(value: object) -> str:
    """The digits of a SIRET typed with spaces, dots or dashes ("732 829 320 00074")."""
    return re.sub(r"[\s.\-\u00a0\u202f]", "", str(value or ""))


def fold_name(value: object) -> str:
    """A site's name compared ignoring case, accents and repeated spaces."""
    text = unicodedata.normalize("NFKD", str(value or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(text.split())


def check_siret(value: object, organisation: Organisation) -> str:
    """The SIRET's 14 digits, or a ValidationError saying what is wrong with it."""
    siret = clean_siret(value)
    if not siret.isdigit() or len(siret) != 14:
        raise ValidationError(
            _("« %(value)s » n'est pas un SIRET : 14 chiffres attendus."),
            code="siret_format",
            params={"value": str(value)[:40]},
        )
    try:
        siret_number.validate(siret)
    except NumberError as exc:
        raise ValidationError(
            _("Le SIRET %(value)s est invalide (clé de contrôle) : vérifiez-le."),
            code="siret_key",
            params={"value": siret},
        ) from exc
    if siret[:9] != organisation.siren:
        raise ValidationError(
            _(
                "Ce SIRET est celui d'un établissement d'une autre entreprise : ses 9 premiers "
                "chiffres (%(siren)s) doivent être le SIREN de %(name)s (%(own)s)."
            ),
            code="siret_other_siren",
            params={"siren": siret[:9], "name": organisation.name, "own": organisation.siren},
        )
    return siret


# --- reading ----------------------------------------------------------------------------------


def account_sites(organisation: Organisation) -> QuerySet[Site]:
    """The account's sites with how many lines name each, by name."""
    return (
        Site.objects.filter(organisation=organisation)
        .select_related("departement")
        .annotate(line_count=Count("lines"))
        .order_by("name", "siret", "pk")
    )


def get_site_for_user(request: HttpRequest, pk: int) -> Site:
    """A site of the active organisation, or 404 (another account's site included)."""
    organisation = getattr(request, "organisation", None)
    if organisation is None:
        raise Http404
    site = (
        Site.objects.filter(organisation=organisation, pk=pk).select_related("departement").first()
    )
    if site is None:
        raise Http404
    return site


@dataclass(frozen=True)
class SiteMatcher:
    """Finds an account's site from an import cell: a SIRET (spaces allowed) or the exact name
    (ignoring case and accents)."""

    by_siret: dict[str, int]
    by_name: dict[str, int]

    @classmethod
    def for_organisation(cls, organisation_id: int) -> SiteMatcher:
        rows = list(
            Site.objects.filter(organisation_id=organisation_id).values_list("pk", "siret", "name")
        )
        return cls(
            by_siret={siret: pk for pk, siret, _name in rows},
            by_name={fold_name(name): pk for pk, _siret, name in rows},
        )

    def find(self, value: object) -> int | None:
        digits = clean_siret(value)
        if digits.isdigit() and digits in self.by_siret:
            return self.by_siret[digits]
        return self.by_name.get(fold_name(value))


# --- changing ---------------------------------------------------------------------------------


def _check_unique(*, organisation: Organisation, siret: str, name: str, site: Site | None) -> None:
    others = Site.objects.filter(organisation=organisation)
    if site is not None:
        others = others.exclude(pk=site.pk)
    if others.filter(siret=siret).exists():
        raise SiteError(_("Un site de votre compte a déjà ce SIRET."), code="siret_taken")
    folded = fold_name(name)
    if any(fold_name(other) == folded for other in others.values_list("name", flat=True)):
        raise SiteError(
            _(
                "Un site de votre compte porte déjà ce nom (les imports trouvent un site par son nom)."
            ),
            code="name_taken",
        )


def save_site(
    *,
    organisation: Organisation,
    siret: str,
    name: str,
    departement: Departement,
    by: User,
    site: Site | None = None,
) -> Site:
    """Create a site of the account, or change `site` (of the same account)."""
    if not organisation.is_large_account:
        raise SiteError(_("Seul un grand compte déclare des sites."))
    if site is not None and site.organisation_id != organisation.pk:
        raise Http404
    siret = check_siret(siret, organisation)
    name = " ".join(name.split())
    _check_unique(organisation=organisation, siret=siret, name=name, site=site)
    site = site or Site(organisation=organisation)
    site.siret = siret
    site.name = name
    site.departement = departement
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError as exc:  # a concurrent save of the same SIRET or name
        raise SiteError(_("Un site de votre compte a déjà ce SIRET ou ce nom.")) from exc
    return site


def delete_site(*, site: Site, by: User) -> None:
    """Delete a site no line names (lines keep their site: PROTECT)."""
    count = site.lines.count()
    if count:
        raise SiteError(
            ngettext(
                "%(count)s ligne de commande nomme ce site : il ne peut pas être supprimé.",
                "%(count)s lignes de commande nomment ce site : il ne peut pas être supprimé.",
                count,
            )
            % {"count": count}
        )
    try:
        with transaction.atomic():
            site.delete()
    except ProtectedError as exc:  # a line named it meanwhile
        raise SiteError(
            _("Des lignes de commande nomment ce site : il ne peut pas être supprimé.")
        ) from exc
