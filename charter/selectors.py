"""Reading the charter: current versions, who signed, who must renew, targets against figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from procurement import figures
from procurement.models import Campaign, Declaration

from .models import CharterVersion, Contacts, Signature, Targets

MIN_MEMBERS = figures.MIN_MEMBERS


def current_version(kind: str) -> CharterVersion | None:
    """The latest published version of a charter (None before the first publication)."""
    return (
        CharterVersion.objects.filter(kind=kind, published_at__isnull=False)
        .prefetch_related("commitments")
        .order_by("-number")
        .first()
    )


def kind_for(organisation: Organisation) -> str:
    if organisation.is_sme:
        return CharterVersion.Kind.PROVIDERS
    return CharterVersion.Kind.MEMBERS


@dataclass(frozen=True)
class Standing:
    """Where an organisation stands with its charter."""

    current: CharterVersion | None
    latest: Signature | None
    since: object  # date of the first signature, or None

    @property
    def signed(self) -> bool:
        return self.latest is not None

    @property
    def up_to_date(self) -> bool:
        return self.latest is not None and self.latest.version_id == getattr(
            self.current, "pk", None
        )

    @property
    def to_renew(self) -> bool:
        """Signed an earlier version than the one in force: « à renouveler »."""
        return self.signed and self.current is not None and not self.up_to_date


def standing(organisation: Organisation, kind: str | None = None) -> Standing:
    kind = kind or kind_for(organisation)
    signatures = Signature.objects.filter(organisation=organisation, version__kind=kind)
    latest = signatures.select_related("version").order_by("-version__number").first()
    first = signatures.aggregate(first=Min("signed_at"))["first"]
    return Standing(
        current=current_version(kind), latest=latest, since=first.date() if first else None
    )


def public_signatories(kind: str) -> QuerySet[Organisation]:
    """Signatories shown on the public page: large accounts that agreed to be named; for the
    providers' charter, verified SMEs (their badge is public in the directory anyway)."""
    qs = Organisation.objects.filter(charter_signatures__version__kind=kind)
    if kind == CharterVersion.Kind.MEMBERS:
        qs = qs.filter(public_naming=True, kind=Organisation.Kind.LARGE_ACCOUNT)
    else:
        qs = qs.filter(kind=Organisation.Kind.SME, verified_at__isnull=False)
    return qs.annotate(signed_since=Min("charter_signatures__signed_at")).order_by("name")


def organisations_to_renew(kind: str = CharterVersion.Kind.MEMBERS) -> QuerySet[Signature]:
    """The latest signature of each signatory whose latest signed version is not the current
    one (one row per organisation)."""
    current = current_version(kind)
    if current is None:
        return Signature.objects.none()
    up_to_date = Signature.objects.filter(version=current).values("organisation_id")
    return (
        Signature.objects.filter(version__kind=kind)
        .exclude(organisation_id__in=up_to_date)
        .order_by("organisation_id", "-version__number")
        .distinct("organisation_id")
    )


def contacts_of(organisation_id: int) -> Contacts | None:
    return Contacts.objects.filter(organisation_id=organisation_id).first()


def contacts_by_organisation(organisation_ids) -> dict[int, Contacts]:
    return {
        c.organisation_id: c for c in Contacts.objects.filter(organisation_id__in=organisation_ids)
    }


def get_signature_for_user(request: HttpRequest, pk) -> Signature:
    """A signature of the active organisation (staff: any); 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    qs = Signature.objects.select_related("organisation", "version")
    if not request.user.is_programme_staff:
        organisation = request.organisation or None
        if organisation is None:
            raise Http404
        qs = qs.filter(organisation=organisation)
    try:
        return qs.get(pk=pk)
    except Signature.DoesNotExist as exc:
        raise Http404 from exc


def get_campaign(pk) -> Campaign:
    try:
        return Campaign.objects.get(pk=int(pk))
    except (TypeError, ValueError, Campaign.DoesNotExist) as exc:
        raise Http404 from exc


def targets_for(organisation: Organisation, campaign: Campaign) -> Targets | None:
    return Targets.objects.filter(organisation=organisation, campaign=campaign).first()


def submitted(organisation: Organisation, campaign: Campaign) -> bool:
    return Declaration.objects.filter(
        organisation=organisation, campaign=campaign, state=Declaration.State.SUBMITTED
    ).exists()


# --- targets against the declared figures ----------------------------------------------------

MET = "met"
NOT_MET = "not_met"
NOT_MEASURABLE = "not_measurable"
STATUS_LABELS = {
    MET: _("atteint"),
    NOT_MET: _("non atteint"),
    NOT_MEASURABLE: _("non mesurable"),
}


@dataclass(frozen=True)
class TargetSpec:
    name: str  # field of Targets
    label: str
    unit: str
    at_least: bool  # met when the figure is >= the target (else <=)
    figure: str | None  # attribute of procurement.figures.KeyFigures; None: not declared


TARGET_SPECS = [
    TargetSpec("sme_share", _("Part PME des achats informatiques"), "%", True, "sme_share"),
    TargetSpec(
        "registered_share",
        _("Part des PME inscrites dans les achats PME"),
        "%",
        True,
        "registered_share",
    ),
    TargetSpec(
        "median_payment_delay",
        _("Délai de paiement médian"),
        _("jours"),
        False,
        "median_payment_delay",
    ),
    TargetSpec(
        "paid_within_60_share",
        _("Part des commandes payées sous 60 jours"),
        "%",
        True,
        "paid_within_60_share",
    ),
    # Meetings with SMEs are not declared: this target is shown, never measured.
    TargetSpec("smes_met", _("Nombre de PME rencontrées"), "", True, None),
]


@dataclass(frozen=True)
class TargetResult:
    name: str
    label: str
    unit: str
    target: Decimal | int
    actual: Decimal | None
    status: str
    at_least: bool

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def compare(targets: Targets, key: figures.KeyFigures | None) -> list[TargetResult]:
    """Each target that was set, against the declared figure (None: nothing submitted)."""
    results = []
    for spec in TARGET_SPECS:
        target = getattr(targets, spec.name)
        if target is None:
            continue
        actual = getattr(key, spec.figure) if key is not None and spec.figure else None
        if actual is None:
            status = NOT_MEASURABLE
        else:
            actual = Decimal(actual).quantize(Decimal("0.1"))
            met = actual >= target if spec.at_least else actual <= target
            status = MET if met else NOT_MET
        results.append(
            TargetResult(
                name=spec.name,
                label=spec.label,
                unit=spec.unit,
                target=target,
                actual=actual,
                status=status,
                at_least=spec.at_least,
            )
        )
    return results


def target_results(organisation: Organisation, campaign: Campaign) -> list[TargetResult] | None:
    """The member's targets against its submitted figures; None when no target was set or the
    declaration is not submitted yet (the figures of a draft are not compared)."""
    targets = targets_for(organisation, campaign)
    if targets is None or not submitted(organisation, campaign):
        return None
    key = figures.key_figures(campaign, organisation_id=organisation.pk)
    return compare(targets, key)


@dataclass(frozen=True)
class TargetCount:
    label: str
    members_with_target: int
    members_met: int | None  # None: fewer than MIN_MEMBERS members set this target (suppressed)


def programme_target_counts(campaign: Campaign) -> list[TargetCount]:
    """How many members met each target, anonymously; a count describing fewer than
    `MIN_MEMBERS` members (set the target and submitted) is not shown."""
    submitted_ids = set(
        Declaration.objects.filter(
            campaign=campaign, state=Declaration.State.SUBMITTED
        ).values_list("organisation_id", flat=True)
    )
    rows = list(
        Targets.objects.filter(campaign=campaign, organisation_id__in=submitted_ids).order_by(
            "organisation_id"
        )
    )
    per_member = {
        t.organisation_id: {
            r.name: r
            for r in compare(t, figures.key_figures(campaign, organisation_id=t.organisation_id))
        }
        for t in rows
    }
    counts = []
    for spec in TARGET_SPECS:
        if spec.figure is None:
            continue
        results = [r[spec.name] for r in per_member.values() if spec.name in r]
        measured = [r for r in results if r.status != NOT_MEASURABLE]
        shown = len(measured) >= MIN_MEMBERS
        counts.append(
            TargetCount(
                label=spec.label,
                members_with_target=len(measured) if shown else 0,
                members_met=sum(r.status == MET for r in measured) if shown else None,
            )
        )
    return counts


def member_report_targets(*, organisation_id: int, campaign_id: int) -> list[TargetResult] | None:
    """What the member report shows of the charter: the targets against the submitted figures."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if organisation is None or campaign is None:
        return None
    return target_results(organisation, campaign)


def programme_report_charter(*, campaign_id: int) -> dict:
    """What the programme report shows of the charter: members meeting each target (small counts
    suppressed) and the disputes' time to resolve."""
    from procurement.disputes import time_to_resolve

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return {"target_counts": [], "disputes": None}
    return {
        "target_counts": programme_target_counts(campaign),
        "disputes": time_to_resolve(campaign),
    }
