"""The language switcher without a browser: it answers 302 back to the page (only to this site),
keeps a signed-in person's choice in their profile, and refuses nothing but a language the site
does not speak (which changes nothing)."""

import pytest
from django.test import Client

from accounts.models import Profile

pytestmark = pytest.mark.django_db


def test_switching_sets_the_cookie_goes_back_and_saves_the_profile(people):
    client = people.client(people.ngo_caseworker)
    response = client.post("/app/language/", {"language": "vi", "next": "/app/referrals/?status=offered"})
    assert response.status_code == 302
    assert response["Location"] == "/app/referrals/?status=offered"
    assert response.cookies["django_language"].value == "vi"
    assert Profile.objects.get(user=people.ngo_caseworker).language == "vi"
    page = client.get("/app/referrals/").content.decode()
    assert '<html lang="vi">' in page
    assert 'value="vi" lang="vi" selected' in page


def test_the_users_own_language_applies_on_every_console_page(people):
    Profile.objects.create(user=people.ngo_caseworker, language="th")
    client = people.client(people.ngo_caseworker)
    for path in ("/app/inbox/", "/app/referrals/", "/app/organisation/"):
        assert '<html lang="th">' in client.get(path).content.decode(), path


def test_an_unknown_language_changes_nothing(people):
    client = people.client(people.ngo_caseworker)
    response = client.post("/app/language/", {"language": "xx", "next": "/app/inbox/"})
    assert response.status_code == 302
    assert "django_language" not in response.cookies
    assert not Profile.objects.filter(user=people.ngo_caseworker, language="xx").exists()


def test_next_never_leaves_the_site_and_anyone_may_switch():
    response = Client().post("/app/language/", {"language": "km", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert response.cookies["django_language"].value == "km"


def test_the_switcher_is_a_post_form_only(people):
    assert people.client(people.ngo_caseworker).get("/app/language/").status_code == 405
