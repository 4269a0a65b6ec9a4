"""The change feed: GET /api/v1/referrals/?updated_after=<instant>, oldest change first, by cursor."""

import pytest
from django.utils import timezone

from referrals import services
from referrals.models import Referral
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.referrals.factories import submit
from tests.referrals.helpers import REFERRALS

pytestmark = pytest.mark.django_db


def walk(client, params: dict) -> tuple[list[dict], list[dict]]:
    """Every page of the feed: (all results, the raw pages)."""
    pages = [client.get(REFERRALS, params)]
    while True:
        assert pages[-1].status_code == 200, pages[-1].content
        following = pages[-1].json()["next"]
        if following is None:
            break
        pages.append(client.get(following))
    bodies = [page.json() for page in pages]
    return [item for body in bodies for item in body["results"]], bodies


@pytest.fixture
def seven_changes(cast):
    """Three referrals from before the instant `since`, then seven changes after it: two of the older
    referrals routed, five new ones submitted. Returns (since, the ids in the order they changed, the
    untouched one)."""
    old = [submit(cast.submitter_caseworker) for _ in range(3)]
    since = timezone.now()
    changed = []
    for referral in old[:2]:
        services.referral_route(referral=referral, by=cast.submitter_caseworker, organisation_ids=[cast.offered.pk])
        changed.append(str(referral.pk))
    for _ in range(5):
        changed.append(str(submit(cast.submitter_caseworker).pk))
    return since, changed, str(old[2].pk)


def test_the_feed_lists_referrals_changed_after_the_instant_oldest_change_first(cast, seven_changes):
    since, changed, untouched = seven_changes

    response = client_for(cast.submitter_caseworker).get(REFERRALS, {"updated_after": since.isoformat()})

    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["id"] for r in body["results"]] == changed
    assert untouched not in [r["id"] for r in body["results"]]
    updated = [r["updated"] for r in body["results"]]
    assert updated == sorted(updated)
    assert "count" not in body
    assert body["next"] is None


def test_walking_the_feed_in_pages_of_two_returns_each_change_once(cast, seven_changes):
    since, changed, _ = seven_changes

    results, pages = walk(client_for(cast.submitter_caseworker),
                          {"updated_after": since.isoformat(), "page_size": 2})

    assert [len(page["results"]) for page in pages] == [2, 2, 2, 1]
    assert all("count" not in page for page in pages)
    assert all(page["next"] for page in pages[:-1])
    assert "cursor=" in pages[0]["next"]
    assert [r["id"] for r in results] == changed
    assert len({r["id"] for r in results}) == 7


def test_polling_again_from_the_last_seen_change_returns_only_later_changes(cast, seven_changes):
    since, changed, untouched = seven_changes
    client = client_for(cast.submitter_caseworker)
    results, _ = walk(client, {"updated_after": since.isoformat(), "page_size": 2})
    last_seen = results[-1]["updated"]

    nothing_new = client.get(REFERRALS, {"updated_after": last_seen}).json()
    services.referral_withdraw(referral=Referral.objects.get(pk=untouched), by=cast.submitter_caseworker)
    edited = Referral.objects.get(pk=changed[2])
    services.referral_update(referral=edited, by=cast.submitter_caseworker, data={"notes": "Corrected."},
                             expected_version=services.referral_version(edited))
    polled, _ = walk(client, {"updated_after": last_seen, "page_size": 2})

    assert nothing_new["results"] == []
    assert [r["id"] for r in polled] == [untouched, changed[2]]
    assert polled[0]["status"] == "withdrawn"
    assert polled[1]["notes"] == "Corrected."


def test_a_change_during_the_walk_is_seen_once_at_the_end(cast, seven_changes):
    since, changed, _ = seven_changes
    client = client_for(cast.submitter_caseworker)
    first_page = client.get(REFERRALS, {"updated_after": since.isoformat(), "page_size": 2}).json()

    services.referral_withdraw(referral=Referral.objects.get(pk=changed[0]), by=cast.submitter_caseworker)
    rest, _ = walk(client, {"updated_after": first_page["results"][-1]["updated"], "page_size": 2})

    assert [r["id"] for r in first_page["results"]] + [r["id"] for r in rest] == [*changed, changed[0]]
    assert [r["id"] for r in rest] == [*changed[2:], changed[0]]


def test_the_feed_shows_only_what_the_organisation_may_see(cast, seven_changes):
    since, changed, _ = seven_changes

    offered = client_for(cast.offered_caseworker).get(REFERRALS, {"updated_after": since.isoformat()}).json()
    other = client_for(cast.other_government_caseworker).get(REFERRALS, {"updated_after": since.isoformat()}).json()

    assert [r["id"] for r in offered["results"]] == changed[:2]
    assert other["results"] == []


def test_without_updated_after_the_list_is_newest_first(cast, seven_changes):
    response = client_for(cast.submitter_caseworker).get(REFERRALS)

    created = [r["created"] for r in response.json()["results"]]
    assert len(created) == 8
    assert created == sorted(created, reverse=True)
    assert "count" not in response.json()


@pytest.mark.parametrize("value", ["yesterday", "2024-13-45T00:00:00Z"])
def test_an_invalid_instant_is_refused(cast, value):
    response = client_for(cast.submitter_caseworker).get(REFERRALS, {"updated_after": value})

    assert_problem(response, 400, "updated_after")


def test_a_decline_while_another_offer_stands_appears_in_the_feed(cast):
    referral = submit(cast.submitter_caseworker)
    services.referral_route(referral=referral, by=cast.submitter_caseworker,
                            organisation_ids=[cast.offered.pk, cast.declined.pk])
    client = client_for(cast.submitter_caseworker)
    last_seen = client.get(REFERRALS, {"updated_after": "2000-01-01T00:00:00Z"}).json()["results"][-1]["updated"]

    services.offer_decline(referral=referral, by=cast.declined_caseworker, reason="Full.")
    polled = client.get(REFERRALS, {"updated_after": last_seen}).json()["results"]

    assert [r["id"] for r in polled] == [str(referral.pk)]
