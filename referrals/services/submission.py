"""Submitting a referral and correcting it: the case hash, screening of free text, the location."""

import hashlib
import hmac

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from geo.models import AdministrativeArea
from geo.selectors import coarsen_point, representative_point, smallest_area_containing
from organisations.services import validate_service_codes

from .. import permissions
from ..exceptions import InvalidTransition, StaleVersion
from ..models import EventAction, Referral, Status
from ..screening import PersonalDataFound, screen
from .events import event_record
from .locking import locked, rights_before_lock

EDITABLE_FIELDS = ("needs", "urgency", "notes")


def referral_version(referral: Referral) -> str:
    """A token that changes with every change of the referral (its ETag)."""
    return hashlib.sha256(f"{referral.pk}:{referral.updated.isoformat()}".encode()).hexdigest()[:20]


def subject_hash(*, organisation_id, case_reference: str) -> str:
    """Keyed hash of the submitter's own case id, per organisation: the same person referred twice
    by one agency links up; nobody can go from the hash back to the case id."""
    normalised = " ".join(case_reference.split()).casefold()
    message = f"{organisation_id}:{normalised}".encode()
    return hmac.new(settings.REFERRAL_SUBJECT_KEY.encode(), message, hashlib.sha256).hexdigest()


def screen_fields(**texts: str) -> None:
    """Refuse free text that contains personal data, naming the field and the kind of data."""
    for field, text in texts.items():
        try:
            screen(text or "")
        except PersonalDataFound as error:
            raise ValidationError({field: str(error)}, code="personal_data") from error


def _resolve_location(location: dict) -> tuple[AdministrativeArea | None, Point]:
    if "area" in location:
        area: AdministrativeArea = location["area"]
        return area, coarsen_point(representative_point(area=area))
    point = Point(location["lon"], location["lat"], srid=4326)
    # The exact point is used once, here, to find its area, and never stored.
    return smallest_area_containing(point=point), coarsen_point(point)


@transaction.atomic
def referral_submit(*, by, data: dict) -> Referral:
    organisation = permissions.require_may_submit(by)
    screen_fields(notes=data.get("notes", ""))
    area, point = _resolve_location(data["location"])
    profile = data["profile"]
    referral = Referral(
        submitting_organisation=organisation,
        submitted_by=by,
        subject_hash=subject_hash(organisation_id=organisation.pk, case_reference=data["case_reference"]),
        age_band=profile["age_band"],
        gender=profile["gender"],
        nationality=profile.get("nationality", ""),
        languages=list(dict.fromkeys(profile.get("languages", []))),
        exploitation_types=list(dict.fromkeys(data["exploitation_types"])),
        indicators=list(dict.fromkeys(data.get("indicators", []))),
        needs=validate_service_codes(data["needs"], field="needs"),
        urgency=data["urgency"],
        area=area,
        location=point,
        consent_basis=data["consent"]["basis"],
        notes=data.get("notes", ""),
    )
    # The related rows were read just above and the key is a new UUID: the database's foreign keys
    # and primary key hold what these checks would read again (four round trips per submission).
    referral.full_clean(exclude=["submitting_organisation", "submitted_by", "area"], validate_unique=False)
    referral.save()
    permissions.grant_submitter(referral)
    event_record(referral, EventAction.SUBMITTED, by=by, organisation=organisation)
    return referral


@transaction.atomic
def referral_update(*, referral: Referral, by, data: dict, expected_version: str | None) -> Referral:
    """The submitter corrects needs, urgency or notes while the referral is still `submitted`.
    Refused when someone changed it since the caller read it (no lost update); None means the
    caller accepts any version (`If-Match: *`)."""
    rights = rights_before_lock(by, referral)
    referral = locked(referral)
    if expected_version is not None and referral_version(referral) != expected_version:
        raise StaleVersion(_("The referral changed since you read it; read it again and reapply your change."))
    if referral.status != Status.SUBMITTED:
        raise InvalidTransition(referral, _("A referral that is %(status)s can no longer be edited.") % {
            "status": Status(referral.status).label})
    permissions.require_manage_referral(rights)
    changes = {name: data[name] for name in EDITABLE_FIELDS if name in data}
    if "notes" in changes:
        screen_fields(notes=changes["notes"])
    if "needs" in changes:
        changes["needs"] = validate_service_codes(changes["needs"], field="needs")
    for name, value in changes.items():
        setattr(referral, name, value)
    referral.full_clean()
    referral.save(update_fields=[*changes, "updated"])
    event_record(referral, EventAction.UPDATED, by=by, organisation=referral.submitting_organisation,
                 fields=sorted(changes))
    return referral
