"""Screening a referred person: by the parties acting on the referral, with the form's assessment;
notes screened for personal data and read by the screening organisation only."""

import pytest

from identification.models import Screening
from referrals.models import OutboxEvent, ReferralEvent
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.identification.conftest import PHONE_NOTE
from tests.referrals.factories import submit
from tests.referrals.helpers import url

pytestmark = pytest.mark.django_db
ADULT_TRAFFICKED = {"act_recruited": "yes", "deception": "yes", "purpose_exploitation": "yes"}


def screen(user, referral, form, answers=ADULT_TRAFFICKED, notes="Seen at the shelter intake."):
    return client_for(user).post(url(referral, "screenings"), {"form": form.pk, "answers": answers, "notes": notes},
                                 format="json")


def test_the_submitter_screens_and_gets_the_assessment(cast, offered_referral, regional_form):
    response = screen(cast.submitter_caseworker, offered_referral, regional_form)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assessment"] == {
        "elements": {"act": True, "means": True, "purpose": True}, "strong": 3, "medium": 0,
        "meets_definition": True,
    }
    assert (body["form_code"], body["form_version"], body["notes"]) == ("regional", 1, "Seen at the shelter intake.")
    event = ReferralEvent.objects.get(referral=offered_referral, action="screened")
    assert event.detail["meets_definition"] is True
    assert OutboxEvent.objects.filter(referral=offered_referral, type="referral.screened").count() == 1


def test_a_child_needs_no_means(cast, regional_form):
    child = submit(cast.submitter_caseworker, profile={"age_band": "9-17", "gender": "male"})
    response = screen(cast.submitter_caseworker, child, regional_form,
                      answers={"act_transported": "yes", "purpose_exploitation": "yes", "deception": "no"})
    assert response.json()["assessment"]["elements"]["means"] is False
    assert response.json()["assessment"]["meets_definition"] is True


def test_the_offered_ngo_screens_too_and_each_sees_its_own_notes_only(cast, offered_referral, regional_form):
    assert screen(cast.submitter_caseworker, offered_referral, regional_form).status_code == 201
    assert screen(cast.offered_caseworker, offered_referral, regional_form, notes="Our intake.").status_code == 201
    listed = client_for(cast.offered_viewer).get(url(offered_referral, "screenings")).json()
    assert [item["notes"] for item in listed] == [None, "Our intake."]
    listed = client_for(cast.submitter_viewer).get(url(offered_referral, "screenings")).json()
    assert [item["notes"] for item in listed] == ["Seen at the shelter intake.", None]
    detail = client_for(cast.offered_caseworker).get(url(offered_referral)).json()
    assert len(detail["screenings"]) == 2
    assert set(detail["screenings"][0]) == {"id", "form", "created", "assessment"}
    assert "Seen at the shelter intake." not in str(detail)


def test_refusals(cast, offered_referral, regional_form, api):
    assert_problem(api.post(url(offered_referral, "screenings"), {}, format="json"), 401)
    assert_problem(api.get(url(offered_referral, "screenings")), 401)
    for outsider in (cast.other_ngo_caseworker, cast.declined_caseworker, cast.platform_admin):
        assert_problem(screen(outsider, offered_referral, regional_form), 404)
        assert_problem(client_for(outsider).get(url(offered_referral, "screenings")), 404)
    assert_problem(screen(cast.submitter_viewer, offered_referral, regional_form), 403)
    assert_problem(screen(cast.offered_viewer, offered_referral, regional_form), 403)
    assert not Screening.objects.exists()


@pytest.mark.parametrize(("answers", "named"), [
    ({"no_such_question": "yes"}, "no_such_question"),
    ({"deception": "perhaps"}, "deception"),
    ({}, None),
])
def test_bad_answers_are_400_naming_answers_and_nothing_is_written(cast, offered_referral, regional_form, answers,
                                                                   named):
    body = assert_problem(screen(cast.submitter_caseworker, offered_referral, regional_form, answers=answers), 400,
                          "answers")
    if named:
        assert named in str(body["errors"])
    assert not Screening.objects.exists()
    assert not ReferralEvent.objects.filter(action="screened").exists()


def test_notes_with_a_phone_number_are_400_naming_notes_and_nothing_is_written(cast, offered_referral,
                                                                              regional_form):
    body = assert_problem(screen(cast.submitter_caseworker, offered_referral, regional_form, notes=PHONE_NOTE), 400,
                          "notes")
    assert "+66" not in str(body)
    assert not Screening.objects.exists()
    assert not OutboxEvent.objects.filter(type="referral.screened").exists()


def test_a_draft_form_cannot_be_used(cast, offered_referral, regional_form):
    draft = client_for(cast.platform_admin).post("/api/v1/screening-forms/", {
        "code": "draft", "title": "Draft", "questions": [
            {"code": "act_recruited", "text": "?", "element": "act", "strength": "strong"}]}, format="json")
    response = client_for(cast.submitter_caseworker).post(
        url(offered_referral, "screenings"), {"form": draft.json()["id"], "answers": {"act_recruited": "yes"}},
        format="json")
    assert_problem(response, 400, "form")
    assert_problem(client_for(cast.submitter_caseworker).post(
        url(offered_referral, "screenings"), {"form": 10**9, "answers": {"a": "yes"}}, format="json"), 400, "form")


def test_a_withdrawn_referral_is_not_screened(cast, offered_referral, regional_form):
    client_for(cast.submitter_caseworker).post(url(offered_referral, "withdraw"), {}, format="json")
    response = screen(cast.submitter_caseworker, offered_referral, regional_form)
    assert_problem(response, 409)
    assert not Screening.objects.exists()
