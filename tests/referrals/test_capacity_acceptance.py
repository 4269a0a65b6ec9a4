"""Beds that exist: routing that skips organisations whose shelters are full, a referral nobody
has a bed for, acceptance holding a bed (and the race for the last one), and beds freed again on
closing, withdrawal and consent withdrawal. On the real boundaries."""

import pytest
from django.contrib.gis.geos import Point

from organisations.models import Facility, FacilityCapacityRecord
from referrals import services
from referrals.models import EventAction, Offer, OfferStatus, Referral, Status
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.organisations.factories import FacilityFactory, OrganisationFactory, member

from .factories import cover_country, submit
from .helpers import url
from .test_concurrency import run_at_once

VIENTIANE = {"lat": 17.9757, "lon": 102.6331}
VIENTIANE_POINT = Point(102.6331, 17.9757, srid=4326)
BANGKOK_POINT = Point(100.5018, 13.7563, srid=4326)


def shelter(organisation, free: int, *, location=BANGKOK_POINT, total: int = 10, **extra):
    """A shelter that takes the cast's person (a woman of 18-20 who speaks Burmese)."""
    return FacilityFactory(organisation=organisation, location=location, capacity_total=total,
                           capacity_available=free, languages=["th", "my"], **extra)


def free_beds(facility) -> int:
    return Facility.objects.get(pk=facility.pk).capacity_available


def lao_ngo(name: str, free: int):
    organisation = OrganisationFactory(name=name, country="LA")
    cover_country(organisation, "LA")
    return organisation, member(organisation, "caseworker"), shelter(organisation, free, location=VIENTIANE_POINT)


def events_of(user, referral) -> list[dict]:
    response = client_for(user).get(url(referral, "events"))
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- routing --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_auto_routing_skips_the_full_shelter(cast):
    full = OrganisationFactory(name="Full, nearest, every service")
    cover_country(full, services_offered=("shelter", "medical", "psychosocial"))
    shelter(full, 0)
    free = OrganisationFactory(name="Free")
    cover_country(free)
    shelter(free, 2, location=Point(100.9, 13.4, srid=4326))
    referral = submit(cast.submitter_caseworker)  # needs shelter and medical

    response = client_for(cast.submitter_caseworker).post(url(referral, "route"), {"auto": True}, format="json")

    assert response.status_code == 200, response.content
    assert [offer["organisation"]["id"] for offer in response.json()["offers"]] == [str(free.pk)]


@pytest.mark.django_db
def test_nobody_with_a_bed_leaves_the_referral_submitted_and_the_timeline_says_why(cast):
    lao_ngo("Full Lao shelter", 0)
    referral = submit(cast.submitter_caseworker, location=VIENTIANE, needs=["shelter"])

    response = client_for(cast.submitter_caseworker).post(url(referral, "route"), {"auto": True}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.SUBMITTED
    assert response.json()["offers"] == []
    [event] = [e for e in events_of(cast.submitter_caseworker, referral) if e["action"] == EventAction.NO_FREE_BEDS]
    assert event["detail"] == {"need": "shelter"}
    assert event["organisation"]["id"] == str(cast.government.pk)


@pytest.mark.django_db
def test_expiry_re_routing_skips_the_full_shelter_and_says_why(cast):
    lao, _, _ = lao_ngo("Lao shelter with beds", 1)
    lao_ngo("Full Lao shelter", 0)
    referral = submit(cast.submitter_caseworker, location=VIENTIANE, needs=["shelter"])
    services.referral_route(referral=referral, by=cast.submitter_caseworker, auto=True)
    assert list(referral.offers.values_list("organisation", flat=True)) == [lao.pk]

    services.offer_expire(offer=referral.offers.get())

    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert list(referral.offers.values_list("status", flat=True)) == [OfferStatus.EXPIRED]
    actions = [e["action"] for e in events_of(cast.submitter_caseworker, referral)]
    assert actions[-2:] == [EventAction.EXPIRED, EventAction.NO_FREE_BEDS]


@pytest.mark.django_db
def test_routing_by_hand_to_a_full_organisation_is_the_submitters_choice(cast):
    """Automatic routing never picks a full shelter; a caseworker who chooses one by hand (a bed
    promised on the phone, a figure not yet updated) has seen "no free beds" in the matches."""
    full = OrganisationFactory(name="Full")
    shelter(full, 0)
    referral = submit(cast.submitter_caseworker)

    response = client_for(cast.submitter_caseworker).post(
        url(referral, "route"), {"organisations": [str(full.pk)]}, format="json")

    assert response.status_code == 200, response.content
    assert list(referral.offers.values_list("organisation_id", flat=True)) == [full.pk]


@pytest.mark.django_db
def test_a_referral_without_a_shelter_need_may_go_to_a_full_shelter(cast):
    full = OrganisationFactory(name="Full")
    shelter(full, 0)
    referral = submit(cast.submitter_caseworker, needs=["medical"])

    response = client_for(cast.submitter_caseworker).post(
        url(referral, "route"), {"organisations": [str(full.pk)]}, format="json")

    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_matches_show_the_full_shelter_last_with_the_reason(cast):
    full = OrganisationFactory(name="Full")
    cover_country(full)
    shelter(full, 0)
    referral = submit(cast.submitter_caseworker)

    matches = client_for(cast.submitter_caseworker).get(url(referral, "matches")).json()

    assert matches[-1]["organisation"]["id"] == str(full.pk)
    assert matches[-1]["beds"] == "full"
    assert "no free beds" in matches[-1]["reasons"]


# --- acceptance holds a bed -----------------------------------------------------------------------


@pytest.fixture
def haven_shelter(cast):
    return shelter(cast.offered, 2)


def accept(user, referral, body=None):
    return client_for(user).post(url(referral, "accept"), body or {}, format="json")


@pytest.mark.django_db
def test_accepting_into_a_shelter_takes_one_of_its_beds(cast, offered_referral, haven_shelter):
    response = accept(cast.offered_caseworker, offered_referral, {"facility": haven_shelter.pk})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.ACCEPTED
    assert free_beds(haven_shelter) == 1
    offer = Offer.objects.get(referral=offered_referral, organisation=cast.offered)
    assert offer.facility_id == haven_shelter.pk
    assert [o["facility"] for o in response.json()["offers"]] == [haven_shelter.pk]
    assert list(FacilityCapacityRecord.objects.filter(facility=haven_shelter).values_list(
        "capacity_available", flat=True)) == [2, 1]
    accepted = offered_referral.events.get(action=EventAction.ACCEPTED)
    assert accepted.detail == {"facility": haven_shelter.pk}


@pytest.mark.django_db
def test_accepting_without_a_facility_holds_no_bed(cast, offered_referral, haven_shelter):
    assert accept(cast.offered_caseworker, offered_referral).status_code == 200
    assert free_beds(haven_shelter) == 2


def _other_organisations_shelter(cast):
    return shelter(cast.declined, 5).pk


def _own_office(cast):
    return FacilityFactory(organisation=cast.offered, kind="office", services=["medical"]).pk


def _unknown(cast):
    return 987654321


@pytest.mark.django_db
@pytest.mark.parametrize("facility", [_other_organisations_shelter, _own_office, _unknown],
                         ids=["another-organisations-shelter", "not-a-shelter", "no-such-facility"])
def test_accepting_into_a_facility_that_is_not_one_of_ours_is_refused(cast, offered_referral, facility):
    facility_id = facility(cast)

    response = accept(cast.offered_caseworker, offered_referral, {"facility": facility_id})

    assert_problem(response, 400, "facility")
    assert Referral.objects.get(pk=offered_referral.pk).status == Status.OFFERED
    assert not Facility.objects.filter(pk=facility_id, capacity_available__lt=5, kind="shelter").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{"facility": "two"}, {"facility": 0}, {"facility": 2**63}])
def test_a_malformed_facility_is_400(cast, offered_referral, body):
    assert_problem(accept(cast.offered_caseworker, offered_referral, body), 400, "facility")


@pytest.mark.django_db
def test_a_shelter_without_a_free_bed_answers_409(cast, offered_referral):
    full = shelter(cast.offered, 0)

    response = accept(cast.offered_caseworker, offered_referral, {"facility": full.pk})

    body = assert_problem(response, 409)
    assert body["capacity_available"] == 0
    assert body["facility"] == full.pk
    referral = Referral.objects.get(pk=offered_referral.pk)
    assert referral.status == Status.OFFERED
    assert referral.offers.get(organisation=cast.offered).status == OfferStatus.PENDING
    assert free_beds(full) == 0


@pytest.mark.django_db
def test_the_refusals_come_before_the_bed(cast, offered_referral, haven_shelter):
    """A viewer (403) or an organisation without an offer takes no bed."""
    assert_problem(accept(cast.offered_viewer, offered_referral, {"facility": haven_shelter.pk}), 403)
    assert_problem(accept(cast.submitter_caseworker, offered_referral, {"facility": haven_shelter.pk}), 403)
    assert_problem(accept(cast.other_ngo_caseworker, offered_referral, {"facility": haven_shelter.pk}), 404)
    assert free_beds(haven_shelter) == 2


# --- beds freed -------------------------------------------------------------------------------------


def _close(cast, referral):
    return client_for(cast.offered_caseworker).post(url(referral, "close"), {"reason": ""}, format="json")


def _withdraw(cast, referral):
    return client_for(cast.submitter_caseworker).post(url(referral, "withdraw"))


def _withdraw_consent(cast, referral):
    return client_for(cast.submitter_caseworker).post(url(referral, "withdraw-consent"))


@pytest.mark.django_db
@pytest.mark.parametrize("end", [_close, _withdraw, _withdraw_consent], ids=["close", "withdraw", "consent"])
def test_the_bed_is_freed_when_the_referral_ends(cast, offered_referral, haven_shelter, end):
    assert accept(cast.offered_caseworker, offered_referral, {"facility": haven_shelter.pk}).status_code == 200
    assert free_beds(haven_shelter) == 1

    response = end(cast, offered_referral)

    assert response.status_code == 200, response.content
    assert free_beds(haven_shelter) == 2
    offer = Offer.objects.get(referral=offered_referral, organisation=cast.offered)
    assert offer.bed_released is not None
    assert offer.facility_id == haven_shelter.pk
    assert list(FacilityCapacityRecord.objects.filter(facility=haven_shelter).values_list(
        "capacity_available", flat=True)) == [2, 1, 2]


@pytest.mark.django_db
def test_a_bed_is_freed_once_and_never_above_the_total(cast, offered_referral, haven_shelter):
    accept(cast.offered_caseworker, offered_referral, {"facility": haven_shelter.pk})
    # The shelter reports itself full of others' guests in the meantime, with a smaller total.
    Facility.objects.filter(pk=haven_shelter.pk).update(capacity_total=1, capacity_available=1)

    assert _close(cast, offered_referral).status_code == 200
    assert free_beds(haven_shelter) == 1
    assert _withdraw_consent(cast, offered_referral).status_code == 200  # closed already: nothing held
    assert free_beds(haven_shelter) == 1


# --- the race for the last bed ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_accepts_racing_for_the_last_bed_have_exactly_one_winner(reference_data):
    government = OrganisationFactory(kind="government")
    submitter = member(government, "caseworker")
    ngo = OrganisationFactory(name="One bed left")
    cover_country(ngo)
    last_bed = shelter(ngo, 1)
    caseworkers = [member(ngo, "caseworker"), member(ngo, "admin")]
    referrals = [submit(submitter) for _ in caseworkers]
    for referral in referrals:
        services.referral_route(referral=referral, by=submitter, organisation_ids=[ngo.pk])

    def accept_into_the_last_bed(user, referral):
        def call():
            response = client_for(user).post(url(referral, "accept"), {"facility": last_bed.pk}, format="json")
            return response.status_code, response.json()
        return call

    results = run_at_once([accept_into_the_last_bed(user, referral) for user, referral in zip(caseworkers, referrals,
                                                                                              strict=True)])

    assert sorted(status for status, _ in results) == [200, 409]
    [(_, conflict)] = [result for result in results if result[0] == 409]
    assert conflict["capacity_available"] == 0
    assert free_beds(last_bed) == 0
    statuses = sorted(Referral.objects.filter(pk__in=[r.pk for r in referrals]).values_list("status", flat=True))
    assert statuses == [Status.ACCEPTED, Status.OFFERED]
    assert Offer.objects.filter(facility=last_bed).count() == 1
