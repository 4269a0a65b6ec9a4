"""The only way to change organisations, members and the directory. Each service is atomic,
validates what it is given, and changes permissions in the same transaction."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.gis.db.models import Union
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from geo.models import AdministrativeLevel, AreaPiece
from geo.selectors import smallest_area_containing

from . import permissions
from .exceptions import NoFreeBeds
from .models import (
    CoverageArea,
    Facility,
    FacilityCapacityRecord,
    FacilityKind,
    Membership,
    MembershipAction,
    MembershipEvent,
    Organisation,
    ServiceType,
)

User = get_user_model()

ORGANISATION_FIELDS = {"name", "kind", "country", "verified", "identifies_victims", "focal_point", "description",
                       "website"}
FACILITY_FIELDS = {
    "name", "kind", "location", "services", "capacity_total", "capacity_available",
    "accepts_genders", "accepts_age_groups", "languages",
}


def validate_service_codes(codes: list[str], *, field: str = "services") -> list[str]:
    """Refuse codes that are not in the taxonomy; keep the order, drop repeats."""
    unique = list(dict.fromkeys(codes))
    known = set(ServiceType.objects.filter(code__in=unique).values_list("code", flat=True))
    unknown = [code for code in unique if code not in known]
    if unknown:
        raise ValidationError({field: _("unknown service code(s): %(codes)s") % {"codes": ", ".join(unknown)}})
    return unique


def _save(instance, fields: dict) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()


@transaction.atomic
def organisation_create(*, data: dict) -> Organisation:
    organisation = Organisation()
    _save(organisation, {k: v for k, v in data.items() if k in ORGANISATION_FIELDS})
    permissions.role_groups_create(organisation=organisation)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, data: dict, by=None) -> Organisation:
    """`by`, when given, must be allowed to change the verification if `data` changes it."""
    if by is not None and "verified" in data and data["verified"] != organisation.verified:
        permissions.require_verify(by)
    competence = data.get("identifies_victims", organisation.identifies_victims)
    if by is not None and competence != organisation.identifies_victims:
        permissions.require_set_identifies_victims(by)
    if by is not None and "focal_point" in data and data["focal_point"] != organisation.focal_point:
        permissions.require_set_focal_point(by)
    _save(organisation, {k: v for k, v in data.items() if k in ORGANISATION_FIELDS})
    return organisation


def member_login_name(*, organisation: Organisation, name: str) -> str:
    """The login name of a member an organisation's admin onboards as `name`: the name in the
    organisation's own namespace (`name@<first 8 hex digits of its id>`)."""
    return f"{name}@{organisation.pk.hex[:8]}"


@transaction.atomic
def member_onboard(
    *, organisation: Organisation, name: str, password: str, email: str = "", role: str, by=None
) -> Membership:
    """Onboard a member through the API. Login names are global, so an admin who could pick any
    name would learn from a refusal that it is taken somewhere, by someone of another organisation
    (and so that this person works in the network). Names chosen by an admin live in the
    organisation's namespace instead: the only names it can collide with are its own members',
    current or former, whom it knows anyway; an unknown name and a name taken elsewhere are the
    same request, with the same answer and the same work."""
    username = member_login_name(organisation=organisation, name=name)
    if len(username) > User._meta.get_field("username").max_length:
        raise ValidationError({"username": _("at most %(count)s characters") % {
            "count": User._meta.get_field("username").max_length - 9}})
    return member_add(organisation=organisation, username=username, password=password, email=email, role=role, by=by)


@transaction.atomic
def member_add(
    *, organisation: Organisation, username: str, password: str, email: str = "", role: str, by=None
) -> Membership:
    """Create the account `username` (exactly: platform tooling and the demo) as a member."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("this username cannot be used; choose another")})
    user = User(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.full_clean()
    user.save()
    membership = Membership(user=user, organisation=organisation, role=role)
    membership.full_clean()
    membership.save()
    permissions.membership_groups_sync(membership=membership)
    _membership_record(membership, MembershipAction.ADDED, by=by)
    return membership


def _membership_record(membership: Membership, action: str, *, by) -> None:
    MembershipEvent.objects.create(
        organisation_id=membership.organisation_id, member_id=membership.user_id, action=action,
        role=membership.role, by=by if by is not None and by.is_authenticated else None,
    )


@transaction.atomic
def member_change_role(*, membership: Membership, role: str, by=None) -> Membership:
    if role == membership.role:
        return membership
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    permissions.membership_groups_sync(membership=membership)
    _membership_record(membership, MembershipAction.ROLE_CHANGED, by=by)
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, by=None) -> None:
    """Remove the member: their groups, their tokens and their account go at once, so that no
    session or token issued before keeps working. `by`, when given, must be allowed to remove them."""
    if by is not None:
        permissions.require_remove_member(by, membership)
    user = membership.user
    _membership_record(membership, MembershipAction.REMOVED, by=by)
    permissions.membership_groups_clear(membership=membership)
    AuthToken.objects.filter(user=user).delete()
    membership.delete()
    user.is_active = False
    user.save(update_fields=["is_active"])


def _facility_fields(data: dict) -> dict:
    fields = {k: v for k, v in data.items() if k in FACILITY_FIELDS}
    if "services" in fields:
        fields["services"] = validate_service_codes(fields["services"])
    for name in ("accepts_genders", "accepts_age_groups", "languages"):
        if name in fields:
            fields[name] = list(dict.fromkeys(fields[name]))
    if "location" in fields:
        location: Point = fields["location"]
        location.srid = 4326
        fields["area"] = smallest_area_containing(point=location)
    return fields


def _check_same_organisation(entry: Facility | CoverageArea, data: dict) -> None:
    organisation = data.get("organisation")
    if organisation is not None and organisation.pk != entry.organisation_id:
        raise ValidationError({"organisation": _("This entry cannot move to another organisation.")})


def _check_capacity(facility: Facility) -> None:
    if facility.capacity_available > facility.capacity_total:
        raise ValidationError({"capacity_available": _("cannot exceed capacity_total (%(total)s)") % {
            "total": facility.capacity_total}})


def _capacity_record(facility: Facility) -> None:
    """Keep the figure (occupancy over time) and mark it fresh, in the caller's transaction."""
    area = facility.area
    FacilityCapacityRecord.objects.create(
        facility_id=facility.pk, kind=facility.kind,
        country=area.country if area is not None else facility.organisation.country,
        recorded=facility.capacity_updated or timezone.now(),
        capacity_available=facility.capacity_available, capacity_total=facility.capacity_total,
    )


CAPACITY_FIELDS = {"capacity_available", "capacity_total"}


@transaction.atomic
def facility_create(*, organisation: Organisation, data: dict) -> Facility:
    facility = Facility(organisation=organisation)
    fields = _facility_fields(data)
    for name, value in fields.items():
        setattr(facility, name, value)
    _check_capacity(facility)
    facility.capacity_updated = timezone.now()
    facility.full_clean()
    facility.save()
    _capacity_record(facility)
    return facility


@transaction.atomic
def facility_update(*, facility: Facility, data: dict) -> Facility:
    """A figure given (even the same one) is a fresh report: capacity_updated moves on."""
    _check_same_organisation(facility, data)
    for name, value in _facility_fields(data).items():
        setattr(facility, name, value)
    _check_capacity(facility)
    if CAPACITY_FIELDS & set(data):
        facility.capacity_updated = timezone.now()
    facility.full_clean()
    facility.save()
    if CAPACITY_FIELDS & set(data):
        _capacity_record(facility)
    return facility


@transaction.atomic
def facility_capacity_update(*, facility: Facility, capacity_available: int) -> Facility:
    """The daily routine: today's free beds (400 above capacity_total). Locks the row, so that a
    bed taken by an acceptance meanwhile is not silently written over with a figure read before."""
    facility = Facility.objects.select_for_update(of=("self",)).select_related("organisation", "area").get(
        pk=facility.pk
    )
    facility.capacity_available = capacity_available
    _check_capacity(facility)
    facility.capacity_updated = timezone.now()
    facility.save(update_fields=["capacity_available", "capacity_updated", "updated"])
    _capacity_record(facility)
    return facility


@transaction.atomic
def facility_delete(*, facility: Facility) -> None:
    """The last record of a deleted facility is 0 of 0: occupancy over time keeps its past."""
    facility.capacity_available = facility.capacity_total = 0
    facility.capacity_updated = timezone.now()
    _capacity_record(facility)
    Facility.objects.filter(pk=facility.pk).delete()


def _shelter_of(organisation: Organisation, facility_id) -> Facility:
    facility = Facility.objects.filter(pk=facility_id, organisation=organisation, kind=FacilityKind.SHELTER).first()
    if facility is None:
        raise ValidationError({"facility": _("%(facility)s is not one of your organisation's shelters") % {
            "facility": facility_id}})
    return facility


@transaction.atomic
def facility_bed_take(*, organisation: Organisation, facility_id) -> Facility:
    """Hold one bed of the organisation's shelter: 400 naming `facility` for anything but one of
    its shelters, NoFreeBeds (409) when none is left. One conditional UPDATE: of two takers of
    the last bed, the second waits for the first's row lock, re-reads the row and finds none."""
    facility = _shelter_of(organisation, facility_id)
    now = timezone.now()
    taken = Facility.objects.filter(pk=facility.pk, capacity_available__gt=0).update(
        capacity_available=F("capacity_available") - 1, capacity_updated=now, updated=now
    )
    if not taken:
        raise NoFreeBeds(facility.pk)
    facility.refresh_from_db()
    _capacity_record(facility)
    return facility


@transaction.atomic
def facility_bed_release(*, facility_id) -> None:
    """Give a held bed back (never above capacity_total, which may have shrunk meanwhile)."""
    now = timezone.now()
    released = Facility.objects.filter(pk=facility_id).update(
        capacity_available=Least(F("capacity_available") + Value(1), F("capacity_total")),
        capacity_updated=now, updated=now,
    )
    if released:
        _capacity_record(Facility.objects.select_related("organisation", "area").get(pk=facility_id))


# How far a drawn coverage may reach past the declared member states' boundaries, in degrees (about
# 5.5 km at these latitudes): Natural Earth's 1:10m coastlines and borders are simplified, and a
# shape drawn along a coast or a border river should not be refused for that.
COVERAGE_BOUNDARY_TOLERANCE = 0.05


def declared_countries(organisation: Organisation) -> list[str]:
    """The member states an organisation declares it works in: its own country, and the country of
    every administrative area its coverage names."""
    through = CoverageArea.areas.through
    covered = through.objects.filter(coveragearea__organisation=organisation).values_list(
        "administrativearea__country", flat=True
    )
    return sorted({organisation.country, *covered})


def _check_within_declared_countries(coverage: CoverageArea) -> None:
    """A drawn coverage lies within the member states its organisation declares: a shape that
    reaches into another country, the open sea or across the map (an antimeridian crossing read as
    a band around the world) would make the organisation a match for referrals far outside them."""
    if coverage.geometry is not None:
        check_within_countries(coverage.geometry, declared_countries(coverage.organisation))


def check_within_countries(shape, countries: list[str]) -> None:
    """Refuse (400 naming `geometry`) a shape (polygon or point) that reaches outside the land of
    these member states, give or take COVERAGE_BOUNDARY_TOLERANCE. Also used for activities."""
    west, south, east, north = shape.extent
    margin = 2 * COVERAGE_BOUNDARY_TOLERANCE
    window = Polygon.from_bbox((west - margin, south - margin, east + margin, north + margin))
    window.srid = 4326
    # Only the boundary pieces near the shape (ST_Subdivide's, GiST-indexed): a country's whole
    # outline has tens of thousands of vertices.
    land = AreaPiece.objects.filter(
        area__level=AdministrativeLevel.COUNTRY, area__country__in=countries, geometry__bboverlaps=window
    ).aggregate(land=Union("geometry"))["land"]
    if land is None or not land.buffer(COVERAGE_BOUNDARY_TOLERANCE).covers(shape):
        raise ValidationError({"geometry": _(
            "The drawn area reaches outside the member states this organisation declares "
            "(%(countries)s: its country and the countries of the areas it covers). Draw within "
            "their boundaries, or first cover an area of the other country."
        ) % {"countries": ", ".join(countries)}}, code="outside_declared_countries")


def _coverage_apply(coverage: CoverageArea, data: dict) -> None:
    if "services" in data:
        coverage.services = validate_service_codes(data["services"])
    if "geometry" in data:
        geometry = data["geometry"]
        if geometry is not None and not isinstance(geometry, MultiPolygon):
            geometry = MultiPolygon(geometry, srid=4326)
        coverage.geometry = geometry
    if not coverage.services:
        raise ValidationError({"services": _("name at least one service offered over this coverage")})
    coverage.full_clean(exclude=["areas"])
    coverage.save()
    if "areas" in data:
        coverage.areas.set(data["areas"])
    if coverage.geometry is None and not coverage.areas.exists():
        raise ValidationError({"areas": _("give administrative areas, a geometry, or both")})
    if "geometry" in data or "areas" in data:
        _check_within_declared_countries(coverage)


@transaction.atomic
def coverage_create(*, organisation: Organisation, data: dict) -> CoverageArea:
    coverage = CoverageArea(organisation=organisation)
    _coverage_apply(coverage, data)
    return coverage


@transaction.atomic
def coverage_update(*, coverage: CoverageArea, data: dict) -> CoverageArea:
    _check_same_organisation(coverage, data)
    _coverage_apply(coverage, data)
    return coverage

