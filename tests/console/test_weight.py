"""Slow connections and the strict CSP: a first visit of any console page transfers at most 150 KB
compressed, its assets included (the HTML and every stylesheet and script it links, each gzipped as
whitenoise serves them); no page carries inline script or style; the CSP of console pages allows
neither."""

import gzip
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

BUDGET = 150 * 1024
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')


def compressed(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def first_visit_bytes(response) -> tuple[int, dict]:
    html = response.content
    sizes = {"html": compressed(html)}
    for url in ASSET.findall(html.decode()):
        assert url.startswith(settings.STATIC_URL) or url.startswith("/" + settings.STATIC_URL), url
        path = finders.find(url.split(settings.STATIC_URL, 1)[1])
        assert path, f"{url} is not a local static file"
        with open(path, "rb") as file:
            sizes[url] = compressed(file.read())
    return sum(sizes.values()), sizes


def pages(people, offered):
    return [
        (None, "/app/login/"),
        (people.gov_caseworker, "/app/inbox/"),
        (people.gov_caseworker, "/app/referrals/"),
        (people.gov_caseworker, "/app/referrals/new/"),
        (people.gov_caseworker, f"/app/referrals/{offered.pk}/"),
        (people.ngo_caseworker, "/app/inbox/"),
        (people.ngo_caseworker, f"/app/referrals/{offered.pk}/"),
    ]


def test_a_first_visit_of_every_page_is_under_150_kb_compressed(people, offered):
    for user, url in pages(people, offered):
        client = Client()
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        total, sizes = first_visit_bytes(response)
        assert total <= BUDGET, f"{url}: {total} bytes compressed ({sizes})"


def test_no_inline_script_or_style_and_a_strict_policy(people, offered):
    for user, url in pages(people, offered):
        client = Client()
        if user:
            client.force_login(user)
        response = client.get(url)
        html = response.content.decode()
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, f"{url}: inline script {tag}"
        assert "<style" not in html, url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), f"{url}: inline event handler"
        policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
        assert policy["script-src"] == "'self'", url
        assert policy["style-src"] == "'self'", url
        assert "cdn" not in html.lower(), url
