"""The reflection and recovery period: per-country days set by platform administrators, the
regional default otherwise, and one reminder before it ends."""

import datetime
from datetime import timedelta

import pytest

from identification.models import CountrySetting
from identification.services import identification_decide
from identification.tasks import remind_reflection_periods
from referrals.models import OutboxEvent, ReferralEvent
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.identification.conftest import today
from tests.referrals.factories import submit
from tests.referrals.helpers import accept, url

COUNTRIES = "/api/v1/countries/"
pytestmark = pytest.mark.django_db


def test_members_read_the_countries(cast, api, settings):
    settings.REFLECTION_PERIOD_DAYS = 30
    CountrySetting.objects.create(country="ID", reflection_period_days=60)
    assert_problem(api.get(COUNTRIES), 401)
    listed = {item["code"]: item for item in client_for(cast.submitter_viewer).get(COUNTRIES).json()}
    assert (listed["TH"]["reflection_period_days"], listed["TH"]["regional_default"]) == (30, True)
    assert (listed["ID"]["reflection_period_days"], listed["ID"]["regional_default"]) == (60, False)
    one = client_for(cast.offered_caseworker).get(f"{COUNTRIES}th/")
    assert one.json()["code"] == "TH"
    assert_problem(client_for(cast.offered_caseworker).get(f"{COUNTRIES}ZZ/"), 404)
    assert_problem(client_for(cast.platform_admin).patch(f"{COUNTRIES}FR/", {"reflection_period_days": 9},
                                                         format="json"), 404)  # not a member state


def test_only_platform_administrators_set_the_days(cast):
    for user in (cast.submitter_admin, cast.offered_caseworker):
        assert_problem(client_for(user).patch(f"{COUNTRIES}TH/", {"reflection_period_days": 45}, format="json"), 403)
    assert not CountrySetting.objects.exists()
    admin = client_for(cast.platform_admin)
    for days in (0, 366, "many"):
        assert_problem(admin.patch(f"{COUNTRIES}TH/", {"reflection_period_days": days}, format="json"), 400,
                       "reflection_period_days")
    response = admin.patch(f"{COUNTRIES}TH/", {"reflection_period_days": 45}, format="json")
    assert response.status_code == 200
    assert response.json() == {"code": "TH", "name": response.json()["name"], "reflection_period_days": 45,
                               "regional_default": False}


def test_the_end_is_computed_per_country(cast, competent, settings):
    settings.REFLECTION_PERIOD_DAYS = 30
    CountrySetting.objects.create(country="ID", reflection_period_days=90)
    thai = submit(cast.submitter_caseworker)  # located in Bangkok
    indonesian = submit(cast.submitter_caseworker, location={"lat": -6.2088, "lon": 106.8456})  # Jakarta
    reader = client_for(cast.submitter_caseworker)
    for referral in (thai, indonesian):
        # the competent NGO is offered it, so that it sees it
        routed = reader.post(url(referral, "route"), {"organisations": [str(competent.pk)]}, format="json")
        assert routed.status_code == 200, routed.content
        identification_decide(referral=referral, by=cast.offered_caseworker, decision="identified", decided_on=today())
    assert reader.get(url(thai)).json()["reflection_period_ends"] == (today() + timedelta(days=30)).isoformat()
    assert reader.get(url(indonesian)).json()["reflection_period_ends"] == (today() + timedelta(days=90)).isoformat()


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)


def test_the_submitter_and_the_accepting_organisation_are_reminded_once(cast, offered_referral, competent, settings):
    settings.REFLECTION_PERIOD_DAYS, settings.REFLECTION_REMINDER_DAYS = 30, 7
    referral = accept(offered_referral, cast.offered_caseworker)
    identification_decide(referral=referral, by=cast.offered_caseworker, decision="presumed", decided_on=today())
    ends = today() + timedelta(days=30)
    assert remind_reflection_periods(now=at(ends - timedelta(days=8))) == 0  # not yet
    assert remind_reflection_periods(now=at(ends - timedelta(days=7))) == 1
    assert remind_reflection_periods(now=at(ends - timedelta(days=3))) == 0  # once
    event = ReferralEvent.objects.get(referral=referral, action="reflection_period_ending")
    assert event.detail == {"ends": ends.isoformat()}
    outbox = OutboxEvent.objects.get(referral=referral, type="referral.reflection_ending")
    assert set(outbox.audience) == {cast.government.pk, competent.pk}
    assert remind_reflection_periods(now=at(ends + timedelta(days=1))) == 0  # over


def test_no_reminder_without_a_period(cast, offered_referral, competent, settings):
    settings.REFLECTION_PERIOD_DAYS = 10
    identification_decide(referral=offered_referral, by=cast.offered_caseworker, decision="not_identified",
                          decided_on=today())
    assert remind_reflection_periods(now=at(today() + timedelta(days=5))) == 0
    assert not OutboxEvent.objects.filter(type="referral.reflection_ending").exists()
