import pytest
from django.urls import reverse

from directory.models import Domain, ProfileChange, SMEProfile
from tests.factories import SMEProfileFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def _complete_form(profile, **changes):
    data = {
        "name": profile.name,
        "legal_form": "SAS",
        "website": "https://exemple.fr",
        "founded_year": "2018",
        "departement": "35",
        "naf": "",
        "domains": [Domain.objects.get(slug="cybersecurite").pk],
        "headcount_band": "11",
        "revenue_band": "0_5_2m",
        "labels": [],
        "description": "Supervision de sécurité pour les collectivités.",
        "keywords": "SOC, SIEM",
        "contact_email": "contact@exemple.fr",
    }
    data.update(changes)
    return data


def test_sme_fills_profile_submits_and_staff_publishes_with_emails(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    profile = SMEProfileFactory(draft=True, departement=None, region=None, description="")
    admin = member_of(profile.organisation, admin=True)
    client.force_login(admin)
    page = client.get(reverse("directory:my_profile")).content.decode()
    assert "Il manque" in page and "département" in page
    response = client.post(reverse("directory:edit_profile"), _complete_form(profile))
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.region_id == "53"  # Ille-et-Vilaine → Bretagne
    assert profile.domain_names == "Cybersécurité"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("directory:submit_profile"))
    profile.refresh_from_db()
    assert profile.state == SMEProfile.State.PENDING
    assert mailoutbox[-1].to == [admin.email]

    staff = UserFactory(staff=True)
    client.force_login(staff)
    queue = client.get(reverse("directory:moderation")).content.decode()
    assert profile.name in queue and "première publication" in queue
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("directory:moderate", args=[profile.pk]), {"action": "publish"})
    profile.refresh_from_db()
    assert profile.state == SMEProfile.State.PUBLISHED
    assert "publié" in mailoutbox[-1].subject
    assert mailoutbox[-1].to == [admin.email]


def test_incomplete_profile_cannot_be_submitted(client):
    profile = SMEProfileFactory(draft=True, departement=None, region=None)
    client.force_login(member_of(profile.organisation, admin=True))
    response = client.post(reverse("directory:submit_profile"), follow=True)
    assert "Complétez d&#x27;abord" in response.content.decode()
    profile.refresh_from_db()
    assert profile.state == SMEProfile.State.DRAFT


def test_staff_rejects_with_reason_shown_and_emailed(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    profile = SMEProfileFactory(pending=True)
    admin = member_of(profile.organisation, admin=True)
    client.force_login(UserFactory(staff=True))
    url = reverse("directory:moderate", args=[profile.pk])
    response = client.post(url, {"action": "reject", "reason": ""})
    assert response.status_code == 200  # the reason is required
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "reject", "reason": "Description trop vague."})
    profile.refresh_from_db()
    assert profile.state == SMEProfile.State.REJECTED
    assert "Description trop vague." in mailoutbox[-1].body
    client.force_login(admin)
    assert "Description trop vague." in client.get(reverse("directory:my_profile")).content.decode()


def test_queue_is_oldest_first_and_shows_changed_fields(client):
    from django.utils import timezone

    old = SMEProfileFactory(pending=True, name="Ancienne")
    SMEProfile.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - timezone.timedelta(days=3),
        published_snapshot={"name": "Ancienne", "description": "Ancien texte."},
    )
    SMEProfileFactory(pending=True, name="Récente")
    client.force_login(UserFactory(staff=True))
    page = client.get(reverse("directory:moderation")).content.decode()
    assert page.index("Ancienne") < page.index("Récente")
    assert "Ancien texte." in page  # before → after of the description


def test_edit_of_published_profile_stays_published_and_is_in_history(client):
    profile = SMEProfileFactory()
    user = member_of(profile.organisation)
    client.force_login(user)
    client.post(
        reverse("directory:edit_profile"),
        _complete_form(profile, description="Nouvelle description."),
    )
    profile.refresh_from_db()
    assert profile.state == SMEProfile.State.PUBLISHED
    change = ProfileChange.objects.get(profile=profile, kind=ProfileChange.Kind.EDITED)
    assert change.by == user
    assert change.changes["description"][1] == "Nouvelle description."
    client.force_login(UserFactory(staff=True))
    page = client.get(reverse("directory:moderate", args=[profile.pk])).content.decode()
    assert "Nouvelle description." in page and user.email in page


def test_moderation_is_for_staff_only(client):
    profile = SMEProfileFactory(pending=True)
    client.force_login(member_of(profile.organisation, admin=True))
    assert client.get(reverse("directory:moderation")).status_code == 403
    assert (
        client.post(
            reverse("directory:moderate", args=[profile.pk]), {"action": "publish"}
        ).status_code
        == 403
    )
    client.logout()
    response = client.get(reverse("directory:moderation"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_renaming_a_domain_updates_what_profiles_are_searched_by():
    from directory.services import refresh_domain_names

    domain = Domain.objects.get(slug="iot")
    p = SMEProfileFactory(domains=[domain, Domain.objects.get(slug="telecom")])
    domain.name = "Internet des objets"
    domain.save()
    refresh_domain_names(domain=domain)
    p.refresh_from_db()
    assert "Internet des objets" in p.domain_names and "Télécoms" in p.domain_names
    from directory.search import search_query

    assert SMEProfile.objects.filter(pk=p.pk, search_vector=search_query("internet")).exists()


def test_profile_card_tag_shows_state_and_what_is_missing():
    from django.template import Context, Template

    profile = SMEProfileFactory(draft=True, website="", keywords="")
    html = Template("{% load directory_tags %}{% sme_profile_card org %}").render(
        Context({"org": profile.organisation})
    )
    assert "Brouillon" in html and "site web" in html and "mots-clés" in html
