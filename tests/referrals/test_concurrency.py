"""Races against the real database: several organisations accepting at once, and a withdrawal
racing an acceptance. Each thread has its own connection, and the requests go through the API."""

import threading

import pytest
from django.db import connection

from referrals import services
from referrals.models import OfferStatus, Referral, Status
from tests.conftest import client_for
from tests.organisations.factories import OrganisationFactory, member

from .factories import cover_country, submit

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(calls):
    """Run the callables in threads released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def contested(reference_data):
    government = OrganisationFactory(kind="government")
    submitter = member(government, "caseworker")
    ngos = [OrganisationFactory(name=f"Racing NGO {i}") for i in range(5)]
    caseworkers = []
    for ngo in ngos:
        cover_country(ngo)
        caseworkers.append(member(ngo, "caseworker"))
    referral = submit(submitter)
    services.referral_route(referral=referral, by=submitter, organisation_ids=[ngo.pk for ngo in ngos])
    return referral, submitter, caseworkers


def post(user, url):
    return lambda: client_for(user).post(url).status_code


def test_simultaneous_accepts_have_exactly_one_winner(contested):
    referral, _, caseworkers = contested
    url = f"/api/v1/referrals/{referral.pk}/accept/"
    statuses = run_at_once([post(user, url) for user in caseworkers])

    assert sorted(statuses) == [200, 409, 409, 409, 409]
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status == Status.ACCEPTED
    offers = list(referral.offers.values_list("status", flat=True))
    assert offers.count(OfferStatus.ACCEPTED) == 1
    assert offers.count(OfferStatus.LAPSED) == 4
    winner = caseworkers[statuses.index(200)]
    for user in caseworkers:
        visible = client_for(user).get(f"/api/v1/referrals/{referral.pk}/").status_code
        assert visible == (200 if user == winner else 404)


def test_withdraw_racing_accept_leaves_one_consistent_state(contested):
    referral, submitter, caseworkers = contested
    base = f"/api/v1/referrals/{referral.pk}"
    statuses = run_at_once([post(submitter, f"{base}/withdraw/"), post(caseworkers[0], f"{base}/accept/")])

    referral = Referral.objects.get(pk=referral.pk)
    withdraw_status, accept_status = statuses
    assert withdraw_status == 200  # withdrawal is allowed from offered and from accepted alike
    assert referral.status == Status.WITHDRAWN
    offers = dict(referral.offers.values_list("organisation_id", "status"))
    if accept_status == 200:  # accepted first, then withdrawn
        assert referral.accepted_by_id == caseworkers[0].membership.organisation_id
        assert list(offers.values()).count(OfferStatus.ACCEPTED) == 1
    else:  # withdrawn first: the accept found nothing to accept (409) or, when the withdrawal had
        # committed before the accept read the referral, its organisation no longer sees it (404)
        assert accept_status in (409, 404), statuses
        assert referral.accepted_by_id is None
        assert set(offers.values()) == {OfferStatus.LAPSED}
    assert not referral.offers.filter(status=OfferStatus.PENDING).exists()


def test_the_loser_who_lost_access_between_reading_and_acting_gets_the_state_not_a_viewers_403(contested):
    """The window of the race made step by step: the view found the referral for the loser, then
    the winner's acceptance lapsed the loser's offer (and its access) before the loser acted."""
    referral, _, caseworkers = contested
    winner, loser = caseworkers[0], caseworkers[1]
    seen_by_loser = Referral.objects.restrict(loser, "view").get(pk=referral.pk)
    services.offer_accept(referral=referral, by=winner)
    with pytest.raises(services.InvalidTransition) as refused:
        services.offer_accept(referral=seen_by_loser, by=loser)
    assert refused.value.current_status == Status.ACCEPTED
