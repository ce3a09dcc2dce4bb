"""Who sees what: answers are private to the buyer's account and staff; another organisation's
ids answer 404; anonymous visitors go to the login page, except for the public awarded list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from challenges import services
from challenges.models import Answer, Challenge
from tests.factories import (
    AnswerFactory,
    ChallengeFactory,
    OrganisationFactory,
    SMEProfileFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def answered(challenge, sme, sme_user):
    pdf = SimpleUploadedFile("offre.pdf", b"%PDF-1.4 secret", content_type="application/pdf")
    return services.submit_answer(
        challenge=challenge, organisation=sme, by=sme_user, text="Notre réponse secrète", upload=pdf
    )


@pytest.mark.parametrize(
    "name",
    ["challenges:list", "challenges:my_answers", "challenges:create", "challenges:staff_list"],
)
def test_anonymous_visitor_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/compte/login/" in response["Location"]


def test_anonymous_visitor_is_sent_to_login_on_a_challenge(client, challenge):
    response = client.get(reverse("challenges:detail", args=[challenge.pk]))
    assert response.status_code == 302 and "/compte/login/" in response["Location"]


def test_public_awarded_list_shows_only_challenges_the_buyer_agreed_to_name(client, buyer_org):
    named = ChallengeFactory(buyer=buyer_org, state=Challenge.State.AWARDED, public_naming=True)
    AnswerFactory(
        challenge=named,
        organisation=OrganisationFactory(sme=True, name="Lauréate SAS"),
        state=Answer.State.AWARDED,
    )
    ChallengeFactory(
        buyer=buyer_org, state=Challenge.State.AWARDED, public_naming=False, title="Discret"
    )
    ChallengeFactory(buyer=buyer_org, public_naming=True, title="Encore ouvert")
    response = client.get(reverse("challenges:awarded"))
    assert response.status_code == 200
    body = response.content.decode()
    assert named.title in body and "Lauréate SAS" in body
    assert "Discret" not in body and "Encore ouvert" not in body


def test_buyer_sees_answers_and_downloads_the_document(client, buyer, challenge, answered):
    _login(client, buyer)
    response = client.get(reverse("challenges:detail", args=[challenge.pk]))
    assert "Notre réponse secrète" in response.content.decode()
    response = client.get(reverse("challenges:answer_document", args=[answered.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_another_large_account_gets_404_on_challenge_answers_and_documents(
    client, challenge, answered
):
    other = member_of(OrganisationFactory(), admin=True)
    _login(client, other)
    assert client.get(reverse("challenges:detail", args=[challenge.pk])).status_code == 404
    assert client.get(reverse("challenges:answer_document", args=[answered.pk])).status_code == 404
    response = client.post(reverse("challenges:answer_decide", args=[answered.pk, "retenir"]))
    assert response.status_code == 404
    assert client.post(reverse("challenges:close", args=[challenge.pk])).status_code == 404
    assert Answer.objects.get(pk=answered.pk).state == Answer.State.SUBMITTED


def test_another_sme_sees_the_challenge_but_not_the_answers(client, challenge, answered, cyber):
    other = member_of(SMEProfileFactory(domains=[cyber]).organisation, admin=True)
    _login(client, other)
    response = client.get(reverse("challenges:detail", args=[challenge.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Notre réponse secrète" not in body
    assert challenge.confidential_text not in body
    assert client.get(reverse("challenges:answer_document", args=[answered.pk])).status_code == 404
    assert "Notre réponse" not in client.get(reverse("challenges:my_answers")).content.decode()


def test_sme_and_research_do_not_see_drafts_or_challenges_under_review(client, buyer_org, sme_user):
    draft = ChallengeFactory(buyer=buyer_org, draft=True)
    review = ChallengeFactory(buyer=buyer_org, review=True)
    research = member_of(OrganisationFactory(research=True))
    for user in (sme_user, research):
        _login(client, user)
        for challenge in (draft, review):
            assert client.get(reverse("challenges:detail", args=[challenge.pk])).status_code == 404


def test_respondent_sees_its_own_answer_and_its_state(client, challenge, answered, sme_user):
    _login(client, sme_user)
    body = client.get(reverse("challenges:detail", args=[challenge.pk])).content.decode()
    assert "Notre réponse secrète" in body
    assert client.get(reverse("challenges:answer_document", args=[answered.pk])).status_code == 200
    # The respondent cannot decide on its own answer.
    response = client.post(reverse("challenges:answer_decide", args=[answered.pk, "attribuer"]))
    assert response.status_code == 403


def test_research_organisation_sees_only_its_own_answers(client, challenge, answered):
    research = OrganisationFactory(research=True)
    user = member_of(research)
    own = services.submit_answer(challenge=challenge, organisation=research, by=user, text="Labo")
    _login(client, user)
    page = client.get(reverse("challenges:my_answers")).content.decode()
    assert challenge.title in page
    assert client.get(reverse("challenges:answer_document", args=[answered.pk])).status_code == 404
    assert own.pk != answered.pk


def test_confidential_text_reaches_shortlisted_respondents_only_when_the_buyer_chose_so(
    client, challenge, answered, buyer, sme_user
):
    _login(client, sme_user)
    url = reverse("challenges:detail", args=[challenge.pk])
    assert challenge.confidential_text not in client.get(url).content.decode()
    services.decide_answer(answer=answered, by=buyer, state=Answer.State.SHORTLISTED)
    assert challenge.confidential_text in client.get(url).content.decode()
    Challenge.objects.filter(pk=challenge.pk).update(
        confidentiality=Challenge.Confidentiality.NOBODY
    )
    assert challenge.confidential_text not in client.get(url).content.decode()


def test_staff_see_every_challenge_and_answer(client, staff, challenge, answered, buyer_org):
    draft = ChallengeFactory(buyer=buyer_org, draft=True)
    _login(client, staff)
    assert client.get(reverse("challenges:detail", args=[draft.pk])).status_code == 200
    body = client.get(reverse("challenges:detail", args=[challenge.pk])).content.decode()
    assert "Notre réponse secrète" in body
    assert client.get(reverse("challenges:staff_list")).status_code == 200


def test_non_staff_cannot_review(client, buyer, buyer_org):
    challenge = ChallengeFactory(buyer=buyer_org, review=True)
    _login(client, buyer)
    response = client.post(
        reverse("challenges:staff_review", args=[challenge.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    assert Challenge.objects.get(pk=challenge.pk).state == Challenge.State.REVIEW


def test_buyer_flow_through_the_pages(client, buyer, buyer_org, cyber, staff, sme_user):
    _login(client, buyer)
    response = client.post(
        reverse("challenges:create"),
        {
            "title": "Détecter la fraude",
            "context": "Chèques falsifiés",
            "domains": [cyber.pk],
            "deadline": "2099-01-01",
            "confidential_text": "",
            "confidentiality": "shortlisted",
        },
    )
    challenge = Challenge.objects.get(buyer=buyer_org)
    assert response.status_code == 302
    client.post(reverse("challenges:submit", args=[challenge.pk]))
    assert Challenge.objects.get(pk=challenge.pk).state == Challenge.State.REVIEW
    _login(client, staff)
    response = client.post(reverse("challenges:staff_review", args=[challenge.pk]), {"reason": ""})
    assert response.status_code == 200  # the reason is required: shown next to the field
    client.post(reverse("challenges:staff_review", args=[challenge.pk]), {"decision": "approve"})
    assert Challenge.objects.get(pk=challenge.pk).state == Challenge.State.PUBLISHED
    _login(client, sme_user)
    not_pdf = SimpleUploadedFile("x.pdf", b"GIF89a", content_type="application/pdf")
    response = client.post(
        reverse("challenges:answer", args=[challenge.pk]), {"text": "Oui", "document": not_pdf}
    )
    assert response.status_code == 200 and "PDF" in response.content.decode()
    response = client.post(reverse("challenges:answer", args=[challenge.pk]), {"text": "Oui"})
    assert response.status_code == 302
    assert (
        Answer.objects.get(challenge=challenge).organisation
        == sme_user.memberships.get().organisation
    )


def test_past_deadline_is_refused_on_the_form(client, buyer, cyber):
    _login(client, buyer)
    response = client.post(
        reverse("challenges:create"),
        {
            "title": "T",
            "context": "C",
            "domains": [cyber.pk],
            "deadline": "2000-01-01",
            "confidentiality": "shortlisted",
        },
    )
    assert response.status_code == 200
    assert not Challenge.objects.exists()


def test_research_registration_page(client, staff):
    user = member_of(OrganisationFactory(sme=True))
    _login(client, user)
    response = client.post(
        reverse("challenges:research_register"),
        {"name": "Labo", "siren": "732 829 320", "kind": "laboratory"},
    )
    assert response.status_code == 302
    research = user.memberships.get(organisation__kind="research").organisation
    assert research.siren == "732829320"
    response = client.post(
        reverse("challenges:research_register"),
        {"name": "Labo", "siren": "732829320", "kind": "laboratory"},
    )
    assert response.status_code == 200 and "déjà inscrit" in response.content.decode()
    _login(client, staff)
    assert research.name in client.get(reverse("challenges:staff_research")).content.decode()
    client.post(reverse("challenges:staff_research_verify", args=[research.pk]))
    research.refresh_from_db()
    assert research.is_verified
    response = client.post(reverse("challenges:staff_research_verify", args=[research.pk]))
    assert response.status_code == 404


def test_a_research_member_finds_the_challenges_from_every_page(client, challenge):
    user = member_of(OrganisationFactory(research=True), admin=True)
    _login(client, user)
    for name in ("accounts:dashboard", "challenges:list", "challenges:my_answers"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    assert challenge.title in client.get(reverse("challenges:list")).content.decode()


def test_lists_take_a_fixed_number_of_queries(
    client, buyer, buyer_org, staff, django_assert_max_num_queries
):
    for _ in range(6):
        AnswerFactory(challenge=ChallengeFactory(buyer=buyer_org))
    challenge = ChallengeFactory(buyer=buyer_org)
    for _ in range(5):
        AnswerFactory(challenge=challenge)
    ChallengeFactory(buyer=buyer_org, state=Challenge.State.AWARDED, public_naming=True)
    _login(client, buyer)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("challenges:list")).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("challenges:detail", args=[challenge.pk])).status_code == 200
    _login(client, staff)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("challenges:staff_list")).status_code == 200
    client.logout()
    with django_assert_max_num_queries(10):
        assert client.get(reverse("challenges:awarded")).status_code == 200


def test_federator_sees_its_editions_challenges_without_their_answers(
    client, challenge, answered, buyer_org
):
    from tests.factories import ConventionFactory, EditionAccountFactory

    convention = ConventionFactory()
    EditionAccountFactory(edition=convention.edition, organisation=buyer_org)
    elsewhere = ChallengeFactory()
    draft = ChallengeFactory(buyer=buyer_org, draft=True)
    _login(client, member_of(convention.federator, admin=True))
    response = client.get(reverse("challenges:detail", args=[challenge.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Notre réponse secrète" not in body and challenge.confidential_text not in body
    assert client.get(reverse("challenges:detail", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("challenges:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("challenges:answer_document", args=[answered.pk])).status_code == 404
    assert challenge.title in client.get(reverse("challenges:list")).content.decode()
