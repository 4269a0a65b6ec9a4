"""The "who does what where" (3W) table of activities, as humanitarian 3W/4W tables are shared:
one row per activity and place, a header row of names and a second row of HXL hashtags
(Humanitarian Exchange Language, hxlstandard.org) that tools such as libhxl and HXL Proxy read;
and the same activities as a GeoJSON FeatureCollection.

A place is each administrative area the activity names (its country, and its province and
district where the area is one); an activity that names no area is one row in its organisation's
country (its drawn place, if any, is in the GeoJSON)."""

import json
from collections.abc import Iterable

from geo.models import AdministrativeLevel

from .models import Activity

# (column name, HXL hashtag with attributes, what it holds)
COLUMNS = [
    ("Organisation", "#org +name", "Name of the organisation running the activity."),
    ("Organisation id", "#org +id", "Its id in this network (UUID)."),
    ("Organisation type", "#org +type", "government, ngo or international."),
    ("Activity id", "#activity +id", "Id of the activity in this network."),
    ("Activity type", "#activity +type +code", "prevention, awareness, training, capacity_building, research, "
                                              "victim_assistance, policy or coordination."),
    ("Activity", "#activity +name", "Title of the activity."),
    ("Description", "#activity +description", "Public description."),
    ("Country code", "#country +code", "ISO 3166-1 alpha-2."),
    ("Province", "#adm1 +name", "Province (ADM1) where the area named is one or lies in one."),
    ("Province code", "#adm1 +code", "Its code."),
    ("District", "#adm2 +name", "District (ADM2) where the area named is one."),
    ("District code", "#adm2 +code", "Its code."),
    ("Start", "#date +start", "ISO 8601 date."),
    ("End", "#date +end", "ISO 8601 date; empty while ongoing."),
    ("Target groups", "#targeted +type", "';'-separated codes."),
    ("Partners", "#org +partner +name", "';'-separated: partner organisations of the network, then others by name."),
    ("Partner ids", "#org +partner +id", "';'-separated ids of the partner organisations in the network."),
]
HEADERS = [name for name, _, _ in COLUMNS]
HASHTAGS = [tag for _, tag, _ in COLUMNS]


def _place(area) -> dict:
    place = {"Country code": area.country, "Province": "", "Province code": "", "District": "", "District code": ""}
    if area.level == AdministrativeLevel.PROVINCE:
        place.update({"Province": area.name, "Province code": area.code})
    elif area.level == AdministrativeLevel.DISTRICT:
        place.update({"District": area.name, "District code": area.code})
        if area.parent is not None and area.parent.level == AdministrativeLevel.PROVINCE:
            place.update({"Province": area.parent.name, "Province code": area.parent.code})
    return place


def _partners(activity: Activity) -> tuple[str, str]:
    partners = list(activity.partners.all())
    names = [partner.name for partner in partners] + list(activity.partner_names)
    return ";".join(names), ";".join(str(partner.pk) for partner in partners)


def rows(activities: Iterable[Activity]) -> list[dict]:
    """One dict per activity and place, keyed by column name."""
    table = []
    for activity in activities:
        partner_names, partner_ids = _partners(activity)
        common = {
            "Organisation": activity.organisation.name,
            "Organisation id": str(activity.organisation_id),
            "Organisation type": activity.organisation.kind,
            "Activity id": activity.pk,
            "Activity type": activity.kind,
            "Activity": activity.title,
            "Description": activity.description,
            "Start": activity.start.isoformat(),
            "End": activity.end.isoformat() if activity.end else "",
            "Target groups": ";".join(activity.target_groups),
            "Partners": partner_names,
            "Partner ids": partner_ids,
        }
        areas = list(activity.areas.all())
        places = [_place(area) for area in areas] or [_place_of_organisation(activity)]
        table.extend({**common, **place} for place in places)
    return table


def _place_of_organisation(activity: Activity) -> dict:
    return {"Country code": activity.organisation.country, "Province": "", "Province code": "",
            "District": "", "District code": ""}


def feature_collection(activities: Iterable[Activity]) -> dict:
    """RFC 7946: one Feature per activity; its geometry is the drawn place (null when it names
    areas only: their outlines are in /api/v1/geo/areas/{id}/)."""
    features = []
    for activity in activities:
        partner_names, _ = _partners(activity)
        geometry = activity.geometry
        features.append({
            "type": "Feature",
            "id": activity.pk,
            "geometry": None if geometry is None else _geojson(geometry),
            "properties": {
                "organisation": str(activity.organisation_id),
                "organisation_name": activity.organisation.name,
                "kind": activity.kind,
                "title": activity.title,
                "description": activity.description,
                "areas": [area.pk for area in activity.areas.all()],
                "countries": sorted({area.country for area in activity.areas.all()} or {activity.organisation.country}),
                "start": activity.start.isoformat(),
                "end": activity.end.isoformat() if activity.end else None,
                "target_groups": list(activity.target_groups),
                "partners": [str(partner.pk) for partner in activity.partners.all()],
                "partner_names": partner_names.split(";") if partner_names else [],
            },
        })
    return {"type": "FeatureCollection", "features": features}


def _geojson(geometry) -> dict:
    return json.loads(geometry.geojson)
