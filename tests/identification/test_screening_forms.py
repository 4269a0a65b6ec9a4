"""Screening forms: read by every member, written by platform administrators, frozen once published
(by the services and by the database)."""

import pytest
from django.db import DatabaseError, transaction
from django.utils import translation

from identification.models import ScreeningForm, ScreeningQuestion
from identification.regional_form import QUESTIONS, REGIONAL_TITLE
from tests.conftest import client_for
from tests.helpers import assert_problem

FORMS = "/api/v1/screening-forms/"
pytestmark = pytest.mark.django_db


def form_body(**overrides):
    body = {
        "code": "th-labour", "title": "Labour inspection screening", "country": "TH",
        "questions": [
            {"code": "act_recruited", "text": "Recruited by a broker?", "element": "act", "strength": "strong"},
            {"code": "debt", "text": "Owes a growing debt?", "indicator": "debt_bondage", "element": "means",
             "strength": "strong"},
        ],
    }
    body.update(overrides)
    return body


def test_members_read_the_seeded_regional_form(cast, regional_form, api):
    assert_problem(api.get(FORMS), 401)
    response = client_for(cast.submitter_viewer).get(FORMS)
    assert response.status_code == 200
    regional = next(form for form in response.json()["results"] if form["code"] == "regional")
    assert (regional["country"], regional["status"], regional["version"]) == (None, "published", 1)
    assert len(regional["questions"]) == 17
    assert set(regional["questions"][0]) == {"code", "text", "indicator", "element", "strength"}
    detail = client_for(cast.offered_caseworker).get(f"{FORMS}{regional_form.pk}/")
    assert detail.status_code == 200
    assert detail.json()["questions"] == regional["questions"]


def test_the_country_filter_gives_the_regional_form_and_that_countrys(cast, regional_form):
    admin = client_for(cast.platform_admin)
    assert admin.post(FORMS, form_body(), format="json").status_code == 201
    assert admin.post(FORMS, form_body(code="id-labour", country="ID"), format="json").status_code == 201
    reader = client_for(cast.submitter_caseworker)
    codes = {form["code"] for form in reader.get(FORMS, {"country": "TH"}).json()["results"]}
    assert codes == {"regional", "th-labour"}
    codes = {form["code"] for form in reader.get(FORMS).json()["results"]}
    assert codes == {"regional", "th-labour", "id-labour"}


def test_only_platform_administrators_create_and_publish(cast, regional_form):
    for user in (cast.submitter_admin, cast.offered_caseworker):
        assert_problem(client_for(user).post(FORMS, form_body(), format="json"), 403)
    assert not ScreeningForm.objects.filter(code="th-labour").exists()
    admin = client_for(cast.platform_admin)
    created = admin.post(FORMS, form_body(), format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["version"], created.json()["status"]) == (1, "draft")
    pk = created.json()["id"]
    assert_problem(client_for(cast.submitter_admin).post(f"{FORMS}{pk}/publish/"), 403)
    assert_problem(client_for(cast.submitter_admin).patch(f"{FORMS}{pk}/", {"title": "x"}, format="json"), 403)
    changed = admin.patch(f"{FORMS}{pk}/", {"title": "Renamed", "questions": form_body()["questions"][:1]},
                          format="json")
    assert changed.status_code == 200, changed.content
    assert (changed.json()["title"], len(changed.json()["questions"])) == ("Renamed", 1)
    published = admin.post(f"{FORMS}{pk}/publish/")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published.json()["published_at"]
    # the next version of the same code
    again = admin.post(FORMS, form_body(), format="json")
    assert again.json()["version"] == 2


def test_a_published_form_cannot_be_edited(cast, regional_form):
    admin = client_for(cast.platform_admin)
    body = assert_problem(admin.patch(f"{FORMS}{regional_form.pk}/", {"title": "Changed"}, format="json"), 409)
    assert body["current_status"] == "published"
    assert_problem(admin.post(f"{FORMS}{regional_form.pk}/publish/"), 409)
    regional_form.refresh_from_db()
    assert regional_form.title != "Changed"


def test_the_database_refuses_to_change_a_published_form(regional_form):
    question = regional_form.questions.first()
    attempts = [
        lambda: ScreeningQuestion.objects.filter(pk=question.pk).update(text="Rewritten"),
        lambda: ScreeningQuestion.objects.create(form=regional_form, code="extra", text="?", element="act",
                                                 strength="strong"),
        lambda: ScreeningQuestion.objects.filter(pk=question.pk).delete(),
        lambda: ScreeningForm.objects.filter(pk=regional_form.pk).update(title="Rewritten"),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    question.refresh_from_db()
    assert question.text != "Rewritten"


@pytest.mark.parametrize(("body", "field"), [
    (form_body(questions=[]), "questions"),
    (form_body(country="XX"), "country"),
    (form_body(questions=[{"code": "a", "text": "?", "element": "motive", "strength": "strong"}]), "questions"),
    (form_body(questions=[{"code": "a", "text": "?", "element": "act", "strength": "strong"}] * 2), "questions"),
])
def test_bad_forms_are_400_naming_the_field(cast, body, field):
    assert_problem(client_for(cast.platform_admin).post(FORMS, body, format="json"), 400, field)
    assert not ScreeningForm.objects.filter(code="th-labour").exists()


@pytest.mark.parametrize("language", ["th", "km", "zh-hans"])
def test_the_seeded_form_answers_in_the_callers_language(cast, regional_form, language):
    """The regional form is stored in English; its title and every question come back in the
    caller's language from the catalogues (a form a platform administrator writes stays as typed)."""
    body = client_for(cast.submitter_viewer).get(f"{FORMS}{regional_form.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()
    with translation.override(language):
        assert body["title"] == translation.gettext(REGIONAL_TITLE) != REGIONAL_TITLE
        texts = [translation.gettext(text) for *_rest, text in QUESTIONS]
    assert [question["text"] for question in body["questions"]] == texts
    assert not set(texts) & {text for *_rest, text in QUESTIONS}  # every question translated
