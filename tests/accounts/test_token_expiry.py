"""API tokens: a request reads only the token it presents; an expired one is refused; expired
tokens are deleted by accounts.tasks.purge_expired_tokens."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.tasks import purge_expired_tokens
from tests.organisations.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def caseworker():
    return member(OrganisationFactory(), "caseworker")


def test_a_request_reads_one_token_row_and_not_the_users_other_tokens(caseworker):
    for _ in range(3):
        AuthToken.objects.create(caseworker, timedelta(hours=1))
    _, token = AuthToken.objects.create(caseworker, timedelta(hours=1))

    with CaptureQueriesContext(connection) as queries:
        response = _client(token).get(ME)

    assert response.status_code == 200
    token_reads = [q["sql"] for q in queries.captured_queries if 'FROM "knox_authtoken"' in q["sql"]]
    assert len(token_reads) == 1
    assert "token_key" in token_reads[0]


def test_an_expired_token_is_refused_until_the_sweep_deletes_it(caseworker):
    instance, token = AuthToken.objects.create(caseworker, timedelta(hours=1))
    AuthToken.objects.filter(pk=instance.pk).update(expiry=instance.expiry - timedelta(hours=2))

    response = _client(token).get(ME)

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert _client(token).get(ME).status_code == 401
    purge_expired_tokens()
    assert not AuthToken.objects.filter(pk=instance.pk).exists()


def test_the_sweep_deletes_expired_tokens_of_everyone_and_keeps_the_valid_ones(caseworker):
    other = member(OrganisationFactory(), "viewer")
    expired = [AuthToken.objects.create(user, timedelta(hours=1))[0] for user in (caseworker, other)]
    AuthToken.objects.filter(pk__in=[t.pk for t in expired]).update(expiry="2000-01-01T00:00:00Z")
    _, valid = AuthToken.objects.create(caseworker, timedelta(hours=1))

    assert purge_expired_tokens() == 2

    assert not AuthToken.objects.filter(pk__in=[t.pk for t in expired]).exists()
    assert _client(valid).get(ME).status_code == 200
