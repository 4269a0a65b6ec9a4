"""possible_duplicate_of: an open referral of the same person (same case reference) by the same
organisation, shown to the submitter only, on the detail and in the list."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals import services
from referrals.models import Referral
from tests.conftest import client_for

from .factories import referral_payload, submit
from .helpers import REFERRALS, accept, url

pytestmark = pytest.mark.django_db

User = get_user_model()


def post(user, case_reference: str) -> dict:
    response = client_for(user).post(REFERRALS, referral_payload(case_reference=case_reference), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def read(user, referral_id) -> dict:
    response = client_for(user).get(url(referral_id))
    assert response.status_code == 200, response.content
    return response.json()


def test_a_second_referral_of_the_same_person_points_to_the_first(cast):
    first = post(cast.submitter_caseworker, "TH-ATHD-2025-0001")
    assert first["possible_duplicate_of"] is None

    second = post(cast.submitter_admin, "TH-ATHD-2025-0001")  # another member of the same organisation

    assert second["possible_duplicate_of"] == first["id"]
    assert second["subject_key"] == first["subject_key"]
    assert len(second["subject_key"]) == 16
    # And the first now points to the second: each is the other's open twin.
    assert read(cast.submitter_viewer, first["id"])["possible_duplicate_of"] == second["id"]
    assert read(cast.submitter_viewer, second["id"])["possible_duplicate_of"] == first["id"]


def test_the_case_reference_is_compared_after_normalising_spaces_and_case(cast):
    first = post(cast.submitter_caseworker, "th-athd  2025-0002")
    second = post(cast.submitter_caseworker, "  TH-ATHD 2025-0002 ")
    assert second["possible_duplicate_of"] == first["id"]


def test_the_oldest_open_twin_is_named(cast):
    first = post(cast.submitter_caseworker, "TH-ATHD-2025-0003")
    post(cast.submitter_caseworker, "TH-ATHD-2025-0003")
    third = post(cast.submitter_caseworker, "TH-ATHD-2025-0003")
    assert third["possible_duplicate_of"] == first["id"]


def test_another_case_reference_is_no_duplicate(cast):
    post(cast.submitter_caseworker, "TH-ATHD-2025-0004")
    other = post(cast.submitter_caseworker, "TH-ATHD-2025-0005")
    assert other["possible_duplicate_of"] is None


def test_another_organisation_with_the_same_case_reference_is_no_duplicate(cast):
    mine = post(cast.submitter_caseworker, "CASE-77")
    theirs = post(cast.other_government_caseworker, "CASE-77")
    assert theirs["possible_duplicate_of"] is None
    assert theirs["subject_key"] != mine["subject_key"]  # keyed per organisation: nothing links them
    assert read(cast.submitter_caseworker, mine["id"])["possible_duplicate_of"] is None


def _close(cast, referral):
    services.referral_route(referral=referral, by=cast.submitter_caseworker, organisation_ids=[cast.offered.pk])
    accept(referral, cast.offered_caseworker)
    services.referral_close(referral=referral, by=cast.offered_caseworker, reason="")


def _withdraw(cast, referral):
    services.referral_withdraw(referral=referral, by=cast.submitter_caseworker)


def _withdraw_consent(cast, referral):
    services.referral_withdraw_consent(referral=referral, by=cast.submitter_caseworker)


@pytest.mark.parametrize("end", [_close, _withdraw, _withdraw_consent], ids=["closed", "withdrawn", "consent"])
def test_an_ended_referral_is_no_longer_a_duplicate(cast, end):
    first = submit(cast.submitter_caseworker, case_reference="TH-ATHD-2025-0006")
    end(cast, first)
    first.refresh_from_db()
    assert first.status in ("closed", "withdrawn")

    later = post(cast.submitter_caseworker, "TH-ATHD-2025-0006")

    assert later["possible_duplicate_of"] is None


def test_the_hint_follows_the_first_referral_ending(cast):
    first = post(cast.submitter_caseworker, "TH-ATHD-2025-0007")
    second = post(cast.submitter_caseworker, "TH-ATHD-2025-0007")
    assert read(cast.submitter_caseworker, second["id"])["possible_duplicate_of"] == first["id"]
    services.referral_withdraw(referral=Referral.objects.get(pk=first["id"]), by=cast.submitter_caseworker)
    assert read(cast.submitter_caseworker, second["id"])["possible_duplicate_of"] is None


def test_an_offered_organisation_never_sees_the_hint_nor_the_key(cast):
    first = submit(cast.submitter_caseworker, case_reference="TH-ATHD-2025-0008")
    second = submit(cast.submitter_caseworker, case_reference="TH-ATHD-2025-0008")
    for referral in (first, second):
        services.referral_route(referral=referral, by=cast.submitter_caseworker, organisation_ids=[cast.offered.pk])
    accept(first, cast.offered_caseworker)  # one accepted, one still offered

    assert read(cast.submitter_caseworker, second.pk)["possible_duplicate_of"] == str(first.pk)
    for user in (cast.offered_caseworker, cast.offered_viewer):
        for referral in (first, second):
            body = read(user, referral.pk)
            assert body["possible_duplicate_of"] is None
            assert body["subject_key"] is None
        listed = client_for(user).get(REFERRALS).json()["results"]
        assert {item["id"] for item in listed} == {str(first.pk), str(second.pk)}
        assert all(item["possible_duplicate_of"] is None and item["subject_key"] is None for item in listed)


# --- the list ----------------------------------------------------------------------------------------


PAIRS = 15


@pytest.fixture
def many(cast):
    """PAIRS people referred twice, and as many referred once."""
    twins = {}
    for i in range(PAIRS):
        a = submit(cast.submitter_caseworker, case_reference=f"PAIR-{i}")
        b = submit(cast.submitter_caseworker, case_reference=f"PAIR-{i}")
        twins[str(a.pk)], twins[str(b.pk)] = str(b.pk), str(a.pk)
        submit(cast.submitter_caseworker, case_reference=f"SINGLE-{i}")
    return twins


def listing(user_pk, page_size: int) -> tuple[int, list[dict]]:
    client = client_for(User.objects.get(pk=user_pk))  # freshly loaded, as a new request would have it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(REFERRALS, {"page_size": page_size})
    assert response.status_code == 200, response.content
    return len(queries), response.json()["results"]


def test_the_list_shows_the_hint(cast, many):
    _, rows = listing(cast.submitter_viewer.pk, 100)
    assert len(rows) == 3 * PAIRS
    for row in rows:
        assert row["possible_duplicate_of"] == many.get(row["id"]), row["id"]
    assert sum(row["possible_duplicate_of"] is not None for row in rows) == 2 * PAIRS


def test_the_list_costs_the_same_number_of_queries_for_any_page_size(cast, many):
    small, small_rows = listing(cast.submitter_caseworker.pk, 5)
    large, large_rows = listing(cast.submitter_caseworker.pk, 40)
    assert len(small_rows) == 5
    assert len(large_rows) == 40
    assert any(row["possible_duplicate_of"] for row in large_rows)
    assert small == large, f"{small} queries for 5 rows, {large} for 40"
