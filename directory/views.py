"""Views of the directory: thin, they parse, call one service or selector, render."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import ratelimit
from accounts.decorators import programme_staff_required
from accounts.models import Membership, Organisation, User

from . import exports, selectors, services
from .forms import (
    DEFAULT_PAGE_SIZE,
    PAGE_SIZES,
    ArbitrationDecisionForm,
    ArbitrationForm,
    DirectoryFilterSet,
    DocumentForm,
    ProfileForm,
    PublishForm,
    RegistrationForm,
    RejectForm,
    ReleaseForm,
    TransferForm,
)
from .maps import region_map_svg
from .models import HeadcountBand, RevenueBand, SMEProfile
from .scope import moderation_scope
from .search import Criteria, FacetCounts, Sort, facet_counts


def can_search(request) -> bool:
    """Large-account members and programme staff search the directory. SME members do not
    (they see their own profile and published profiles' pages): 403."""
    if request.user.is_programme_staff:
        return True
    membership = request.membership or None
    return membership is not None and membership.organisation.is_large_account


def _search_access(request) -> None:
    if not can_search(request):
        raise PermissionDenied


def _parse(request, ref):
    filterset = DirectoryFilterSet(request.GET, reference=ref)
    criteria = filterset.criteria()
    return filterset, criteria


def _url_with(request, **changes) -> str:
    """The current query string with some parameters replaced (None removes them)."""
    params = request.GET.copy()
    params.pop("page", None)
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        elif isinstance(value, list):
            params.setlist(name, value)
        else:
            params[name] = value
    return _search_url(params)


def _search_url(params, base: str | None = None) -> str:
    """The directory's address with `params` (`base`: that address, when already reversed)."""
    query = params.urlencode()
    return (base or reverse("directory:search")) + (f"?{query}" if query else "")


def number(n: int) -> str:
    """12 345 with a narrow no-break space, as French typography wants (cheaper than intcomma)."""
    return f"{n:,}".replace(",", "\u202f")


def _facet_groups(ref, criteria, facets: FacetCounts) -> list[dict]:
    """Facet checkboxes with counts, for the template (selected values always shown)."""

    def group(param, title, options, counts, selected, *, limit=None):
        items = []
        for value, label in options:
            n = counts.get(str(value), 0)
            is_selected = value in selected
            if n or is_selected:
                items.append(
                    {
                        "value": value,
                        "label": label,
                        "count": n,
                        "count_display": number(n),
                        "selected": is_selected,
                    }
                )
        hidden = 0
        if limit and len(items) > limit:
            # The largest values and the selected ones; the rest is one search away.
            keep = sorted(items, key=lambda i: (not i["selected"], -i["count"]))[:limit]
            hidden = len(items) - len(keep)
            items = [i for i in items if i in keep]
        return {"param": param, "title": title, "items": items, "hidden": hidden}

    domain_slugs = {d.pk: d.slug for d in ref.domains}
    label_slugs = {lab.pk: lab.slug for lab in ref.labels}
    return [
        group(
            "region",
            _("Région"),
            [(r.code, r.name) for r in ref.regions],
            facets.of("region"),
            criteria.regions,
        ),
        group(
            "domaine",
            _("Domaine"),
            [(d.slug, d.name) for d in ref.domains],
            {domain_slugs.get(int(k)): v for k, v in facets.of("domain").items()},
            [domain_slugs[i] for i in criteria.domain_ids],
        ),
        group(
            "effectif",
            _("Effectif"),
            HeadcountBand.choices,
            facets.of("headcount"),
            criteria.headcount_bands,
        ),
        group(
            "ca",
            _("Chiffre d'affaires"),
            RevenueBand.choices,
            facets.of("revenue"),
            criteria.revenue_bands,
        ),
        group(
            "label",
            _("Label d'innovation"),
            [(lab.slug, lab.name) for lab in ref.labels],
            {label_slugs.get(int(k)): v for k, v in facets.of("label").items()},
            [label_slugs[i] for i in criteria.label_ids],
        ),
        group(
            "departement",
            _("Département"),
            [
                (d.code, f"{d.code} – {d.name}")
                for d in ref.departements
                if not criteria.regions
                or d.region_id in criteria.regions
                or d.code in criteria.departements
            ],
            facets.of("departement"),
            criteria.departements,
            limit=None if criteria.regions else 15,
        ),
    ]


def search(request):
    _search_access(request)
    ref = selectors.reference()
    filterset, criteria = _parse(request, ref)
    notices = list(filterset.notices)
    page_number = selectors.parse_page(request.GET.get("page"), notices=notices)
    try:
        per_page = int(request.GET.get("taille", DEFAULT_PAGE_SIZE))
    except ValueError:
        per_page = DEFAULT_PAGE_SIZE
    if per_page not in PAGE_SIZES:
        per_page = DEFAULT_PAGE_SIZE
    page = selectors.directory_page(criteria=criteria, page=page_number, per_page=per_page, ref=ref)
    notices += page.notices
    region_counts = page.facets.of("region")

    # `_url_with` for each region, the query string copied once rather than 18 times.
    link_params = request.GET.copy()
    link_params.pop("page", None)
    search_url = reverse("directory:search")

    def region_link(code: str) -> str:
        if list(criteria.regions) == [code]:
            link_params.pop("region", None)
        else:
            link_params.setlist("region", [code])
        return _search_url(link_params, search_url)

    context = {
        "page": page,
        "criteria": criteria,
        "filterset": filterset,
        "notices": notices,
        "facet_groups": _facet_groups(ref, criteria, page.facets),
        "region_rows": [(r, number(region_counts.get(r.code, 0))) for r in ref.regions],
        "total_display": number(page.total),
        "map_svg": region_map_svg(
            region_counts,
            title=_("PME correspondant à la recherche, par région"),
            link=region_link,
            selected=set(criteria.regions),
        ),
        "sort_choices": [
            (Sort.RELEVANCE, _("Pertinence")),
            (Sort.NAME, _("Nom")),
            (Sort.UPDATED, _("Dernière mise à jour")),
        ],
        "page_sizes": PAGE_SIZES,
        "per_page": per_page,
        "query_string": _query_without_page(request),
        "export_query": _query_without_page(request),
        "prev_url": _page_url(request, page.number - 1) if page.number > 1 else None,
        "next_url": _page_url(request, page.number + 1) if page.number < page.num_pages else None,
        "page_links": [
            (n, _page_url(request, n)) for n in _page_window(page.number, page.num_pages)
        ],
        "year_min": criteria.year_min or "",
        "year_max": criteria.year_max or "",
    }
    template = "directory/search.html"
    if request.htmx and not request.htmx.history_restore_request:
        template = "directory/_app.html"
    return render(request, template, context)


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _page_url(request, number: int) -> str:
    params = request.GET.copy()
    params["page"] = str(number)
    return _search_url(params)


def _page_window(current: int, last: int) -> list[int]:
    pages = {1, last, *range(max(1, current - 2), min(last, current + 2) + 1)}
    return sorted(pages)


def export_csv(request):
    _search_access(request)
    ref = selectors.reference()
    _filterset, criteria = _parse(request, ref)
    # Links to the profiles point at the server the person is using (SITE_URL is for emails).
    return exports.csv_response(criteria, ref, site_url=request.build_absolute_uri("/")[:-1])


def export_xlsx(request):
    _search_access(request)
    ref = selectors.reference()
    _filterset, criteria = _parse(request, ref)
    return exports.xlsx_response(criteria, ref, site_url=request.build_absolute_uri("/")[:-1])


@require_GET
def autocomplete(request):
    """htmx fragment: published SMEs whose name or SIREN starts like `q`."""
    _search_access(request)
    query = request.GET.get("q", "")[:100]
    profiles = selectors.autocomplete_profiles(query=query, limit=10)
    return render(
        request,
        "directory/_autocomplete.html",
        {"profiles": profiles, "query": query, "min_chars": selectors.AUTOCOMPLETE_MIN_CHARS},
    )


def detail(request, siren: str):
    profile = selectors.get_profile_for_user(request.user, siren)
    is_member = Membership.objects.filter(
        user=request.user, organisation_id=profile.organisation_id
    ).exists()
    return render(
        request,
        "directory/detail.html",
        {
            "profile": profile,
            "domains": list(profile.domains.all()),
            "labels": list(profile.labels.all()),
            "is_member": is_member,
            "show_contact": bool(request.membership or request.user.is_programme_staff),
            "back_url": reverse("directory:search") if can_search(request) else None,
        },
    )


@login_not_required
def public_map(request):
    """Aggregates only: published SMEs per region and per domain.

    Nothing a member declared is shown here (no order, no amount, no member count): only how many
    SMEs chose to appear in the public directory, so disclosure control has nothing to protect.
    Member figures are published in the programme report, under `reports.published`'s rules.
    """
    ref = selectors.reference()
    facets = facet_counts(Criteria())
    counts = facets.of("region")
    domain_counts = facets.of("domain")
    return render(
        request,
        "directory/public_map.html",
        {
            "total": facets.total,
            "map_svg": region_map_svg(counts, title=_("PME innovantes publiées, par région")),
            "region_rows": [(r, counts.get(r.code, 0)) for r in ref.regions],
            "domain_rows": [(d, domain_counts.get(str(d.pk), 0)) for d in ref.domains],
        },
    )


# --- the SME's own profile ----------------------------------------------------------------------


def _sme_membership(request):
    membership = request.membership or None
    if membership is None or not membership.organisation.is_sme:
        return None
    return membership


def too_many_attempts(request):
    return render(request, "429.html", status=429)


def register(request):
    """Register an SME by SIREN, or ask to join it when it is already registered."""
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow(request, "sme_registration"):
            return too_many_attempts(request)
        try:
            outcome = services.register_or_join(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("name" if exc.code == "name_required" else "siren", exc)
        else:
            request.session["active_organisation_id"] = outcome.organisation.pk
            if outcome.profile is not None:
                messages.success(
                    request, _("Votre PME est inscrite. Complétez maintenant son profil.")
                )
                return redirect("directory:edit_profile")
            if outcome.join_request is None:
                messages.info(request, _("Vous êtes déjà membre de cette PME."))
                return redirect("directory:my_profile")
            return render(
                request,
                "directory/join_requested.html",
                {
                    "organisation": outcome.organisation,
                    "arbitration_form": ArbitrationForm(
                        initial={"siren": outcome.organisation.siren}
                    ),
                },
            )
    return render(request, "directory/register.html", {"form": form})


def request_arbitration(request):
    """Ask programme staff to decide who the SIREN belongs to (POST from the join page)."""
    form = ArbitrationForm(request.POST or None, request.FILES or None)
    organisation = None
    if request.method == "POST" and form.is_valid():
        organisation = Organisation.objects.filter(
            siren=form.cleaned_data["siren"], kind=Organisation.Kind.SME
        ).first()
        if organisation is None:
            raise Http404
        if not ratelimit.allow(request, "sme_arbitration"):
            return too_many_attempts(request)
        try:
            services.request_arbitration(
                user=request.user,
                organisation=organisation,
                message=form.cleaned_data["message"],
                upload=form.cleaned_data.get("document"),
            )
        except ValidationError as exc:
            form.add_error("document" if exc.code in ("not_pdf", "too_large") else None, exc)
        else:
            messages.success(
                request,
                _(
                    "Demande d'arbitrage envoyée à l'équipe du programme ; "
                    "vous recevrez sa décision par e-mail."
                ),
            )
            return redirect("accounts:dashboard")
    elif request.method != "POST":
        return redirect("directory:register")
    return render(
        request,
        "directory/join_requested.html",
        {"organisation": organisation, "arbitration_form": form},
        status=400,
    )


def my_profile(request):
    membership = _sme_membership(request)
    if membership is None:
        if request.user.is_programme_staff:
            return redirect("directory:moderation")
        return redirect("directory:register")
    profile = selectors.profile_of(membership.organisation)
    if profile is None:
        raise Http404
    return render(
        request,
        "directory/my_profile.html",
        {
            "profile": profile,
            "membership": membership,
            "completeness": services.completeness(profile),
            "join_requests": selectors.pending_join_requests(membership.organisation)
            if membership.is_admin
            else [],
            "domains": list(profile.domains.all()),
            "labels": list(profile.labels.all()),
            "can_submit": profile.state in (SMEProfile.State.DRAFT, SMEProfile.State.REJECTED),
            "verified": membership.organisation.is_verified,
            "document": selectors.current_document(membership.organisation),
            "document_form": DocumentForm(),
        },
    )


@require_POST
def upload_document(request):
    """A member of an unverified SME hands in its Kbis extract or INSEE notice (PDF)."""
    membership = _sme_membership(request)
    if membership is None:
        raise PermissionDenied
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.upload_verification_document(
                organisation=membership.organisation,
                upload=form.cleaned_data["document"],
                by=request.user,
            )
        except services.TransitionError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Justificatif reçu : l'équipe du programme le lira avec votre profil."),
            )
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("directory:my_profile")


def edit_profile(request):
    membership = _sme_membership(request)
    if membership is None:
        raise PermissionDenied
    profile = selectors.profile_of(membership.organisation)
    if profile is None:
        raise Http404
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.update_profile(profile=profile, form=form, by=request.user)
        messages.success(request, _("Profil enregistré."))
        return redirect("directory:my_profile")
    return render(request, "directory/edit_profile.html", {"form": form, "profile": profile})


@require_POST
def submit_profile(request):
    membership = _sme_membership(request)
    if membership is None:
        raise PermissionDenied
    profile = selectors.profile_of(membership.organisation)
    if profile is None:
        raise Http404
    try:
        services.submit_for_review(profile=profile, by=request.user)
    except services.TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Profil soumis : l'équipe du programme va l'examiner."))
    return redirect("directory:my_profile")


@require_POST
def decide_join_request(request, pk: int, decision: str):
    if decision not in ("accepter", "refuser"):
        raise Http404
    membership = _sme_membership(request)
    if membership is None or not membership.is_admin:
        raise PermissionDenied
    join_request = selectors.get_join_request_for_admin(request.user, membership.organisation, pk)
    try:
        services.decide_join_request(
            join_request=join_request, by=request.user, accept=decision == "accepter"
        )
    except services.TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Décision enregistrée ; la personne est prévenue par e-mail."))
    return redirect("directory:my_profile")


# --- moderation (programme staff) -----------------------------------------------------------


def _moderation_scope(request):
    """Programme staff (every profile, or one edition's with ?edition=) and federators running an
    edition (their editions' SMEs only); 403 for anyone else, 404 on an edition not theirs."""
    slug = request.GET.get("edition") or request.POST.get("edition") or None
    scope = moderation_scope(request, slug)
    if not scope.allowed:
        raise PermissionDenied
    return scope


def _with_edition(url: str, scope) -> str:
    return f"{url}?{urlencode({'edition': scope.selected.slug})}" if scope.selected else url


def moderation(request):
    scope = _moderation_scope(request)
    queue = selectors.moderation_queue(scope)
    items = [{"profile": p, "changes": services.changes_since_publication(p)} for p in queue]
    return render(request, "directory/moderation.html", {"items": items, "scope": scope})


def moderate(request, pk: int):
    scope = _moderation_scope(request)
    profile = selectors.get_profile_for_moderation(scope, pk)
    edition = ", ".join(scope.editions_of(profile))
    here = _with_edition(reverse("directory:moderate", args=[profile.pk]), scope)
    queue = _with_edition(reverse("directory:moderation"), scope)
    action = request.POST.get("action") if request.method == "POST" else None
    reject_form = RejectForm(request.POST if action == "reject" else None)
    publish_form = PublishForm(request.POST if action in ("publish", "verify") else None)
    verifying = not profile.organisation.is_verified
    if action in ("publish", "reject", "verify"):
        try:
            if action == "verify" and verifying and publish_form.is_valid():
                services.verify_sme(
                    profile=profile,
                    by=request.user,
                    reason=publish_form.cleaned_data["reason"],
                    edition=edition,
                )
                messages.success(request, _("Identité vérifiée ; la PME est prévenue."))
                return redirect(here)
            if action == "publish" and (not verifying or publish_form.is_valid()):
                reason = publish_form.cleaned_data["reason"] if verifying else ""
                services.publish_profile(
                    profile=profile, by=request.user, reason=reason, edition=edition
                )
                messages.success(
                    request,
                    _("Identité vérifiée et profil publié ; la PME est prévenue.")
                    if verifying
                    else _("Profil publié ; la PME est prévenue."),
                )
                return redirect(queue)
            if action == "reject" and reject_form.is_valid():
                services.reject_profile(
                    profile=profile,
                    by=request.user,
                    reason=reject_form.cleaned_data["reason"],
                    edition=edition,
                )
                messages.success(request, _("Profil refusé ; la PME a reçu le motif."))
                return redirect(queue)
        except services.TransitionError as exc:
            messages.error(request, str(exc))
            return redirect(here)
    return render(
        request,
        "directory/moderate.html",
        {
            "profile": profile,
            "scope": scope,
            "edition_names": edition,
            "queue_url": queue,
            "changes": services.changes_since_publication(profile),
            "history": selectors.profile_history(profile),
            "reject_form": reject_form,
            "publish_form": publish_form,
            "verifying": verifying,
            "evidence": selectors.verification_evidence(profile),
            "members": selectors.organisation_members(profile.organisation),
            "domains": list(profile.domains.all()),
            "labels": list(profile.labels.all()),
        },
    )


def verification_document(request, pk: int):
    """The identity document, to programme staff and to the federators of the SME's editions
    (404 for anyone else)."""
    scope = moderation_scope(request)
    document = selectors.get_document_for_staff(request.user, pk, scope=scope)
    response = FileResponse(
        document.file.open("rb"), content_type="application/pdf", filename=document.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def arbitration_document(request, pk: int):
    arbitration = selectors.get_arbitration_for_staff(request.user, pk)
    if not arbitration.document:
        raise Http404
    response = FileResponse(
        arbitration.document.open("rb"),
        content_type="application/pdf",
        filename=arbitration.document_name or "justificatif.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@programme_staff_required
def arbitrations(request):
    return render(
        request, "directory/arbitrations.html", {"arbitrations": selectors.arbitration_queue()}
    )


@programme_staff_required
def arbitration(request, pk: int):
    arbitration = selectors.get_arbitration_for_staff(request.user, pk)
    form = ArbitrationDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.decide_arbitration(
                    arbitration=arbitration,
                    by=request.user,
                    transfer=form.cleaned_data["decision"] == "transfer",
                    reason=form.cleaned_data["reason"],
                    remove_previous=form.cleaned_data["remove_previous"],
                )
            except (services.TransitionError, ValidationError) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(
                    request, _("Décision enregistrée ; chacun est prévenu par e-mail.")
                )
                return redirect("directory:arbitrations")
        status = 400
    organisation = arbitration.organisation
    return render(
        request,
        "directory/arbitration.html",
        {
            "arbitration": arbitration,
            "form": form,
            "members": selectors.organisation_members(organisation),
            "profile": selectors.profile_of(organisation),
        },
        status=status,
    )


@programme_staff_required
def transfer(request, pk: int):
    """Staff hand an SME's administration to another person."""
    organisation = selectors.get_sme_for_staff(request.user, pk)
    form = TransferForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            to_user = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
            if to_user is None:
                form.add_error("email", _("Aucun compte n'existe pour cette adresse."))
            else:
                try:
                    services.transfer_sme_administration(
                        organisation=organisation,
                        to_user=to_user,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                        remove_previous=form.cleaned_data["remove_previous"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(
                        request, _("Administration transférée ; chacun est prévenu par e-mail.")
                    )
                    profile = selectors.profile_of(organisation)
                    if profile is not None:
                        return redirect("directory:moderate", pk=profile.pk)
                    return redirect("directory:moderation")
        status = 400
    return render(
        request,
        "directory/transfer.html",
        {
            "organisation": organisation,
            "form": form,
            "members": selectors.organisation_members(organisation),
        },
        status=status,
    )


@programme_staff_required
def release_siren(request, pk: int):
    """Staff reject an unverified SME registration, which frees its SIREN."""
    organisation = selectors.get_unverified_sme_for_staff(request.user, pk)
    form = ReleaseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                siren = services.release_siren(
                    organisation=organisation, by=request.user, reason=form.cleaned_data["reason"]
                )
            except (services.TransitionError, ValidationError) as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Inscription refusée : le SIREN %(siren)s est libre.") % {"siren": siren},
                )
                return redirect("accounts:large_account_create")
        status = 400
    profile = selectors.profile_of(organisation)
    return render(
        request,
        "directory/release_siren.html",
        {
            "organisation": organisation,
            "profile": profile,
            "evidence": selectors.verification_evidence(profile) if profile else None,
            "members": selectors.organisation_members(organisation),
            "form": form,
        },
        status=status,
    )
