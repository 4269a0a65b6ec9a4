# One image for the web process, the Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production
RUN apt-get update \
 && apt-get install -y --no-install-recommends gdal-bin libgdal32 postgresql-client curl gettext \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --home-dir /app app
WORKDIR /app
COPY pyproject.toml README.md ./
# Every package of pyproject's [tool.setuptools.packages.find] (tests/api/test_deployment_files.py
# keeps the two lists equal), and the catalogues.
COPY config config
COPY api api
COPY geo geo
COPY organisations organisations
COPY accounts accounts
COPY referrals referrals
COPY identification identification
COPY returns returns
COPY activities activities
COPY notifications notifications
COPY integration integration
COPY console console
COPY demo demo
COPY bench bench
COPY locale locale
COPY manage.py ./
RUN pip install . \
 && SECRET_KEY=collectstatic-only-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
    REFERRAL_SUBJECT_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
    ALLOWED_HOSTS=localhost sh -c 'python manage.py collectstatic --no-input -v 0 \
      && python manage.py compilemessages -v 0'
USER app
EXPOSE 8000
# The access log leaves out query strings: they can hold coordinates (provider search, locate).
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-", \
     "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(L)ss"]
