from dataclasses import replace

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from geo.boundaries import (
    BoundarySourceError,
    SourceOptions,
    bali_process_members,
    natural_earth_admin0,
    read_areas,
)
from geo.services import AreaRecord, area_pieces_rebuild, area_upsert, as_multipolygon


class Command(BaseCommand):
    help = (
        "Load administrative boundaries from any OGR source (shapefile, GeoJSON, GeoPackage, a zip "
        "through /vsizip/). Re-running updates areas in place, matched by level and code. Without a "
        "source, loads the Bali Process member states from Natural Earth's admin-0 boundaries."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="?", help="Path or GDAL name of the source.")
        parser.add_argument("--layer", default="0", help="Layer name or index (default: the first).")
        parser.add_argument("--code-field", default="ISO_A2_EH", help="Field holding the area code.")
        parser.add_argument("--name-field", default="NAME", help="Field holding the area name.")
        parser.add_argument(
            "--country-field", default="ISO_A2_EH", help="Field holding the ISO 3166-1 alpha-2 country."
        )
        parser.add_argument(
            "--parent-field", help="Field holding the code of the parent area (one level up)."
        )
        parser.add_argument("--level", type=int, default=0, choices=[0, 1, 2], help="0 country, 1, 2.")
        parser.add_argument(
            "--countries",
            help="Comma-separated ISO alpha-2 codes to load (default with no source: Bali Process members).",
        )

    def handle(self, *args, **opts):
        source = opts["source"] or natural_earth_admin0()
        if opts["countries"]:
            countries = frozenset(c.strip().upper() for c in opts["countries"].split(",") if c.strip())
        elif opts["source"] is None:
            countries = frozenset(bali_process_members())
        else:
            countries = None
        layer = int(opts["layer"]) if opts["layer"].isdigit() else opts["layer"]
        options = SourceOptions(
            layer=layer,
            code_field=opts["code_field"],
            name_field=opts["name_field"],
            country_field=opts["country_field"],
            parent_field=opts["parent_field"],
            level=opts["level"],
            countries=countries,
        )
        try:
            total, records = read_areas(source, options)
        except BoundarySourceError as error:
            raise CommandError(str(error)) from error

        self.stdout.write(f"Reading {total} features from {source}")
        # Several features can share a code (Natural Earth lists Australia's outlying territories
        # under AU): they are one area, so their polygons are merged, keeping the first name.
        merged: dict[str, AreaRecord] = {}
        for record in records:
            if record.code in merged:
                first = merged[record.code]
                geometry = as_multipolygon(first.geometry)
                for polygon in as_multipolygon(record.geometry):
                    geometry.append(polygon)
                record = replace(first, geometry=geometry)
            merged[record.code] = record

        created = updated = 0
        touched: list[int] = []
        with transaction.atomic():
            for index, record in enumerate(merged.values(), start=1):
                try:
                    area, was_created = area_upsert(record=record)
                except ValueError as error:
                    raise CommandError(f"feature {record.code}: {error}") from error
                touched.append(area.pk)
                created += was_created
                updated += not was_created
                if opts["verbosity"] >= 1:
                    self.stdout.write(f"  [{index}/{len(merged)}] {record.code} {record.name}")
            if not touched:
                raise CommandError("no feature matched: check --countries and the field options")
            pieces = area_pieces_rebuild(area_ids=touched)
        self.stdout.write(
            self.style.SUCCESS(f"{created} areas created, {updated} updated; {pieces} boundary pieces indexed")
        )
