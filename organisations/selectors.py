"""Reads of organisations and the directory, restricted to what the user may see."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point
from django.db import connections
from django.db.models import Q, QuerySet

from config.db_router import read_alias, reads_from_replica
from geo.models import AdministrativeArea
from geo.selectors import coarsen_point

from .capacity import SHELTER_NEED, stale_before
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


# The directory and the provider search tolerate a replica's lag (config.db_router): a minute-old
# entry is still a right answer, and a request that has just written reads from the primary.

def organisation_list() -> QuerySet[Organisation]:
    """The directory of organisations is open to every member of the network."""
    return Organisation.objects.using(read_alias())


# A facility's area with its parents (what facility_area_shown walks), without any outline.
AREA_CHAIN = "area__parent__parent"
AREA_CHAIN_DEFERRED = ("area__geometry", "area__parent__geometry", "area__parent__parent__geometry")


def facility_list() -> QuerySet[Facility]:
    return Facility.objects.using(read_alias()).select_related("organisation", AREA_CHAIN).defer(*AREA_CHAIN_DEFERRED)


def coverage_list() -> QuerySet[CoverageArea]:
    return CoverageArea.objects.using(read_alias()).select_related("organisation").prefetch_related("areas")


# What a caller sees of a facility's location: the one rule -------------------------------------
#
# A shelter's exact place is confidential to its operator: everyone else (platform administrators
# included) sees the point of the coarse grid (settings.COARSE_GRID_DEGREES) it falls in. Service
# points and offices are public. Which organisations' shelters a caller sees exactly is
# organisations.permissions.exact_locations_for(user); an export for every reader passes none.

CONFIDENTIAL_KIND = FacilityKind.SHELTER


def _shown_exactly(facility: Facility, viewer_organisation_ids: Iterable) -> bool:
    return facility.kind != CONFIDENTIAL_KIND or facility.organisation_id in set(viewer_organisation_ids)


def facility_location_shown(facility: Facility, viewer_organisation_ids: Iterable = ()) -> tuple[Point, bool]:
    """(the point to show, whether it is the exact one) for a viewer who sees exactly the shelters
    of the organisations `viewer_organisation_ids`."""
    if _shown_exactly(facility, viewer_organisation_ids):
        return facility.location, True
    return coarsen_point(facility.location), False


# The area goes with the point: with district (or finer) boundaries loaded, a shelter's smallest
# area can be smaller than the grid cell its point is shown in, so whoever may not see the place
# exactly sees the area no finer than settings.CONFIDENTIAL_AREA_LEVEL (its ancestor at that level).


def area_no_finer_than_allowed(area: AdministrativeArea | None) -> AdministrativeArea | None:
    """`area`, or its nearest ancestor at CONFIDENTIAL_AREA_LEVEL or coarser; None if the chain of
    parents stops short of that level (then nothing coarse enough is known)."""
    while area is not None and area.level > settings.CONFIDENTIAL_AREA_LEVEL:
        area = area.parent  # select_related(AREA_CHAIN) by the readers: no query per facility
    return area


def facility_area_shown(facility: Facility, viewer_organisation_ids: Iterable = ()) -> AdministrativeArea | None:
    """The administrative area to show of the facility, by the same rule as its location."""
    if facility.area_id is None:
        return None
    if _shown_exactly(facility, viewer_organisation_ids):
        return facility.area
    return area_no_finer_than_allowed(facility.area)


def facilities_in_area_shown(queryset: QuerySet[Facility], area: AdministrativeArea,
                             viewer_organisation_ids: Iterable = ()) -> QuerySet[Facility]:
    """The facilities whose *shown* area is `area`: filtering by a district must not tell which
    district a shelter the viewer may not locate is in."""
    level = settings.CONFIDENTIAL_AREA_LEVEL
    shown_as = set()  # areas whose area_no_finer_than_allowed is `area`
    if area.level <= level:
        shown_as, frontier = {area.pk}, {area.pk}
        while frontier:
            frontier = set(AdministrativeArea.objects.filter(parent_id__in=frontier, level__gt=level)
                           .values_list("pk", flat=True)) - shown_as
            shown_as |= frontier
    generalised = Q(kind=CONFIDENTIAL_KIND) & ~Q(organisation_id__in=list(viewer_organisation_ids))
    return queryset.filter((~generalised & Q(area=area)) | (generalised & Q(area_id__in=shown_as)))


# The same rule in SQL, for the facility aliased `fa`, with shown_location_params() as parameters:
# where the caller may not see a shelter's exact place, whatever is computed from its location
# (a distance, a ranking) starts from the grid point it is shown at.
SHOWN_LOCATION_SQL = """
    CASE WHEN fa.kind = %(confidential_kind)s AND NOT (fa.organisation_id = ANY(%(exact_for)s::uuid[]))
         THEN ST_SnapToGrid(fa.location, %(grid)s)
         ELSE fa.location END"""


def shown_location_params(viewer_organisation_ids: Iterable = ()) -> dict:
    return {
        "exact_for": [str(pk) for pk in viewer_organisation_ids],
        "confidential_kind": CONFIDENTIAL_KIND.value,
        "grid": settings.COARSE_GRID_DEGREES,
    }


@dataclass(frozen=True)
class ProviderMatch:
    organisation: Organisation
    facility: Facility | None
    services_matched: list[str]
    distance_km: float | None
    capacity_available: int | None
    covering_areas: list[str]
    covered_by_drawn_area: bool
    # When shelter is needed and offered: "free" (a suitable shelter freshly reports a free bed),
    # "unknown" (stale figures, or no suitable shelter registered) or "full"; None otherwise.
    beds: str | None = None
    capacity_stale: bool | None = None  # of the facility's figure; None without a facility


# One statement does the spatial work and returns everything the response needs: which
# administrative areas cover the point (through their indexed pieces), which coverage rows cover
# it (through those areas, or their drawn polygon), which of the requested services they offer, and
# the nearest facility of each organisation that accepts the person. Ranked by services matched,
# then beds (free, unknown, full), then distance, then free capacity (fresh figures only).
#
# Beds: when shelter is needed, an organisation whose shelters accepting the person all report,
# freshly, no free bed does not meet the shelter need (organisations.capacity has the same rule for
# routing); it is left out unless `include_full`, and then ranks below everyone meeting as many
# needs. A figure older than CAPACITY_STALE_HOURS is unknown, never free.
#
# The nearest facility is looked up only for the organisations that can still make the first
# `limit` rows: those matching at least as many services as the `limit`-th best. Nobody matching
# fewer can rank above `limit` organisations matching more, so the result is the same as ranking
# every candidate, for a fraction of the lookups where many organisations cover the point. Beds
# are judged first, for the candidates that can still make it: losing the shelter need costs at
# most one, so those matching at least one fewer than the `limit`-th best before judging.
_ORGANISATION_COLUMNS = ", ".join(f"o.{field.column}" for field in Organisation._meta.concrete_fields)
_FACILITY_COLUMNS = ", ".join(
    f"ST_X(fa.{field.column}), ST_Y(fa.{field.column})" if field.name == "location" else f"fa.{field.column}"
    for field in Facility._meta.concrete_fields
)
_ACCEPTS_THE_PERSON = """
               AND (%(gender)s::varchar IS NULL OR %(gender)s = ANY(fa.accepts_genders))
               AND (%(age_group)s::varchar IS NULL OR %(age_group)s = ANY(fa.accepts_age_groups))
               AND (cardinality(%(languages)s::varchar[]) = 0 OR fa.languages && %(languages)s::varchar[])"""
# The only text added to the SQL is column names from the models' metadata and fragments of this module.
PROVIDER_SEARCH_SQL = (
    """
WITH point AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS geom),
covered_areas AS MATERIALIZED (
    SELECT DISTINCT p.area_id FROM geo_areapiece p, point WHERE ST_Covers(p.geometry, point.geom)
),
covering AS (
    SELECT c.organisation_id, c.services, a.name AS area_name, false AS drawn
      FROM covered_areas ar
      JOIN geo_administrativearea a ON a.id = ar.area_id
      JOIN organisations_coveragearea_areas ca ON ca.administrativearea_id = ar.area_id
      JOIN organisations_coveragearea c ON c.id = ca.coveragearea_id
    UNION ALL
    SELECT c.organisation_id, c.services, NULL, true
      FROM organisations_coveragearea c, point
     WHERE c.geometry IS NOT NULL AND ST_Covers(c.geometry, point.geom)
),
candidates AS MATERIALIZED (
    SELECT cv.organisation_id,
           coalesce(array_agg(DISTINCT s.code ORDER BY s.code) FILTER (
               WHERE cardinality(%(services)s::varchar[]) = 0 OR s.code = ANY(%(services)s::varchar[])
           ), '{}') AS services_matched,
           array_remove(array_agg(DISTINCT cv.area_name), NULL) AS covering_areas,
           bool_or(cv.drawn) AS drawn
      FROM covering cv
     CROSS JOIN LATERAL unnest(cv.services) AS s(code)
     WHERE NOT (cv.organisation_id = ANY(%(exclude)s::uuid[]))
     GROUP BY cv.organisation_id
),
ranked AS MATERIALIZED (
    SELECT c.*, cardinality(c.services_matched) AS matched,
           %(needs_shelter)s AND %(shelter)s::varchar = ANY(c.services_matched) AS shelter_judged
      FROM candidates c
      JOIN organisations_organisation o ON o.id = c.organisation_id AND o.verified
     WHERE cardinality(c.services_matched) > 0
),
first_cut AS (  -- services matched by the `limit`-th best before beds are judged
    SELECT coalesce((SELECT matched FROM ranked ORDER BY matched DESC OFFSET greatest(%(limit)s - 1, 0) LIMIT 1), 1)
           - %(needs_shelter)s::int AS matched
),
beds AS MATERIALIZED (  -- the suitable shelters of each candidate that offers the shelter needed
    SELECT c.organisation_id,
           bool_or(fa.capacity_updated >= %(stale_before)s AND fa.capacity_available > 0) AS free,
           bool_or(fa.capacity_updated IS NULL OR fa.capacity_updated < %(stale_before)s) AS stale
      FROM ranked c
      JOIN first_cut ON c.matched >= first_cut.matched
      JOIN organisations_facility fa ON fa.organisation_id = c.organisation_id AND fa.kind = %(shelter_kind)s
     WHERE c.shelter_judged"""  # noqa: S608 - see above
    + _ACCEPTS_THE_PERSON + """
     GROUP BY c.organisation_id
),
judged AS MATERIALIZED (
    SELECT c.organisation_id, c.covering_areas, c.drawn, c.shelter_judged, j.beds,
           CASE WHEN j.full THEN array_remove(c.services_matched, %(shelter)s::varchar) ELSE c.services_matched END
               AS services_matched,
           c.matched - j.full::int AS matched,
           CASE j.beds WHEN 'unknown' THEN 1 WHEN 'full' THEN 2 ELSE 0 END AS bed_rank
      FROM ranked c
      JOIN first_cut ON c.matched >= first_cut.matched
      LEFT JOIN beds b ON b.organisation_id = c.organisation_id
     CROSS JOIN LATERAL (
           SELECT v.beds, coalesce(v.beds = 'full', false) AS full
             FROM (SELECT CASE WHEN NOT c.shelter_judged THEN NULL
                               WHEN b.free THEN 'free'
                               WHEN b.organisation_id IS NULL OR b.stale THEN 'unknown'
                               ELSE 'full' END AS beds) v
           ) j
     WHERE %(include_full)s OR NOT j.full
),
cut AS (  -- services matched by the `limit`-th best: nobody below it can make the list
    SELECT coalesce((SELECT matched FROM judged ORDER BY matched DESC OFFSET greatest(%(limit)s - 1, 0) LIMIT 1), 0)
           AS matched
),
best AS (
    SELECT c.organisation_id, c.services_matched, c.covering_areas, c.drawn, c.matched, c.beds, c.bed_rank,
           c.shelter_judged,
           f.id AS facility_id, f.distance_m, f.capacity_available, f.fresh
      FROM judged c
      JOIN cut ON c.matched >= cut.matched
      LEFT JOIN LATERAL (
            SELECT fa.id, fa.capacity_available, coalesce(fa.capacity_updated >= %(stale_before)s, false) AS fresh,
                   ST_Distance(shown.geom::geography, point.geom::geography) AS distance_m
              FROM organisations_facility fa
             CROSS JOIN point
             -- Where the searcher may not see a shelter's exact place, distance is measured from the
             -- grid point it is shown at: an exact distance from a few search points would give the
             -- exact place away.
             CROSS JOIN LATERAL (SELECT """ + SHOWN_LOCATION_SQL + """ AS geom) shown
             WHERE fa.organisation_id = c.organisation_id
               AND (cardinality(%(services)s::varchar[]) = 0 OR fa.services && %(services)s::varchar[])""" + (
    _ACCEPTS_THE_PERSON) + """
             -- when a bed is needed: a shelter with a free bed first, a full one last
             ORDER BY CASE WHEN NOT c.shelter_judged OR fa.kind <> %(shelter_kind)s THEN 1
                           WHEN fa.capacity_updated IS NULL OR fa.capacity_updated < %(stale_before)s THEN 1
                           WHEN fa.capacity_available > 0 THEN 0
                           ELSE 2 END,
                      shown.geom <-> point.geom
             LIMIT 1
           ) f ON true
     ORDER BY c.matched DESC, c.bed_rank, f.distance_m ASC NULLS LAST,
              CASE WHEN f.fresh THEN f.capacity_available END DESC NULLS LAST, c.organisation_id
     LIMIT %(limit)s
)
SELECT b.services_matched, b.covering_areas, b.drawn, b.distance_m / 1000.0 AS distance_km, b.capacity_available,
       b.beds, b.fresh,
       """ + _ORGANISATION_COLUMNS + """,
       """ + _FACILITY_COLUMNS + """
  FROM best b
  JOIN organisations_organisation o ON o.id = b.organisation_id
  LEFT JOIN organisations_facility fa ON fa.id = b.facility_id
 ORDER BY b.matched DESC, b.bed_rank, b.distance_m ASC NULLS LAST,
          CASE WHEN b.fresh THEN b.capacity_available END DESC NULLS LAST, b.organisation_id
"""
)


_LOCATION = next(index for index, field in enumerate(Facility._meta.concrete_fields) if field.name == "location")


def _instance(alias: str, model, values: list):
    """A model instance from the row's columns (in concrete field order), as the ORM builds it."""
    return model.from_db(alias, None, values)


def provider_search(
    *,
    point: Point,
    services: list[str] | None = None,
    gender: str | None = None,
    age_group: str | None = None,
    languages: list[str] | None = None,
    exclude_organisations: list | None = None,
    exact_locations_of: Iterable | None = None,
    include_full: bool = False,
    limit: int = 25,
) -> list[ProviderMatch]:
    """`exact_locations_of`: ids of the organisations whose shelters the searcher may see exactly
    (permissions.exact_locations_for); distances to every other shelter are measured from its
    coarse, public point (SHOWN_LOCATION_SQL). `include_full`: keep the organisations whose
    shelters are full (when shelter is needed), ranked below those meeting as many needs."""
    services = list(services or [])
    params = {
        "lon": point.x,
        "lat": point.y,
        "services": services,
        "needs_shelter": SHELTER_NEED in services,
        "shelter": SHELTER_NEED,
        "shelter_kind": FacilityKind.SHELTER.value,
        "stale_before": stale_before(),
        "include_full": include_full,
        "gender": gender,
        "age_group": age_group,
        "languages": list(languages or []),
        "exclude": [str(pk) for pk in exclude_organisations or []],
        **shown_location_params(exact_locations_of or ()),
        "limit": limit,
    }
    with reads_from_replica() as alias:
        with connections[alias].cursor() as cursor:
            cursor.execute(PROVIDER_SEARCH_SQL, params)
            rows = cursor.fetchall()
        matches = _matches(alias, rows)
    return matches


def _matches(alias: str, rows: list) -> list[ProviderMatch]:
    organisation_width = len(Organisation._meta.concrete_fields)
    matches, facilities = [], []
    for row in rows:
        services_matched, covering_areas, drawn, distance_km, capacity, beds, fresh = row[:7]
        organisation = _instance(alias, Organisation, list(row[7:7 + organisation_width]))
        facility_values = list(row[7 + organisation_width:])
        facility = None
        if facility_values[0] is not None:
            # The location comes as x, y (two columns): a Point in WGS 84, as the ORM gives it.
            x, y = facility_values[_LOCATION], facility_values[_LOCATION + 1]
            facility_values[_LOCATION:_LOCATION + 2] = [Point(x, y, srid=4326)]
            facility = _instance(alias, Facility, facility_values)
        facilities.append(facility)
        matches.append(ProviderMatch(
            organisation=organisation,
            facility=facility,
            services_matched=list(services_matched),
            distance_km=None if distance_km is None else round(float(distance_km), 3),
            capacity_available=capacity,
            covering_areas=list(covering_areas),
            covered_by_drawn_area=drawn,
            beds=beds,
            capacity_stale=None if facility is None else not fresh,
        ))
    _attach_area_chains([f for f in facilities if f is not None])
    return matches


def _attach_area_chains(facilities: list[Facility]) -> None:
    """Give facilities built from raw rows their area and its parents (for facility_area_shown),
    in one query."""
    ids = {facility.area_id for facility in facilities if facility.area_id is not None}
    areas = AdministrativeArea.objects.select_related("parent__parent").defer(
        "geometry", "parent__geometry", "parent__parent__geometry").in_bulk(ids)
    for facility in facilities:
        if facility.area_id is not None:
            facility.area = areas[facility.area_id]
