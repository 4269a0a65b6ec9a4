"""`make run`'s first click shows something real: the demo keeps an offer waiting in an NGO's
console inbox, also after the earlier one expired."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from referrals import services
from referrals.models import Offer, OfferStatus

pytestmark = pytest.mark.django_db


def test_the_demo_keeps_an_offer_waiting_in_the_ngo_inbox(reference_data):
    call_command("load_demo", stdout=StringIO())
    client = Client()
    client.force_login(get_user_model().objects.get(username="haven.caseworker"))
    assert "Open offers (1)" in client.get("/app/inbox/").content.decode()
    for offer in Offer.objects.filter(status=OfferStatus.PENDING):  # a day later: every offer expired
        services.offer_expire(offer=offer)
    assert "Open offers (0)" in client.get("/app/inbox/").content.decode()
    call_command("load_demo", stdout=StringIO())
    assert "Open offers (1)" in client.get("/app/inbox/").content.decode()
    call_command("load_demo", stdout=StringIO())  # and only one
    assert Offer.objects.filter(status=OfferStatus.PENDING).count() == 1
