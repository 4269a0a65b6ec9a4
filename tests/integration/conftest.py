"""Fixtures of the integration tests: the referral cast, a webhook receiver on loopback, and a
clean cache (idempotency locks live there)."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache

from tests.organisations.factories import OrganisationFactory, member
from tests.referrals.conftest import cast, offered_referral  # noqa: F401
from tests.referrals.factories import cover_country


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@dataclass
class Received:
    headers: dict
    raw: bytes

    @property
    def body(self) -> dict:
        return json.loads(self.raw)


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: records every request; answers `status`."""

    url: str = ""
    status: int = 200
    requests: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append(Received(headers=dict(self.headers.items()), raw=raw))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def specialists(cast):  # noqa: F811 (the imported fixture)
    """Two NGOs for a referral needing shelter, legal aid and interpretation: `best` offers all
    three, `second` two of them (the cast's NGOs offer only shelter of the three)."""
    best = OrganisationFactory(name="Full Service NGO", kind="ngo", country="TH")
    second = OrganisationFactory(name="Legal Clinic", kind="ngo", country="TH")
    cover_country(best, services_offered=("shelter", "legal_aid", "interpretation"))
    cover_country(second, services_offered=("legal_aid", "interpretation"))
    return {
        "best": best, "best_caseworker": member(best, "caseworker"), "best_admin": member(best, "admin"),
        "second": second, "second_caseworker": member(second, "caseworker"),
        "second_admin": member(second, "admin"),
    }
