#!/usr/bin/env bash
# Serve the API with gunicorn in the foreground, with a Celery worker and Celery beat beside it.
# Ctrl-C stops all three. `scripts/run-demo.sh stop` stops leftovers of an earlier run.
set -euo pipefail
cd "$(dirname "$0")/.."
run=var/run; logs=var/log
mkdir -p "$run" "$logs"

stop() {
  for name in worker beat; do
    if [ -f "$run/$name.pid" ]; then
      kill "$(cat "$run/$name.pid")" 2>/dev/null || true
      rm -f "$run/$name.pid"
    fi
  done
}

if [ "${1:-}" = stop ]; then stop; exit 0; fi
host=${1:-127.0.0.1}; port=${2:-8000}
stop
export WEBHOOK_ALLOW_PRIVATE_URLS=${WEBHOOK_ALLOW_PRIVATE_URLS:-true}
# E-mail notifications are written as files (one per message) under var/mail/, relative to here.
mail=var/mail; mkdir -p "$mail"
export EMAIL_URL=${EMAIL_URL:-filemail:///$mail}

.venv/bin/celery -A config worker --loglevel INFO --concurrency 2 \
  --pidfile "$run/worker.pid" --logfile "$logs/worker.log" --detach
.venv/bin/celery -A config beat --loglevel INFO --schedule "$run/celerybeat-schedule" \
  --pidfile "$run/beat.pid" --logfile "$logs/beat.log" --detach

base="http://$host:$port"
cat <<MSG

  The referral network is running.
    Console         $base/app/           (sign in as haven.caseworker: an offer waits in the inbox)
    API root        $base/api/v1/
    Documentation   $base/api/v1/docs/      (Swagger UI; OpenAPI schema at $base/api/v1/schema/)
    Health          $base/healthz
    Admin site      $base/admin/
    Celery logs     $logs/worker.log, $logs/beat.log
    E-mail          $EMAIL_URL   (by default one file per message under $mail/)

  Demo accounts: see the list above (password: demo-password-2026).
  Get a token:    curl -s -X POST $base/api/v1/auth/token/ -H 'Content-Type: application/json' \\
                    -d '{"username": "haven.admin", "password": "demo-password-2026"}'
  Stop with Ctrl-C.

MSG
# The access log leaves out query strings: they can hold coordinates (provider search, locate).
.venv/bin/gunicorn config.wsgi --bind "$host:$port" --workers 2 --graceful-timeout 5 \
  --access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss' &
web=$!
# Waiting in the background lets a signal to this script reach the trap at once.
trap 'kill $web 2>/dev/null; stop' EXIT
trap 'exit 130' INT TERM
wait $web

