"""The open directory in the shape of the Open Referral Human Services Data Specification (HSDS) 3.0.

The export is what an HSDS API answers to `GET /organizations?full=true&full_service=true`: a page
(`total_items`, `total_pages`, `page_number`, `size`, `first_page`, `last_page`, `empty`) whose
`contents` are fully nested organizations (schema/compiled/organization.json), each with

- `locations`: the organisation's facilities (HSDS location, `location_type` "physical");
- `services`: one HSDS service per service code the organisation offers anywhere, with
  `service_areas` (its coverage: one per administrative area, plus the drawn polygon as GeoJSON),
  `service_at_locations` (the facilities offering it, each with its location nested),
  `languages`, and an `attributes` entry linking it to the taxonomy term of its code.

Only verified organisations are published. A shelter's place is confidential: its HSDS location
carries no latitude/longitude at all (only the name of its administrative area in the
description), whoever asks; service points and offices show their exact coordinates.

HSDS wants UUIDs for every object. Organisations have one; every other object gets a stable UUID5
over a fixed namespace and our own keys, so the same directory exports the same ids every time.
"""

import json
import math
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pycountry
from django.db.models import Prefetch, QuerySet

from geo.models import AdministrativeArea, AdministrativeLevel

from .models import CoverageArea, Facility, FacilityKind, Organisation, OrganisationKind, ServiceType
from .selectors import AREA_CHAIN, AREA_CHAIN_DEFERRED, facility_area_shown, facility_location_shown

# The export is published as is, to whoever reads it: nobody's shelters are shown exactly.
EVERY_READER: frozenset = frozenset()

HSDS_VERSION = "3.0"
HSDS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:ngo-referral-network:hsds-3.0")
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100

SERVICE_TAXONOMY_KEY = "service-types"
COUNTRY_TAXONOMY_KEY = "iso-3166-1-alpha-2"

GENDER_WORDS = {"female": "female", "male": "male", "transgender": "transgender"}
AGE_GROUP_WORDS = {"child": "children", "adult": "adults"}
FACILITY_KIND_WORDS = {
    FacilityKind.SHELTER: "Shelter",
    FacilityKind.SERVICE_POINT: "Service point",
    FacilityKind.OFFICE: "Office",
}

AreaUri = Callable[[AdministrativeArea], str | None]


def no_area_uri(area: AdministrativeArea) -> None:
    return None


def hsds_id(kind: str, *keys) -> str:
    """A stable UUID for an HSDS object that has no UUID of its own in our models."""
    return str(uuid.uuid5(HSDS_NAMESPACE, ":".join([kind, *(str(key) for key in keys)])))


# --- selectors --------------------------------------------------------------------------------


def export_organisations() -> QuerySet[Organisation]:
    """Verified organisations with everything the export reads, prefetched: a fixed number of
    queries per page whatever its size. Area outlines are never loaded (names and codes suffice)."""
    areas = AdministrativeArea.objects.defer("geometry").order_by("level", "country", "name", "id")
    return (
        Organisation.objects.filter(verified=True)
        .order_by("name", "id")
        .prefetch_related(
            Prefetch(
                "facilities",
                queryset=Facility.objects.select_related(AREA_CHAIN).defer(*AREA_CHAIN_DEFERRED).order_by("name", "id"),
            ),
            Prefetch(
                "coverage_areas",
                queryset=CoverageArea.objects.order_by("created", "id").prefetch_related(
                    Prefetch("areas", queryset=areas)
                ),
            ),
        )
    )


def service_types_by_code() -> dict[str, ServiceType]:
    return {service_type.code: service_type for service_type in ServiceType.objects.all()}


# --- pure mapping -----------------------------------------------------------------------------


def _compact(data: dict, *, keep: Iterable[str] = ()) -> dict:
    """Drop absent values: HSDS fields are optional unless required, and an empty string where
    a format (uri, email) is declared would not validate. `keep`: required fields, kept empty."""
    return {key: value for key, value in data.items() if key in keep or value not in (None, "")}


def _language_name(code: str) -> str:
    language = pycountry.languages.get(alpha_2=code)
    return language.name if language else code


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def _words(values: Iterable[str], names: dict[str, str]) -> str:
    words = [names.get(value, value) for value in values]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def service_taxonomy() -> dict:
    return {
        "id": hsds_id("taxonomy", SERVICE_TAXONOMY_KEY),
        "name": "Bali Process NGO network service types",
        "description": (
            "Services offered to people identified as possible victims of trafficking in the "
            "Bali Process region, as the referral network classifies them."
        ),
    }


def country_taxonomy() -> dict:
    return {
        "id": hsds_id("taxonomy", COUNTRY_TAXONOMY_KEY),
        "name": "ISO 3166-1 alpha-2",
        "description": "Countries by their ISO 3166-1 alpha-2 codes.",
        "uri": "https://www.iso.org/iso-3166-country-codes.html",
    }


def service_taxonomy_term(code: str, service_type: ServiceType | None) -> dict:
    taxonomy = service_taxonomy()
    return {
        "id": hsds_id("taxonomy_term", SERVICE_TAXONOMY_KEY, code),
        "code": code,
        "name": service_type.name if service_type else code,
        "description": (service_type.description if service_type else "") or "",
        "taxonomy": taxonomy["name"],
        "taxonomy_id": taxonomy["id"],
        "taxonomy_detail": taxonomy,
        "language": "en",
    }


def country_taxonomy_term(code: str) -> dict:
    taxonomy = country_taxonomy()
    return {
        "id": hsds_id("taxonomy_term", COUNTRY_TAXONOMY_KEY, code),
        "code": code,
        "name": _country_name(code),
        "description": f"The country with ISO 3166-1 alpha-2 code {code}.",
        "taxonomy": taxonomy["name"],
        "taxonomy_id": taxonomy["id"],
        "taxonomy_detail": taxonomy,
        "language": "en",
    }


def _attribute(*, link_id: str, link_entity: str, link_type: str, term: dict, value: str = "") -> dict:
    return _compact({
        "id": hsds_id("attribute", link_entity, link_id, term["id"]),
        "link_id": link_id,
        "link_entity": link_entity,
        "link_type": link_type,
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
        "value": value,
    })


def _language(*, owner: str, owner_id: str, code: str) -> dict:
    return {
        "id": hsds_id("language", owner, owner_id, code),
        f"{owner}_id": owner_id,
        "name": _language_name(code),
        "code": code,
    }


def _area_words(area: AdministrativeArea | None) -> str:
    if area is None:
        return ""
    if area.level == AdministrativeLevel.COUNTRY:
        return f"{area.name} ({area.code})"
    level = AdministrativeLevel(area.level).label if area.level in AdministrativeLevel.values else "area"
    return f"{area.name} ({level} {area.code}, {area.country})"


def facility_location(facility: Facility, *, organisation_id: str) -> dict:
    """The HSDS location of a facility. The export is the same for every reader, so it shows
    what facility_location_shown shows a reader of no organisation; a location that would be
    generalised (a shelter's) gets no coordinates at all, only the administrative area it lies in."""
    location_id = hsds_id("location", "facility", facility.pk)
    kind = FACILITY_KIND_WORDS.get(facility.kind, facility.kind)
    point, exact = facility_location_shown(facility, EVERY_READER)
    if not exact:
        shown = facility_area_shown(facility, EVERY_READER)  # no finer than CONFIDENTIAL_AREA_LEVEL
        where = f" in {_area_words(shown)}" if shown is not None else ""
        description = f"{kind}{where}. Its exact location is confidential and not published."
    else:
        description = f"{kind} in {_area_words(facility.area)}." if facility.area_id else f"{kind}."
    location = {
        "id": location_id,
        "location_type": "physical",
        "organization_id": organisation_id,
        "name": facility.name,
        "description": description,
        "languages": [_language(owner="location", owner_id=location_id, code=code) for code in facility.languages],
    }
    if exact:
        location["latitude"] = point.y
        location["longitude"] = point.x
    return location


def _eligibility(facility: Facility) -> str:
    """Who the facility accepts, in words (HSDS has no structured field for it here)."""
    parts = []
    if facility.accepts_genders:
        parts.append(f"Genders accepted: {_words(facility.accepts_genders, GENDER_WORDS)}.")
    if facility.accepts_age_groups:
        parts.append(f"Age groups accepted: {_words(facility.accepts_age_groups, AGE_GROUP_WORDS)}.")
    return " ".join(parts)


def _service_areas(service_id: str, code: str, coverage_areas: Iterable[CoverageArea], area_uri: AreaUri) -> list:
    result, seen = [], set()
    for coverage in coverage_areas:
        if code not in coverage.services:
            continue
        for area in coverage.areas.all():
            key = (area.level, area.code)
            if key in seen:
                continue
            seen.add(key)
            result.append(_compact({
                "id": hsds_id("service_area", service_id, "area", area.level, area.code),
                "service_id": service_id,
                "name": area.name,
                "description": f"The whole of {_area_words(area)}.",
                "uri": area_uri(area),
            }))
        if coverage.geometry is not None:
            result.append({
                "id": hsds_id("service_area", service_id, "drawn", coverage.pk),
                "service_id": service_id,
                "name": "Drawn coverage area",
                "description": "An area drawn by the organisation, given as a GeoJSON MultiPolygon (WGS 84).",
                "extent": json.dumps(json.loads(coverage.geometry.geojson), separators=(",", ":")),
                "extent_type": "geojson",
            })
    return result


def organisation_services(
    organisation: Organisation,
    *,
    service_types: dict[str, ServiceType],
    locations: dict[int, dict],
    area_uri: AreaUri,
) -> list[dict]:
    """One HSDS service per service code the organisation offers at a facility or over an area."""
    organisation_id = str(organisation.pk)
    facilities = list(organisation.facilities.all())
    coverage_areas = list(organisation.coverage_areas.all())
    codes = sorted({code for row in [*facilities, *coverage_areas] for code in row.services})
    services = []
    for code in codes:
        service_type = service_types.get(code)
        service_id = hsds_id("service", organisation_id, code)
        offering = [facility for facility in facilities if code in facility.services]
        languages = sorted({language for facility in offering for language in facility.languages})
        services.append(_compact({
            "id": service_id,
            "organization_id": organisation_id,
            "name": service_type.name if service_type else code,
            "alternate_name": code,
            "description": service_type.description if service_type else "",
            "status": "active",
            "service_areas": _service_areas(service_id, code, coverage_areas, area_uri),
            "service_at_locations": [
                _compact({
                    "id": hsds_id("service_at_location", service_id, facility.pk),
                    "service_id": service_id,
                    "location_id": locations[facility.pk]["id"],
                    "description": _eligibility(facility),
                    "location": locations[facility.pk],
                })
                for facility in offering
            ],
            "languages": [_language(owner="service", owner_id=service_id, code=code) for code in languages],
            "attributes": [
                _attribute(
                    link_id=service_id, link_entity="service", link_type="service_type",
                    term=service_taxonomy_term(code, service_type),
                )
            ],
        }))
    return services


def organisation_to_hsds(
    organisation: Organisation,
    *,
    service_types: dict[str, ServiceType],
    area_uri: AreaUri = no_area_uri,
) -> dict:
    """A fully nested HSDS organization (compiled/organization.json), from an organisation
    loaded by `export_organisations`."""
    organisation_id = str(organisation.pk)
    locations = {
        facility.pk: facility_location(facility, organisation_id=organisation_id)
        for facility in organisation.facilities.all()
    }
    kind = OrganisationKind(organisation.kind).label if organisation.kind in OrganisationKind.values else ""
    return _compact({
        "id": organisation_id,
        "name": organisation.name,
        "description": organisation.description or "",
        "website": organisation.website,
        "legal_status": kind,
        "locations": list(locations.values()),
        "services": organisation_services(
            organisation, service_types=service_types, locations=locations, area_uri=area_uri
        ),
        "attributes": [
            _attribute(
                link_id=organisation_id, link_entity="organization", link_type="country",
                term=country_taxonomy_term(organisation.country), value=organisation.country,
            )
        ],
    }, keep=("description",))


@dataclass(frozen=True)
class ExportPage:
    total_items: int
    page_number: int
    per_page: int
    contents: list[dict]

    def as_hsds(self) -> dict:
        """The HSDS API's page wrapper (openapi.json, components/schemas/Page)."""
        total_pages = max(1, math.ceil(self.total_items / self.per_page))
        return {
            "total_items": self.total_items,
            "total_pages": total_pages,
            "page_number": self.page_number,
            "size": len(self.contents),
            "first_page": self.page_number == 1,
            "last_page": self.page_number >= total_pages,
            "empty": not self.contents,
            "contents": self.contents,
        }


def directory_export(*, page: int = 1, per_page: int = DEFAULT_PAGE_SIZE, area_uri: AreaUri = no_area_uri) -> dict:
    """One page of the HSDS export of the directory. `per_page` is capped at MAX_PAGE_SIZE; a page
    past the last one is empty (as HSDS pages are), not an error."""
    per_page = max(1, min(per_page, MAX_PAGE_SIZE))
    page = max(1, page)
    organisations = export_organisations()
    total = organisations.count()
    offset = (page - 1) * per_page
    rows = list(organisations[offset:offset + per_page]) if offset < total else []
    service_types = service_types_by_code() if rows else {}
    contents = [
        organisation_to_hsds(organisation, service_types=service_types, area_uri=area_uri)
        for organisation in rows
    ]
    return ExportPage(total_items=total, page_number=page, per_page=per_page, contents=contents).as_hsds()
