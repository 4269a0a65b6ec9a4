"""The only way to change activities. Each service is atomic and validates what it is given:
dates in order, partners other than the organisation itself, and a place within the member states
the organisation works in (the same check as drawn coverage)."""

from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from organisations.services import check_within_countries, declared_countries

from .models import Activity

ACTIVITY_FIELDS = {"kind", "title", "description", "geometry", "start", "end", "target_groups", "partner_names"}


def _countries(activity: Activity) -> list[str]:
    """Where the organisation declares it works, and the countries of the activity's own areas."""
    named = activity.areas.values_list("country", flat=True)
    return sorted({*declared_countries(activity.organisation), *named})


def _apply(activity: Activity, data: dict) -> Activity:
    for name, value in data.items():
        if name not in ACTIVITY_FIELDS:
            continue
        if name == "geometry" and isinstance(value, Polygon):
            value = MultiPolygon(value, srid=4326)
        if name in {"target_groups", "partner_names"}:
            value = list(dict.fromkeys(value))
        setattr(activity, name, value)
    if activity.end is not None and activity.end < activity.start:
        raise ValidationError({"end": _("must be on or after start (%(start)s)")
                % {"start": activity.start.isoformat()}})
    activity.full_clean(exclude=["areas", "partners"])
    activity.save()
    if "areas" in data:
        activity.areas.set(data["areas"])
    if "partners" in data:
        partners = list(dict.fromkeys(data["partners"]))
        if any(partner.pk == activity.organisation_id for partner in partners):
            raise ValidationError({"partners": _("an organisation is not its own partner")})
        activity.partners.set(partners)
    if activity.geometry is None and not activity.areas.exists():
        raise ValidationError({"areas": _("give administrative areas, a geometry, or both")})
    if activity.geometry is not None and ({"geometry", "areas"} & set(data)):
        check_within_countries(activity.geometry, _countries(activity))
    return activity


def _check_same_organisation(activity: Activity, data: dict) -> None:
    organisation = data.get("organisation")
    if organisation is not None and organisation.pk != activity.organisation_id:
        raise ValidationError({"organisation": _("An activity cannot move to another organisation.")})


@transaction.atomic
def activity_create(*, organisation: Organisation, data: dict) -> Activity:
    return _apply(Activity(organisation=organisation), data)


@transaction.atomic
def activity_update(*, activity: Activity, data: dict) -> Activity:
    _check_same_organisation(activity, data)
    return _apply(activity, data)


@transaction.atomic
def activity_delete(*, activity: Activity) -> None:
    activity.delete()
