from django.contrib.gis.db import models


class AdministrativeLevel(models.IntegerChoices):
    """Administrative levels as GADM and geoBoundaries number them (ADM0, ADM1, ADM2)."""

    COUNTRY = 0, "country"
    PROVINCE = 1, "province"
    DISTRICT = 2, "district"


class AreaQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        from .permissions import restrict_areas

        return restrict_areas(self, user, action)


class AdministrativeArea(models.Model):
    country = models.CharField(max_length=2, db_index=True, help_text="ISO 3166-1 alpha-2 code.")
    level = models.PositiveSmallIntegerField(choices=AdministrativeLevel.choices)
    code = models.CharField(max_length=32, help_text="Code of the area, unique within its level.")
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    geometry = models.MultiPolygonField(srid=4326)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["level", "country", "name"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="area_unique_code_per_level"),
        ]
        indexes = [models.Index(fields=["country", "level"])]

    def __str__(self):
        return f"{self.name} ({self.get_level_display()} {self.code})"


class AreaPiece(models.Model):
    """An area's boundary cut into small polygons (ST_Subdivide). Point-in-polygon tests against a
    country outline with tens of thousands of vertices are slow even behind a GiST index, because
    the index only narrows to the bounding box; against pieces of at most a few dozen vertices they
    are one to two orders of magnitude faster. Rebuilt by `geo.services.area_pieces_rebuild`."""

    area = models.ForeignKey(AdministrativeArea, on_delete=models.CASCADE, related_name="pieces")
    geometry = models.PolygonField(srid=4326)

    def __str__(self):
        return f"piece of {self.area_id}"
