import factory
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point

from organisations import services
from organisations.models import CoverageArea, Facility, FacilityKind, Organisation, OrganisationKind, Role

User = get_user_model()
PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.NGO
    country = "TH"
    verified = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.organisation_create(data=kwargs)


def member(organisation: Organisation, role: str = Role.ADMIN, username: str | None = None) -> User:
    """A user of the organisation in the role, created the way the API creates one."""
    username = username or f"{role}-{User.objects.count() + 1}-{str(organisation.pk)[:8]}"
    membership = services.member_add(
        organisation=organisation, username=username, password=PASSWORD,
        email=f"{username}@example.org", role=role,
    )
    return membership.user


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Facility {n}")
    kind = FacilityKind.SHELTER
    location = factory.LazyFunction(lambda: Point(100.5018, 13.7563, srid=4326))  # Bangkok
    services = factory.LazyFunction(lambda: ["shelter"])
    capacity_total = 20
    capacity_available = 5
    accepts_genders = factory.LazyFunction(lambda: ["female", "male", "transgender"])
    accepts_age_groups = factory.LazyFunction(lambda: ["child", "adult"])
    languages = factory.LazyFunction(lambda: ["th", "en"])

    @classmethod
    def _create(cls, model_class, *args, organisation, **kwargs):
        return services.facility_create(organisation=organisation, data=kwargs)


def staff_user(username: str | None = None) -> User:
    """A platform administrator (is_staff) who is nobody's member."""
    username = username or f"platform-{User.objects.count() + 1}"
    return User.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", is_staff=True
    )


class CoverageAreaFactory(factory.django.DjangoModelFactory):
    """Coverage created through the service. Pass `areas=[...]` and/or `geometry=MultiPolygon(...)`."""

    class Meta:
        model = CoverageArea

    organisation = factory.SubFactory(OrganisationFactory)
    services = factory.LazyFunction(lambda: ["shelter"])

    @classmethod
    def _create(cls, model_class, *args, organisation, **kwargs):
        return services.coverage_create(organisation=organisation, data=kwargs)
