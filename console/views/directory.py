"""The directory map: organisations, facilities and coverage, filterable by service and country.

The data comes from the API's selectors and its FacilitySerializer, so a shelter of another
organisation is at its 0.1 degree cell here exactly as in the API. The base layer is the
project's own boundaries (geo), simplified, so the map works with no internet; a tile layer is
added when settings.MAP_TILE_URL is set."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from geo.models import AdministrativeArea
from geo.selectors import simplified_outlines
from organisations import permissions, selectors
from organisations.api.serializers import FacilitySerializer
from organisations.codes import country_codes
from organisations.models import ServiceType

from .pages import ConsolePage


def activities_url(filters: dict) -> str:
    """The activities layer's feed (console/views/directory_activities.py), for the country asked for."""
    url = reverse("console:directory-activities")
    return f"{url}?{urlencode({'country': filters['country']})}" if filters["country"] else url


def feature_collection(features: list[dict]) -> JsonResponse:
    return JsonResponse({"type": "FeatureCollection", "features": features},
                        content_type="application/geo+json")


def coverage_features(coverage) -> list[dict]:
    """One feature per coverage entry: its drawn polygon and its areas, outlined coarsely."""
    coverage = list(coverage)
    area_ids = {area.pk for entry in coverage for area in entry.areas.all()}
    outlines = simplified_outlines(area_ids=area_ids, tolerance=0.02) if area_ids else {}
    features = []
    for entry in coverage:
        polygons = [outlines[area.pk][2] for area in entry.areas.all() if area.pk in outlines]
        if entry.geometry is not None:
            polygons.append({"type": "MultiPolygon", "coordinates": [
                [[[round(x, 4), round(y, 4)] for x, y in ring] for ring in polygon]
                for polygon in entry.geometry.coords]})
        if not polygons:
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "GeometryCollection", "geometries": polygons},
            "properties": {"layer": "coverage", "organisation": entry.organisation.name,
                           "services": entry.services, "areas": [area.name for area in entry.areas.all()]},
        })
    return features


def _countries() -> list[tuple[str, str]]:
    """The countries of the network's boundaries (code, name), for the filter."""
    return list(AdministrativeArea.objects.filter(level=0).order_by("name").values_list("code", "name"))


def _filters(request) -> dict:
    """The service and country asked for, when they are known ones (anything else: no filter)."""
    service = request.GET.get("service", "")
    country = request.GET.get("country", "")
    return {
        "service": service if service and ServiceType.objects.filter(code=service).exists() else "",
        "country": country if country in country_codes() else "",
    }


def _directory(request, filters: dict):
    """The organisations, facilities and coverage the user sees, filtered."""
    user = request.user
    organisations = selectors.organisation_list().restrict(user, "view").order_by("name")
    facilities = selectors.facility_list().restrict(user, "view")
    coverage = selectors.coverage_list().restrict(user, "view")
    if filters["service"]:
        facilities = facilities.filter(services__contains=[filters["service"]])
        coverage = coverage.filter(services__contains=[filters["service"]])
        organisations = organisations.filter(pk__in=[
            *facilities.values_list("organisation_id", flat=True), *coverage.values_list("organisation_id", flat=True)])
    if filters["country"]:
        organisations = organisations.filter(country=filters["country"])
        facilities = facilities.filter(organisation__country=filters["country"])
        coverage = coverage.filter(organisation__country=filters["country"])
    return organisations, facilities, coverage


class DirectoryMapView(ConsolePage):
    def get(self, request):
        permissions.require_network_user(request.user)
        filters = _filters(request)
        organisations, facilities, _coverage = _directory(request, filters)
        facilities = list(facilities)
        query = urlencode({k: v for k, v in filters.items() if v})
        shown = FacilitySerializer(facilities, many=True, context={"request": request}).data
        areas = {area_id for area_id in (item["area"] for item in shown) if area_id}
        area_names = dict(AdministrativeArea.objects.filter(pk__in=areas).values_list("pk", "name")) if areas else {}
        rows = [{"name": item["name"], "kind": item["kind"], "services": item["services"],
                 "capacity_available": item["capacity_available"], "area": area_names.get(item["area"], ""),
                 "organisation": facility.organisation.name}
                for item, facility in zip(shown, facilities, strict=True)]
        return render(request, "console/directory/map.html", {
            "filters": filters, "services": ServiceType.objects.order_by("code"), "countries": _countries(),
            "organisations": organisations, "facilities": rows,
            "countries_url": reverse("console:directory-countries"),
            "activities_url": activities_url(filters),
            "features_url": reverse("console:directory-features") + (f"?{query}" if query else ""),
            "tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        })


class DirectoryFeaturesView(ConsolePage):
    """Facilities (as the API shows them to this user) and coverage, as GeoJSON."""

    def get(self, request):
        permissions.require_network_user(request.user)
        _organisations, facilities, coverage = _directory(request, _filters(request))
        facilities = list(facilities)
        shown = FacilitySerializer(facilities, many=True, context={"request": request}).data
        features = [{
            "type": "Feature", "geometry": item["location"],
            "properties": {"layer": "facility", "name": item["name"], "kind": item["kind"],
                           "organisation": facility.organisation.name, "services": item["services"],
                           "capacity_available": item["capacity_available"],
                           "location_exact": item["location_exact"]},
        } for item, facility in zip(shown, facilities, strict=True)]
        return feature_collection(coverage_features(coverage) + features)


class CountryOutlinesView(ConsolePage):
    """The base layer: every country's outline, simplified (cached by the browser for a day)."""

    def get(self, request):
        permissions.require_network_user(request.user)
        outlines = simplified_outlines(level=0, tolerance=0.05, precision=2)
        response = feature_collection([
            {"type": "Feature", "geometry": geometry, "properties": {"layer": "country", "name": name, "code": code}}
            for name, code, geometry in outlines.values()
        ])
        patch_cache_control(response, private=True, max_age=86400)
        return response
