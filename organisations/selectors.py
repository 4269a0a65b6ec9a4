"""Reads of organisations and the directory, restricted to what the user may see."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import QuerySet

from .models import (
    CoverageArea,
    Facility,
    FacilityKind,
    Membership,
    Organisation,
    OrganisationGroupObjectPermission,
)


def membership_of(user) -> Membership | None:
    """The user's membership (cached on the user object for the request)."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    if not hasattr(user, "_cached_membership"):
        user._cached_membership = (
            Membership.objects.select_related("organisation").filter(user=user).first()
        )
    return user._cached_membership


def organisation_ids_with_permission(user, codename: str) -> frozenset:
    """Ids of the organisations on which one of the user's groups holds `codename`: one query over
    guardian's direct foreign-key table, cached on the user for the request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cache = user.__dict__.setdefault("_organisation_permission_cache", {})
    if codename not in cache:
        app_label, _, name = codename.rpartition(".")
        cache[codename] = frozenset(
            OrganisationGroupObjectPermission.objects.filter(
                group__user=user,
                permission__codename=name,
                permission__content_type__app_label=app_label or "organisations",
            ).values_list("content_object_id", flat=True)
        )
    return cache[codename]


def has_organisation_permission(user, codename: str, organisation_id) -> bool:
    return organisation_id in organisation_ids_with_permission(user, codename)


def organisation_list() -> QuerySet[Organisation]:
    """The directory of organisations is open to every member of the network."""
    return Organisation.objects.all()


def facility_list() -> QuerySet[Facility]:
    return Facility.objects.select_related("organisation")


def coverage_list() -> QuerySet[CoverageArea]:
    return CoverageArea.objects.select_related("organisation").prefetch_related("areas")


@dataclass(frozen=True)
class ProviderMatch:
    organisation: Organisation
    facility: Facility | None
    services_matched: list[str]
    distance_km: float | None
    capacity_available: int | None
    covering_areas: list[str]
    covered_by_drawn_area: bool


# One statement does the spatial work: which coverage rows cover the point (through the indexed
# pieces of the administrative areas, or the drawn polygon), which of the requested services they
# offer, and the nearest facility of each organisation that accepts the person, by KNN on the GiST
# index. Ranked by services matched, then distance, then free capacity.
PROVIDER_SEARCH_SQL = """
WITH point AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS geom),
covering AS (
    SELECT c.organisation_id, c.services, a.name AS area_name, false AS drawn
      FROM organisations_coveragearea c
      JOIN organisations_coveragearea_areas ca ON ca.coveragearea_id = c.id
      JOIN geo_administrativearea a ON a.id = ca.administrativearea_id
     WHERE EXISTS (SELECT 1 FROM geo_areapiece p, point
                    WHERE p.area_id = ca.administrativearea_id AND ST_Covers(p.geometry, point.geom))
    UNION ALL
    SELECT c.organisation_id, c.services, NULL, true
      FROM organisations_coveragearea c, point
     WHERE c.geometry IS NOT NULL AND ST_Covers(c.geometry, point.geom)
),
candidates AS (
    SELECT cv.organisation_id,
           coalesce(array_agg(DISTINCT s.code ORDER BY s.code) FILTER (
               WHERE cardinality(%(services)s::varchar[]) = 0 OR s.code = ANY(%(services)s::varchar[])
           ), '{}') AS services_matched,
           array_remove(array_agg(DISTINCT cv.area_name), NULL) AS covering_areas,
           bool_or(cv.drawn) AS drawn
      FROM covering cv
     CROSS JOIN LATERAL unnest(cv.services) AS s(code)
      JOIN organisations_organisation o ON o.id = cv.organisation_id AND o.verified
     WHERE NOT (cv.organisation_id = ANY(%(exclude)s::uuid[]))
     GROUP BY cv.organisation_id
)
SELECT c.organisation_id, f.id AS facility_id, c.services_matched, c.covering_areas, c.drawn,
       f.distance_m / 1000.0 AS distance_km, f.capacity_available
  FROM candidates c
  LEFT JOIN LATERAL (
        SELECT fa.id, fa.capacity_available,
               ST_Distance(shown.geom::geography, point.geom::geography) AS distance_m
          FROM organisations_facility fa
         CROSS JOIN point
         -- Where the searcher may not see a shelter's exact place, distance is measured from the
         -- grid point it is shown at: an exact distance from a few search points would give the
         -- exact place away.
         CROSS JOIN LATERAL (
               SELECT CASE WHEN fa.kind = %(confidential_kind)s
                                AND NOT (fa.organisation_id = ANY(%(exact_for)s::uuid[]))
                           THEN ST_SnapToGrid(fa.location, %(grid)s)
                           ELSE fa.location END AS geom
               ) shown
         WHERE fa.organisation_id = c.organisation_id
           AND (cardinality(%(services)s::varchar[]) = 0 OR fa.services && %(services)s::varchar[])
           AND (%(gender)s::varchar IS NULL OR %(gender)s = ANY(fa.accepts_genders))
           AND (%(age_group)s::varchar IS NULL OR %(age_group)s = ANY(fa.accepts_age_groups))
           AND (cardinality(%(languages)s::varchar[]) = 0 OR fa.languages && %(languages)s::varchar[])
         ORDER BY shown.geom <-> point.geom
         LIMIT 1
       ) f ON true
 WHERE cardinality(c.services_matched) > 0
 ORDER BY cardinality(c.services_matched) DESC, f.distance_m ASC NULLS LAST,
          f.capacity_available DESC NULLS LAST, c.organisation_id
 LIMIT %(limit)s
"""


def provider_search(
    *,
    point: Point,
    services: list[str] | None = None,
    gender: str | None = None,
    age_group: str | None = None,
    languages: list[str] | None = None,
    exclude_organisations: list | None = None,
    exact_locations_of: Iterable | None = None,
    limit: int = 25,
) -> list[ProviderMatch]:
    """`exact_locations_of`: ids of the organisations whose shelters the searcher may see exactly
    (their own); distances to every other shelter are measured from its coarse, public point."""
    params = {
        "lon": point.x,
        "lat": point.y,
        "services": list(services or []),
        "gender": gender,
        "age_group": age_group,
        "languages": list(languages or []),
        "exclude": [str(pk) for pk in exclude_organisations or []],
        "exact_for": [str(pk) for pk in exact_locations_of or []],
        "confidential_kind": FacilityKind.SHELTER.value,
        "grid": settings.COARSE_GRID_DEGREES,
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(PROVIDER_SEARCH_SQL, params)
        rows = cursor.fetchall()
    organisations = Organisation.objects.in_bulk([row[0] for row in rows])
    facilities = Facility.objects.in_bulk([row[1] for row in rows if row[1] is not None])
    return [
        ProviderMatch(
            organisation=organisations[org_id],
            facility=facilities.get(facility_id),
            services_matched=list(services_matched),
            distance_km=None if distance_km is None else round(float(distance_km), 3),
            capacity_available=capacity,
            covering_areas=list(covering_areas),
            covered_by_drawn_area=drawn,
        )
        for org_id, facility_id, services_matched, covering_areas, drawn, distance_km, capacity in rows
    ]
