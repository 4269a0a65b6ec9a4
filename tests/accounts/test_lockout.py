"""Guessing passwords, as an attacker would, on every login path: the pair (username, address)
locks after LOGIN_FAILURE_LIMIT failures, the right password included, for LOGIN_LOCKOUT_MINUTES;
colleagues behind the same address sign in all along."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken

from tests.helpers import assert_problem
from tests.organisations.factories import PASSWORD, member, staff_user

from .helpers import ELSEWHERE, OFFICE, token_login

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-at-all"


@pytest.fixture
def victim(ngo):
    return member(ngo, "caseworker", username="victim.caseworker")


@pytest.fixture
def colleague(ngo):
    return member(ngo, "caseworker", username="colleague.caseworker")


def guess(username: str, times: int = 5, address: str = OFFICE) -> list[int]:
    return [token_login(username, WRONG, address=address).status_code for _ in range(times)]


def test_five_wrong_passwords_lock_the_pair_even_for_the_right_one(victim):
    assert guess(victim.username, 4) == [400] * 4
    fifth = token_login(victim.username, WRONG)
    body = assert_problem(fifth, 429)
    right = token_login(victim.username, PASSWORD)
    body = assert_problem(right, 429)
    assert body["title"] == "Too Many Requests"
    assert "try again after" in body["detail"]
    assert "UTC" in body["detail"]
    assert 14 * 60 < int(right["Retry-After"]) <= 15 * 60
    assert not AuthToken.objects.filter(user=victim).exists()


def test_a_colleague_behind_the_same_address_is_not_affected(victim, colleague):
    guess(victim.username, 8)
    assert token_login(colleague.username, PASSWORD).status_code == 200
    # ... nor by a colleague's own typos, far beyond the old limit of ten a minute per address
    assert guess(colleague.username, 3) == [400] * 3
    assert token_login(colleague.username, PASSWORD).status_code == 200


def test_the_same_username_from_another_address_still_signs_in(victim):
    """The trade-off of locking pairs: an attacker cannot lock the victim out from elsewhere, and
    gets LOGIN_FAILURE_LIMIT guesses per address (django-otp's codes are the defence against that)."""
    guess(victim.username, 6)
    assert token_login(victim.username, PASSWORD, address=ELSEWHERE).status_code == 200


def test_unknown_usernames_lock_like_real_ones(victim):
    """Nothing tells an attacker whether the name exists: the answers are the same."""
    assert guess("nobody.at.all", 5)[-1] == guess(victim.username, 5)[-1] == 429


def test_the_lockout_ends_after_login_lockout_minutes(victim):
    guess(victim.username, 5)
    assert token_login(victim.username, PASSWORD).status_code == 429
    # fifteen minutes and a second pass (axes dates the pair's last counted failure)
    AccessAttempt.objects.filter(username=victim.username).update(
        attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    assert token_login(victim.username, PASSWORD).status_code == 200


def test_attempts_during_the_lockout_do_not_extend_it(victim):
    guess(victim.username, 5)
    locked_at = AccessAttempt.objects.get(username=victim.username).attempt_time
    guess(victim.username, 3)
    assert AccessAttempt.objects.get(username=victim.username).attempt_time == locked_at


def test_the_limits_come_from_the_settings(victim, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    assert guess(victim.username, 2) == [400, 429]
    assert int(token_login(victim.username, PASSWORD)["Retry-After"]) <= 60


def test_a_success_clears_earlier_typos(victim):
    guess(victim.username, 4)
    assert token_login(victim.username, PASSWORD).status_code == 200
    assert guess(victim.username, 4) == [400] * 4


def test_nothing_secret_is_kept_by_the_lockout(victim):
    guess(victim.username, 2)
    Client(REMOTE_ADDR=OFFICE).post("/api-auth/login/", {"username": victim.username, "password": WRONG,
                                                         "otp": "123456"})
    for attempt in AccessAttempt.objects.all():
        assert WRONG not in attempt.post_data + attempt.get_data
        assert "123456" not in attempt.post_data


# --- behind the proxy ------------------------------------------------------------------------


def test_behind_the_proxy_the_pair_is_keyed_by_the_client_the_proxy_saw(victim, colleague, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.0.2"

    def via_proxy(username, password, client_address, forged=""):
        chain = f"{forged}, {client_address}" if forged else client_address
        return token_login(username, password, address=proxy, forwarded_for=chain)

    statuses = [via_proxy(victim.username, WRONG, OFFICE, forged=f"192.0.2.{n}").status_code for n in range(5)]
    assert statuses[-1] == 429  # what the client writes itself does not make new pairs
    assert via_proxy(victim.username, PASSWORD, OFFICE).status_code == 429
    assert via_proxy(colleague.username, PASSWORD, OFFICE).status_code == 200
    assert via_proxy(victim.username, PASSWORD, ELSEWHERE).status_code == 200  # not everyone is the proxy
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE}


def test_a_forwarded_header_that_is_no_address_is_not_a_crash(victim, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    response = token_login(victim.username, WRONG, address="10.0.0.2", forwarded_for="not-an-address")
    assert_problem(response, 400)
    assert AccessAttempt.objects.get().ip_address == "10.0.0.2"


# --- the session logins ----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api-auth/login/", "/admin/login/"])
def test_the_session_logins_lock_the_pair_too(reference_data, url):
    user = staff_user("platform.admin")  # the admin's form takes staff only
    client = Client(REMOTE_ADDR=OFFICE)
    statuses = [client.post(url, {"username": user.username, "password": WRONG}).status_code for _ in range(5)]
    assert statuses == [200] * 4 + [429]  # the form again, four times; then the lockout page
    right = client.post(url, {"username": user.username, "password": PASSWORD})
    assert right.status_code == 429
    assert "Too many failed sign-ins" in right.content.decode()
    assert int(right["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    # the lock is the pair's: the other path, from the same address, is locked as well
    other = "/admin/login/" if url == "/api-auth/login/" else "/api-auth/login/"
    assert client.post(other, {"username": user.username, "password": PASSWORD}).status_code == 429
    # and a colleague at the same address signs in
    colleague = staff_user("platform.colleague")
    assert client.post(url, {"username": colleague.username, "password": PASSWORD}).status_code == 302


def test_failures_count_across_paths(victim):
    """Guesses spread over the three login paths add up: one pair, one count."""
    client = Client(REMOTE_ADDR=OFFICE)
    guess(victim.username, 2)
    client.post("/api-auth/login/", {"username": victim.username, "password": WRONG})
    client.post("/admin/login/", {"username": victim.username, "password": WRONG})
    assert token_login(victim.username, WRONG).status_code == 429


def test_a_session_login_signs_in_and_its_session_works(victim):
    client = Client(REMOTE_ADDR=OFFICE)
    response = client.post("/api-auth/login/", {"username": victim.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/v1/organisations/").status_code == 200


def test_the_login_page_shows_the_code_field(db):
    page = Client().get("/api-auth/login/").content.decode()
    assert 'name="otp"' in page
    assert 'name="password"' in page
    admin_page = Client().get("/admin/login/").content.decode()
    assert 'name="otp"' in admin_page
    assert 'name="password"' in admin_page
