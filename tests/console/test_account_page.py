"""The account page: profile (language, time zone, e-mail) and notification preferences, written
by the same services as the API's /me/ routes; every refusal is shown next to its field and
writes nothing."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Profile
from notifications.models import Delivery, NotificationKind, NotificationPreference
from notifications.selectors import preferences_of

pytestmark = pytest.mark.django_db

PROFILE = {"profile-language": "th", "profile-time_zone": "Asia/Bangkok", "profile-email": "new@example.org"}


def preferences(**overrides) -> dict:
    body = {"notifications-digest_time": "06:45",
            **{f"notifications-choices.{kind}": "digest" for kind in NotificationKind.values}}
    body.update({f"notifications-choices.{kind}": value for kind, value in overrides.items()})
    return body


def test_signed_out_callers_are_sent_to_the_sign_in_page(client):
    response = client.get("/app/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/app/login/")
    response = client.post("/app/account/notifications/", preferences())
    assert response.status_code == 302
    assert response["Location"].startswith("/app/login/")
    assert not NotificationPreference.objects.exists()


def test_the_page_shows_the_current_choices(people):
    response = people.client(people.ngo_caseworker).get("/app/account/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="profile-time_zone"' in body
    assert 'value="UTC"' in body
    assert 'name="notifications-choices.offer_received"' in body
    assert 'value="08:00"' in body


def test_the_profile_is_saved_with_a_message(people):
    client = people.client(people.ngo_caseworker)
    response = client.post("/app/account/", PROFILE, follow=True)
    assert response.redirect_chain == [("/app/account/", 302)]
    assert "Your profile is saved." in response.content.decode()
    profile = Profile.objects.get(user=people.ngo_caseworker)
    assert (profile.language, profile.time_zone) == ("th", "Asia/Bangkok")
    people.ngo_caseworker.refresh_from_db()
    assert people.ngo_caseworker.email == "new@example.org"


@pytest.mark.parametrize(("field", "value"), [
    ("profile-time_zone", "ICT"), ("profile-time_zone", "../../etc/passwd"),
    ("profile-language", "xx"), ("profile-email", "not an address"),
])
def test_a_bad_profile_value_is_shown_next_to_its_field_and_nothing_is_written(people, field, value):
    user = people.ngo_caseworker
    email = user.email
    response = people.client(user).post("/app/account/", {**PROFILE, field: value})
    assert response.status_code == 400
    form = response.context["profile_form"]
    assert list(form.errors) == [field.removeprefix("profile-")]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Profile.objects.filter(user=user).exists()
    assert get_user_model().objects.get(pk=user.pk).email == email


def test_the_preferences_are_saved_for_every_kind(people):
    user = people.gov_caseworker
    response = people.client(user).post("/app/account/notifications/",
                                        preferences(offer_received="immediate", referral_closed="off"))
    assert response.status_code == 302
    assert response["Location"] == "/app/account/"
    stored = preferences_of(user)
    assert stored["digest_time"] == datetime.time(6, 45)
    assert stored["choices"]["offer_received"] == Delivery.IMMEDIATE
    assert stored["choices"]["referral_closed"] == Delivery.OFF
    assert stored["choices"]["outcome_recorded"] == Delivery.DIGEST


def test_platform_staff_in_no_organisation_have_an_account_page_too(reference_data):
    from django.test import Client

    staff = get_user_model().objects.create_user("staff-person", password="x", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get("/app/account/").status_code == 200
    assert client.post("/app/account/notifications/", preferences()).status_code == 302
    assert NotificationPreference.objects.filter(user=staff).exists()


@pytest.mark.parametrize("body", [
    preferences(offer_received="sometimes"),
    preferences(offer_received="<script>alert(1)</script>"),
    {key: value for key, value in preferences().items() if key != "notifications-choices.offer_expired"},
    {**preferences(), "notifications-digest_time": "25:00"},
])
def test_a_bad_preference_is_refused_and_nothing_is_written(people, body):
    user = people.ngo_caseworker
    response = people.client(user).post("/app/account/notifications/", body)
    assert response.status_code == 400
    assert response.context["preferences_form"].errors
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not NotificationPreference.objects.filter(user=user).exists()


def test_an_unknown_value_is_named_next_to_its_kind(people):
    response = people.client(people.ngo_caseworker).post(
        "/app/account/notifications/", preferences(offer_received="sometimes"))
    form = response.context["preferences_form"]
    assert list(form.errors) == ["choices.offer_received"]
    assert 'id="id_notifications-choices.offer_received_error"' in response.content.decode()
