"""The charter's pages: public text and signatories, signing, certificate, contacts, targets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.decorators import large_account_required, organisation_admin_required
from procurement.models import Campaign

from . import certificates, markup, selectors, services
from .forms import ContactsForm, SignForm, TargetsForm
from .models import MAX_ACTIONS, CharterVersion


def _public(request, kind: str):
    version = selectors.current_version(kind)
    return render(
        request,
        "charter/public.html",
        {
            "kind": kind,
            "version": version,
            "body": markup.render(version.body) if version else "",
            "signatories": selectors.public_signatories(kind),
        },
    )


@login_not_required
def public_charter(request):
    return _public(request, CharterVersion.Kind.MEMBERS)


@login_not_required
def public_providers_charter(request):
    return _public(request, CharterVersion.Kind.PROVIDERS)


@organisation_admin_required
def sign(request):
    organisation = request.organisation
    kind = selectors.kind_for(organisation)
    standing = selectors.standing(organisation, kind)
    version = standing.current
    if version is None:
        raise Http404
    form = None
    if not standing.up_to_date:
        form = SignForm(request.POST or None, commitments=version.commitments.all())
        if request.method == "POST" and form.is_valid():
            try:
                services.sign(
                    organisation=organisation,
                    version=version,
                    by=request.user,
                    signer_name=form.cleaned_data["signer_name"],
                    signer_role=form.cleaned_data["signer_role"],
                    commitment_ids=form.commitment_ids(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _(
                        "La charte est signée. Le certificat de signature vous est envoyé par e-mail."
                    ),
                )
                return redirect("charter:sign")
    return render(
        request,
        "charter/sign.html",
        {
            "standing": standing,
            "version": version,
            "body": markup.render(version.body),
            "form": form,
            "signatures": organisation.charter_signatures.select_related("version").order_by(
                "-signed_at"
            ),
            "contacts": selectors.contacts_of(organisation.pk),
        },
        status=400 if form is not None and form.errors else 200,
    )


def certificate(request, pk):
    signature = selectors.get_signature_for_user(request, pk)
    path = certificates.certificate_path(signature)
    if not signature.certificate or not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"certificat-charte-v{signature.version.number}.pdf",
        content_type="application/pdf",
    )


@large_account_required
def contacts(request):
    organisation = request.organisation
    current = selectors.contacts_of(organisation.pk)
    if not request.membership.is_admin:
        if request.method == "POST":
            raise PermissionDenied
        form = None
    else:
        initial = {}
        if current:
            initial = {
                f: getattr(current, f)
                for f in ContactsForm.base_fields  # same names as the model's
            }
        form = ContactsForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            services.save_contacts(organisation=organisation, by=request.user, **form.cleaned_data)
            messages.success(request, _("Les contacts sont enregistrés."))
            return redirect("charter:contacts")
    return render(
        request,
        "charter/contacts.html",
        {"contacts": current, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@large_account_required
def targets_home(request):
    campaigns = Campaign.objects.exclude(state=Campaign.State.PREPARING).order_by("-year")
    return render(request, "charter/targets_home.html", {"campaigns": campaigns})


@large_account_required
def targets(request, campaign_pk):
    organisation = request.organisation
    campaign = selectors.get_campaign(campaign_pk)
    if campaign.state == Campaign.State.PREPARING:
        raise Http404
    current = selectors.targets_for(organisation, campaign)
    editable = request.membership.is_admin and services.can_set_targets(organisation, campaign)
    form = None
    if request.method == "POST" and not editable:
        raise PermissionDenied
    if editable:
        initial = {}
        if current:
            initial = {f: getattr(current, f) for f in TargetsForm.base_fields}
            initial.update(
                {f"action_{i}": a for i, a in enumerate(current.actions[:MAX_ACTIONS], 1)}
            )
        form = TargetsForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = {f: form.cleaned_data[f] for f in TargetsForm.base_fields}
            try:
                services.save_targets(
                    organisation=organisation,
                    campaign=campaign,
                    by=request.user,
                    actions=form.actions(),
                    **data,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Les objectifs sont enregistrés."))
                return redirect(reverse("charter:targets", args=[campaign.pk]))
    return render(
        request,
        "charter/targets.html",
        {
            "campaign": campaign,
            "targets": current,
            "form": form,
            "results": selectors.target_results(organisation, campaign),
        },
        status=400 if form is not None and form.errors else 200,
    )
