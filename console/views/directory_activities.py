"""The directory map's activities layer: who does what where, as GeoJSON. Read with the
activities selectors under the API's rule (every member of the network and platform staff read,
activities.permissions.restrict_activities); drawn places as drawn, named areas as their coarse
outlines, as the coverage layer shows them."""

import json

from activities import selectors as activity_selectors
from organisations import permissions

from .directory import _filters, feature_collection, outlined_features
from .pages import ConsolePage


def activity_features(activities) -> list[dict]:
    """An activity named by its organisation's country only stays on the list, off the map."""
    return outlined_features(
        activities, lambda activity: json.loads(activity.geometry.geojson) if activity.geometry else None,
        lambda activity: {
            "layer": "activity", "name": activity.title, "kind": activity.get_kind_display(),
            "organisation": activity.organisation.name,
            "start": activity.start.isoformat(), "end": activity.end.isoformat() if activity.end else None,
            "partners": [partner.name for partner in activity.partners.all()],
        })


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
