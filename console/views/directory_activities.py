"""The directory map's activities layer: who does what where, as GeoJSON. Read with the
activities selectors under the API's rule (every member of the network and platform staff read,
activities.permissions.restrict_activities); drawn places as drawn, named areas as their coarse
outlines, as the coverage layer shows them."""

import json

from activities import selectors as activity_selectors
from geo.selectors import simplified_outlines
from organisations import permissions

from .directory import _filters, feature_collection
from .pages import ConsolePage


def activity_features(activities) -> list[dict]:
    activities = list(activities)
    area_ids = {area.pk for activity in activities for area in activity.areas.all()}
    outlines = simplified_outlines(area_ids=area_ids, tolerance=0.02) if area_ids else {}
    features = []
    for activity in activities:
        shapes = [outlines[area.pk][2] for area in activity.areas.all() if area.pk in outlines]
        if activity.geometry is not None:
            shapes.append(json.loads(activity.geometry.geojson))
        if not shapes:
            continue  # an activity named by its organisation's country only: on the list, not the map
        features.append({
            "type": "Feature",
            "geometry": {"type": "GeometryCollection", "geometries": shapes},
            "properties": {
                "layer": "activity", "name": activity.title, "kind": activity.get_kind_display(),
                "organisation": activity.organisation.name,
                "start": activity.start.isoformat(), "end": activity.end.isoformat() if activity.end else None,
                "partners": [partner.name for partner in activity.partners.all()],
            },
        })
    return features


class DirectoryActivitiesView(ConsolePage):
    """The activities the user reads, in the country asked for (the service filter is the
    facilities' and coverage's: activities name no services)."""

    def get(self, request):
        permissions.require_network_user(request.user)
        filters = _filters(request)
        activities = activity_selectors.activities_for(request.user).order_by("start", "id")
        if filters["country"]:
            activities = activity_selectors.in_country(activities, filters["country"])
        return feature_collection(activity_features(activities))
