"""What a web worker's imports cost in resident memory, layer by layer: a fresh interpreter
imports what a gunicorn worker of bench.wsgi imports, in the order the layers depend on each
other, and reads its VmRSS after each (`python -m bench.imports` prints them as JSON).

Each layer is charged only what the layers before it had not loaded, so numpy, which Django's
GDAL bindings import whenever it is installed, is measured on its own before them."""

import importlib
import json
import os
import subprocess
import sys

from bench import db

# (layer, what to import; SETUP and URLS stand for django.setup() and loading the URLconf)
LAYERS = (
    ("Django (settings, ORM)", ["django.conf", "django.db.models"]),
    ("numpy (imported by GeoDjango's raster module when installed)", ["numpy"]),
    ("GeoDjango (the GDAL, GEOS and PROJ libraries)", ["django.contrib.gis.gdal", "django.contrib.gis.geos"]),
    ("psycopg", ["psycopg"]),
    ("Django REST framework", ["rest_framework.serializers"]),
    ("Celery, kombu's Redis transport", ["celery", "kombu.transport.redis"]),
    ("OpenDP", ["opendp.prelude"]),
    ("phonenumbers, python-stdnum (the screening of free text)", ["phonenumbers", "stdnum.util"]),
    ("drf-spectacular (its plumbing imports django.test, and so jinja2)", ["drf_spectacular.plumbing"]),
    ("the apps and the rest of django.setup()", ["SETUP"]),
    ("the URLconf (views, serializers, the OpenAPI extensions)", ["URLS"]),
)


def _resident_mib() -> float:
    # Not bench.server's reader: importing it (http.client, threading...) would be charged to the
    # interpreter's own figure.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure() -> dict:
    """In this process (a fresh one: see costs())."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    start = previous = _resident_mib()
    layers = []
    for name, modules in LAYERS:
        for module in modules:
            if module == "SETUP":
                import django

                django.setup()
            elif module == "URLS":
                from django.urls import get_resolver

                get_resolver().url_patterns  # noqa: B018 (loading it imports every view)
            else:
                importlib.import_module(module)
        now = _resident_mib()
        layers.append({"layer": name, "mib": round(now - previous, 1)})
        previous = now
    return {"interpreter_mib": round(start, 1), "layers": layers, "total_mib": round(previous, 1),
            "modules": len(sys.modules)}


def costs(database_url: str) -> dict:
    """The layers measured in a new interpreter (this one has imported the benchmark already)."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.imports"], env={**os.environ, **db.environment(database_url)},
        capture_output=True, text=True, check=True, timeout=120,
    )
    return json.loads(completed.stdout)


if __name__ == "__main__":
    print(json.dumps(measure()))
