"""The Celery application: `celery -A config worker` and `celery -A config beat`."""

import logging
import os
import time

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)
_broker_down_until = 0.0
BROKER_BACKOFF_SECONDS = 5.0


def _redis_broker_answers(url: str) -> bool:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5, retry=Retry(NoBackoff(), 0))
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def send_task_if_broker_up(name: str) -> bool:
    """Publish a task when the broker answers; skip it quickly when it does not. For nudges whose
    work a periodic task also does (relaying the outbox), so that a broker outage neither fails
    nor slows the request that caused them. The Redis client retries a refused connection for
    seconds; a probe without retries, and a few seconds of not asking again, avoid that."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    url = app.conf.broker_url or ""
    if url.startswith(("redis://", "rediss://")) and not _redis_broker_answers(url):
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("broker unreachable; %s left to the periodic sweep", name)
        return False
    try:
        app.send_task(name, retry=False)
    except Exception:  # kombu raises several types for an unreachable broker
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("could not publish %s; left to the periodic sweep", name, exc_info=True)
        return False
    return True
