"""Settings of the benchmark processes: the development settings (which read DATABASE_URL and the
rest from the environment), without debug, with the benchmark's own baseline routes added (bench.urls).

Throttling stays on (every request still counts itself in Redis), with rates no benchmark reaches
(every client of a loopback benchmark shares one address and a handful of accounts): the
benchmarks measure the work, not the throttle's refusals. Logging in keeps its own rate."""

from config.settings.development import *  # noqa: F403
from config.settings.development import REST_FRAMEWORK

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        scope: rate if scope == "login" else "1000000/min"
        for scope, rate in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].items()
    },
}
# Every statistics repetition is a new differentially private query (bench.suites.statistics).
STATS_EPSILON_BUDGET = 1e9
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
