"""State machines of challenges (draft → review → published → closed | awarded) and answers
(submitted → shortlisted | declined → awarded), with the emails each step sends."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from challenges import services
from challenges.models import Answer, Challenge
from tests.factories import AnswerFactory, ChallengeFactory, OrganisationFactory, member_of

pytestmark = pytest.mark.django_db


def _data(cyber, **changes):
    return {
        "title": "Détecter la fraude",
        "context": "Nos agences reçoivent des chèques falsifiés.",
        "deadline": timezone.localdate() + datetime.timedelta(days=20),
        "confidential_text": "Volume : 2 millions de chèques.",
        "confidentiality": Challenge.Confidentiality.SHORTLISTED,
        "public_naming": True,
        "domains": [cyber],
        **changes,
    }


def test_buyer_drafts_submits_and_staff_publishes_with_emails(
    buyer_org, buyer, staff, cyber, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        challenge = services.save_challenge(
            challenge=None, buyer=buyer_org, by=buyer, data=_data(cyber)
        )
        assert challenge.state == Challenge.State.DRAFT
        services.submit_challenge(challenge=challenge, by=buyer)
    challenge.refresh_from_db()
    assert challenge.state == Challenge.State.REVIEW
    assert mailoutbox[-1].to == [staff.email]

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_challenge(challenge=challenge, by=staff)
    challenge.refresh_from_db()
    assert challenge.state == Challenge.State.PUBLISHED
    assert challenge.published_at is not None
    assert mailoutbox[-1].to == [buyer.email]
    assert "publié" in mailoutbox[-1].subject
    assert AuditEvent.objects.filter(action="challenge.publish", actor=staff).exists()


def test_staff_send_back_needs_a_reason_and_returns_a_draft(
    buyer_org, buyer, staff, cyber, mailoutbox, django_capture_on_commit_callbacks
):
    challenge = ChallengeFactory(buyer=buyer_org, created_by=buyer, review=True)
    with pytest.raises(ValidationError):
        services.send_back_challenge(challenge=challenge, by=staff, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_back_challenge(challenge=challenge, by=staff, reason="Précisez le volume.")
    challenge.refresh_from_db()
    assert challenge.state == Challenge.State.DRAFT
    assert challenge.review_reason == "Précisez le volume."
    assert "Précisez le volume." in mailoutbox[-1].body
    # Corrected, it goes back to review, and the draft can be edited in between.
    services.save_challenge(
        challenge=challenge, buyer=buyer_org, by=buyer, data=_data(cyber, title="Nouveau titre")
    )
    services.submit_challenge(challenge=challenge, by=buyer)
    assert Challenge.objects.get(pk=challenge.pk).state == Challenge.State.REVIEW


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("draft", "approve"),
        ("draft", "close"),
        ("published", "submit"),
        ("published", "approve"),
        ("awarded", "close"),
        ("closed", "submit"),
    ],
)
def test_challenge_refuses_transitions_out_of_order(buyer_org, buyer, staff, state, action):
    challenge = ChallengeFactory(buyer=buyer_org, state=state)
    call = {
        "approve": lambda: services.approve_challenge(challenge=challenge, by=staff),
        "close": lambda: services.close_challenge(challenge=challenge, by=buyer),
        "submit": lambda: services.submit_challenge(challenge=challenge, by=buyer),
    }[action]
    with pytest.raises(services.TransitionError):
        call()
    assert Challenge.objects.get(pk=challenge.pk).state == state


def test_published_challenge_is_not_edited(buyer_org, buyer, challenge, cyber):
    with pytest.raises(services.TransitionError):
        services.save_challenge(challenge=challenge, buyer=buyer_org, by=buyer, data=_data(cyber))


def test_answer_shortlisted_then_awarded_awards_the_challenge(
    challenge, sme, sme_user, buyer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.submit_answer(
            challenge=challenge, organisation=sme, by=sme_user, text="Notre outil."
        )
    assert answer.state == Answer.State.SUBMITTED
    assert answer.siren == sme.siren
    assert mailoutbox[-1].to == [buyer.email]

    with django_capture_on_commit_callbacks(execute=True):
        services.decide_answer(answer=answer, by=buyer, state=Answer.State.SHORTLISTED)
    answer.refresh_from_db()
    assert answer.state == Answer.State.SHORTLISTED and answer.shortlisted_at is not None
    assert mailoutbox[-1].to == [sme_user.email]

    services.decide_answer(answer=answer, by=buyer, state=Answer.State.AWARDED)
    challenge.refresh_from_db()
    assert challenge.state == Challenge.State.AWARDED and challenge.awarded_at is not None
    with pytest.raises(services.TransitionError):
        services.decide_answer(answer=answer, by=buyer, state=Answer.State.DECLINED)


def test_answer_transitions_out_of_order_are_refused(challenge, buyer):
    submitted = AnswerFactory(challenge=challenge)
    with pytest.raises(services.TransitionError):
        services.decide_answer(answer=submitted, by=buyer, state=Answer.State.AWARDED)
    services.decide_answer(answer=submitted, by=buyer, state=Answer.State.DECLINED)
    # A declined answer may be reconsidered (shortlisted), not awarded straight away.
    with pytest.raises(services.TransitionError):
        services.decide_answer(answer=submitted, by=buyer, state=Answer.State.AWARDED)
    services.decide_answer(answer=submitted, by=buyer, state=Answer.State.SHORTLISTED)
    assert Answer.objects.get(pk=submitted.pk).state == Answer.State.SHORTLISTED


def test_answers_to_a_challenge_under_review_cannot_be_decided(buyer_org, buyer):
    answer = AnswerFactory(challenge=ChallengeFactory(buyer=buyer_org, review=True))
    with pytest.raises(services.TransitionError):
        services.decide_answer(answer=answer, by=buyer, state=Answer.State.SHORTLISTED)


def test_only_verified_smes_and_research_organisations_answer(challenge, buyer_org):
    unverified = OrganisationFactory(sme=True, unverified=True)
    research_pending = OrganisationFactory(research=True, unverified=True)
    research = OrganisationFactory(research=True)
    for organisation in (unverified, research_pending, buyer_org):
        with pytest.raises(ValidationError):
            services.submit_answer(
                challenge=challenge,
                organisation=organisation,
                by=member_of(organisation),
                text="Réponse",
            )
    answer = services.submit_answer(
        challenge=challenge, organisation=research, by=member_of(research), text="Réponse"
    )
    assert answer.organisation == research


def test_no_answer_after_the_deadline_when_closed_or_twice(buyer_org, sme, sme_user, cyber):
    late = ChallengeFactory(buyer=buyer_org, deadline=timezone.localdate() - datetime.timedelta(1))
    closed = ChallengeFactory(buyer=buyer_org, state=Challenge.State.CLOSED)
    for challenge in (late, closed):
        with pytest.raises(ValidationError):
            services.submit_answer(challenge=challenge, organisation=sme, by=sme_user, text="x")
    open_one = ChallengeFactory(buyer=buyer_org)
    services.submit_answer(challenge=open_one, organisation=sme, by=sme_user, text="x")
    with pytest.raises(ValidationError, match="déjà répondu"):
        services.submit_answer(challenge=open_one, organisation=sme, by=sme_user, text="y")


def test_answer_document_must_be_a_small_pdf_and_is_stored_privately(
    challenge, sme, sme_user, settings
):
    not_pdf = SimpleUploadedFile("offre.pdf", b"PK\x03\x04 zip", content_type="application/pdf")
    with pytest.raises(ValidationError, match="PDF"):
        services.submit_answer(
            challenge=challenge, organisation=sme, by=sme_user, text="x", upload=not_pdf
        )
    big = SimpleUploadedFile("gros.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "application/pdf")
    with pytest.raises(ValidationError, match="5 Mo"):
        services.submit_answer(
            challenge=challenge, organisation=sme, by=sme_user, text="x", upload=big
        )
    pdf = SimpleUploadedFile("offre.pdf", b"%PDF-1.4 ok", content_type="application/pdf")
    answer = services.submit_answer(
        challenge=challenge, organisation=sme, by=sme_user, text="x", upload=pdf
    )
    assert answer.document_name == "offre.pdf"
    assert answer.document.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not answer.document.path.startswith(str(settings.MEDIA_ROOT))


def test_research_organisation_registers_and_staff_verify_it(
    staff, mailoutbox, django_capture_on_commit_callbacks
):
    user = member_of(OrganisationFactory(sme=True))
    with django_capture_on_commit_callbacks(execute=True):
        organisation = services.register_research(
            user=user, name="Laboratoire d'Optique", siren="732829320", kind="laboratory"
        )
    assert organisation.is_research and not organisation.is_verified
    assert mailoutbox[-1].to == [staff.email]
    assert not services.can_answer(organisation)
    with pytest.raises(ValidationError):
        services.register_research(user=user, name="Autre", siren="732829320", kind="transfer")
    with django_capture_on_commit_callbacks(execute=True):
        services.verify_research(organisation=organisation, by=staff)
    organisation.refresh_from_db()
    assert services.can_answer(organisation)
    assert mailoutbox[-1].to == [user.email]
    assert AuditEvent.objects.filter(action="research.verify").exists()
