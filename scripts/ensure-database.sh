#!/usr/bin/env bash
# Create the database named in DATABASE_URL (postgis://user@host:port/name) with PostGIS, if missing.
set -euo pipefail
url=${1:?DATABASE_URL}
admin_url=$(sed -E 's#^postgis://#postgresql://#; s#/[^/?]+(\?.*)?$#/postgres#' <<<"$url")
name=$(sed -E 's#^.*/([^/?]+)(\?.*)?$#\1#' <<<"$url")
db_url=$(sed -E 's#^postgis://#postgresql://#' <<<"$url")

if ! psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
  echo "Creating database $name..."
  psql "$admin_url" -qc "CREATE DATABASE \"$name\""
fi
psql "$db_url" -qc "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
