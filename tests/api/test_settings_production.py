"""Production settings refuse to start without secrets and pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value for key, value in os.environ.items()
        # (DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests for their own thread, never a deployment's)
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_SETTINGS_MODULE", "REFERRAL_SUBJECT_KEY",
                       "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env})
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )


def random_key() -> str:
    key = secrets.token_urlsafe(48)
    assert len(key) == 64
    return key


def secrets_env(**overrides: str) -> dict:
    """Everything production needs to start, each secret its own random value."""
    return {"SECRET_KEY": random_key(), "REFERRAL_SUBJECT_KEY": random_key(), "ALLOWED_HOSTS": "example.org",
            **overrides}


def test_missing_secret_key_refuses_to_start():
    result = manage("check", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("too-short-a-secret", id="short"),
        pytest.param("insecure-development-key-do-not-use-in-production-at-all-ever", id="development-default"),
        pytest.param("a" * 64, id="not-random"),
    ],
)
def test_weak_secret_key_refuses_to_start(key):
    result = manage("check", **secrets_env(SECRET_KEY=key))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_missing_allowed_hosts_refuses_to_start():
    result = manage("check", SECRET_KEY=random_key(), REFERRAL_SUBJECT_KEY=random_key())
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS" in result.stderr


def test_deploy_checks_pass_with_a_random_key_and_allowed_hosts():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **secrets_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_is_off_whatever_the_environment_says():
    code = "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)"
    result = manage("shell", "-c", code, **secrets_env(ALLOWED_HOSTS="example.org,api.example.org"), DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False ['example.org', 'api.example.org']"


# The subject key (issue 11): the development one derives from a secret published with the code.


def test_missing_subject_key_refuses_to_start_and_says_how_to_make_one():
    result = manage("check", SECRET_KEY=random_key(), ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "REFERRAL_SUBJECT_KEY" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("", id="empty"),
        pytest.param(secrets.token_urlsafe(16), id="short"),
        pytest.param("subject:insecure-development-key-do-not-use-in-production", id="development-default"),
        pytest.param("insecure-" + secrets.token_urlsafe(40), id="marked-insecure"),
        pytest.param("ab" * 40, id="not-random"),
    ],
)
def test_weak_subject_key_refuses_to_start(key):
    result = manage("check", **secrets_env(REFERRAL_SUBJECT_KEY=key))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "REFERRAL_SUBJECT_KEY" in result.stderr
    if key:
        assert key not in result.stderr  # a refused secret is not written to the logs


def test_the_subject_key_may_not_be_the_secret_key():
    shared = random_key()
    result = manage("check", **secrets_env(SECRET_KEY=shared, REFERRAL_SUBJECT_KEY=shared))
    assert result.returncode != 0
    assert "REFERRAL_SUBJECT_KEY" in result.stderr


def test_the_subject_key_from_the_environment_is_the_one_used():
    key = random_key()
    code = "from django.conf import settings; print(settings.REFERRAL_SUBJECT_KEY)"
    result = manage("shell", "-c", code, **secrets_env(REFERRAL_SUBJECT_KEY=key))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == key
