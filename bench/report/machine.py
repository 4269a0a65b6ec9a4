"""What the run ran on: the machine, the database, the software, the commit."""

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from django.db import connection


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gib = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), postgis_lib_version(), current_setting('shared_buffers'), "
                       "current_setting('work_mem'), current_setting('max_parallel_workers_per_gather')")
        postgres, postgis, shared_buffers, work_mem, parallel = cursor.fetchone()
    import django
    import gunicorn
    import rest_framework

    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory_gib,
        "postgres": postgres.split(" on ")[0], "postgis": postgis,
        "postgres_settings": f"shared_buffers {shared_buffers}, work_mem {work_mem}, "
                             f"max_parallel_workers_per_gather {parallel}",
        "python": platform.python_version(), "django": django.get_version(),
        "drf": rest_framework.VERSION, "gunicorn": gunicorn.__version__,
        "os": f"{platform.system()} {platform.release()}",
        "commit": _commit(),
    }


def _commit() -> str:
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,  # noqa: S607
                              timeout=5, check=False, cwd=here).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True,  # noqa: S607
                               timeout=5, check=False, cwd=here).stdout.strip()
        return f"{head}{' (with uncommitted changes)' if dirty else ''}" if head else "unknown"
    except OSError:
        return "unknown"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
