"""A facility as the API shows it is built straight from the instance (FacilitySerializer's
`to_representation`), not field by field: these tests hold it equal to the declared fields' answer
(`declared_representation`, what the schema describes) for every kind of viewer and facility, so a
field added to the serializer, or a rule of what others see, cannot drift between the two."""

from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from organisations.api.serializers import FacilitySerializer

from .factories import FacilityFactory, OrganisationFactory, member, staff_user
from .test_confidential_area import SHELTER, districts, outsider, owner, shelter  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def shown(user, facility):
    """(fast, declared) as JSON, for `user`; each from a new serializer, as each request makes."""
    request = Request(RequestFactory().get("/"))
    request.user = user
    fast = FacilitySerializer(facility, context={"request": request}).data
    declared = FacilitySerializer(context={"request": request}).declared_representation(facility)
    return JSONRenderer().render(fast), JSONRenderer().render(declared)


@pytest.fixture
def facilities(shelter):  # noqa: F811 - the fixture imported above
    """The shelter in a district, a full one never reported, a stale one, and a public office."""
    operator = shelter.organisation
    never = FacilityFactory(organisation=operator, kind="shelter", location=Point(100.7, 13.9, srid=4326),
                            capacity_total=4, capacity_available=0)
    never.capacity_updated = None
    stale = FacilityFactory(organisation=OrganisationFactory(), kind="shelter", location=SHELTER.clone(),
                            capacity_total=10, capacity_available=3)
    stale.capacity_updated = timezone.now() - timedelta(days=30)
    office = FacilityFactory(organisation=OrganisationFactory(), kind="service_point",
                             location=Point(100.55, 13.71, srid=4326), languages=["th", "en"])
    return [shelter, never, stale, office]


def test_each_viewer_gets_the_same_answer_both_ways(facilities, owner, outsider):  # noqa: F811
    viewers = [owner, outsider, staff_user(), member(facilities[2].organisation, "caseworker")]
    for viewer in viewers:
        for facility in facilities:
            fast, declared = shown(viewer, facility)
            assert fast == declared, (viewer.username, facility.name)


def test_the_fast_answer_still_hides_another_organisations_shelter(facilities, owner, outsider, districts):  # noqa: F811
    safe_house = facilities[0]
    request = Request(RequestFactory().get("/"))
    request.user = outsider
    theirs = FacilitySerializer(safe_house, context={"request": request}).data
    assert theirs["location_exact"] is False
    assert theirs["location"]["coordinates"] != [SHELTER.x, SHELTER.y]
    assert theirs["area"] == districts[0].pk  # the province, not the district
    request.user = owner
    ours = FacilitySerializer(safe_house, context={"request": request}).data
    assert ours["location"]["coordinates"] == [SHELTER.x, SHELTER.y]
    assert ours["area"] == districts[1].pk


def test_the_fast_answer_names_every_declared_field(facilities, outsider):  # noqa: F811
    request = Request(RequestFactory().get("/"))
    request.user = outsider
    assert list(FacilitySerializer(facilities[0], context={"request": request}).data) == FacilitySerializer.Meta.fields
