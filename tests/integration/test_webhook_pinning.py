"""DNS rebinding: a webhook's host is resolved once per delivery, its addresses checked, and the
connection made to the checked address, never to whatever the name resolves to the next time.

The attack: a name that resolves to a public address when it is checked and to 127.0.0.1 when the
HTTP client resolves it again. The resolver here is socket.getaddrinfo, replaced for one name
only (it stands for DNS; the database and everything else resolve as usual), and every outgoing
connection is recorded; one to the public address is refused on the spot, so nothing leaves the
machine."""

import shutil
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import urllib3.util.connection
from django.core.exceptions import ValidationError

from integration import webhooks
from integration.models import DeliveryStatus, WebhookDelivery
from tests.referrals.factories import submit

pytestmark = pytest.mark.django_db

HOST = "rebind.example.org"
PUBLIC = "93.184.216.34"
_real_getaddrinfo = socket.getaddrinfo
_real_create_connection = urllib3.util.connection.create_connection


class Resolver:
    """Answers HOST with the next address of `answers` (the last one repeats); IP literals resolve
    as they always do, any other name does not resolve."""

    def __init__(self):
        self.answers: list[str] = [PUBLIC]
        self.asked = 0

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        if isinstance(host, str) and host.lower() == HOST:
            address = self.answers[min(self.asked, len(self.answers) - 1)]
            self.asked += 1
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return _real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)


@pytest.fixture
def resolver(monkeypatch):
    fake = Resolver()
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def connections(monkeypatch):
    """Where the HTTP client connects: (host, port) of every connection urllib3 opens."""
    seen: list[tuple[str, int]] = []

    def create_connection(address, *args, **kwargs):
        seen.append(address)
        if address[0] == PUBLIC:
            raise ConnectionRefusedError("the test does not leave the machine")
        return _real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", create_connection)
    return seen


@pytest.fixture(autouse=True)
def _delivery_settings(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    settings.WEBHOOK_MAX_ATTEMPTS = 3


def _deliver_one(cast, url):
    subscription = webhooks.webhook_create(organisation=cast.government, url=url, events=["referral.submitted"])
    submit(cast.submitter_caseworker)
    webhooks.outbox_relay()
    webhooks.subscription_deliver(subscription.pk)
    return WebhookDelivery.objects.get(subscription=subscription)


def test_a_name_rebound_to_loopback_after_the_check_is_not_followed(cast, resolver, connections, receiver):
    """Checked as public, then answering 127.0.0.1: the delivery goes to the checked address only."""
    resolver.answers = [PUBLIC, PUBLIC, "127.0.0.1"]  # registration, the delivery's check, any later lookup
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    delivery = _deliver_one(cast, f"https://{HOST}:{port}/hooks")

    assert resolver.asked == 2  # once to register, once per attempt: nothing resolves it a third time
    assert connections == [(PUBLIC, port)]
    assert receiver.requests == []
    [attempt] = delivery.attempts
    assert attempt["status_code"] is None
    assert attempt["error"] == "ConnectionError"
    assert delivery.status == DeliveryStatus.PENDING  # retried later, checked again then


def test_a_name_that_resolves_to_loopback_at_delivery_is_refused(cast, resolver, connections, receiver):
    resolver.answers = [PUBLIC, "127.0.0.1"]
    delivery = _deliver_one(cast, f"https://{HOST}/hooks")

    assert connections == []
    assert receiver.requests == []
    [attempt] = delivery.attempts
    assert "private, loopback or link-local" in attempt["error"]


def test_a_name_with_a_private_address_among_its_answers_is_refused(cast, resolver, connections, monkeypatch):
    webhooks.webhook_create(organisation=cast.government, url=f"https://{HOST}/hooks", events=["referral.submitted"])

    def public_and_loopback(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", public_and_loopback)
    with pytest.raises(ValidationError, match="loopback"):
        webhooks.resolve_webhook_url(f"https://{HOST}/hooks")


def test_the_checked_address_is_used_with_the_hosts_name(cast, resolver, connections, receiver, settings):
    """Where loopback is allowed (development), a real receiver on 127.0.0.1 gets the delivery
    under the URL's host name, though the name resolves elsewhere by the time of the request."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    resolver.answers = ["127.0.0.1", "10.255.255.1"]  # checked at delivery, then elsewhere
    delivery = _deliver_one(cast, f"http://{HOST}:{port}/hooks")

    assert delivery.status == DeliveryStatus.SUCCEEDED, delivery.attempts
    assert resolver.asked == 1
    assert connections == [("127.0.0.1", port)]
    [request] = receiver.requests
    assert request.headers["Host"] == f"{HOST}:{port}"
    assert request.body["type"] == "referral.submitted"


# --- TLS: the pinned connection still checks the certificate against the host's name ------------


def _certificate(tmp_path, name: str):
    key, cert = tmp_path / f"{name}.key", tmp_path / f"{name}.pem"
    subprocess.run(  # noqa: S603 (fixed arguments)
        [shutil.which("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_receiver(tmp_path):
    """An HTTPS server on 127.0.0.1 with a self-signed certificate for HOST; records the server
    name (SNI) each client asked for."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    cert, key = _certificate(tmp_path, HOST)
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: names.append(name)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"port": server.server_address[1], "cert": str(cert), "names": names, "tmp": tmp_path}
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_pinned_tls_connection_sends_the_hosts_name_and_verifies_its_certificate(tls_receiver, connections):
    url = f"https://{HOST}:{tls_receiver['port']}/hooks"
    with webhooks.pinned_session(url, "127.0.0.1") as session:
        response = session.post(url, data=b"{}", verify=tls_receiver["cert"], timeout=5)
    assert response.status_code == 204
    assert tls_receiver["names"] == [HOST]
    assert connections == [("127.0.0.1", tls_receiver["port"])]


def test_a_pinned_tls_connection_refuses_a_certificate_for_another_name(tls_receiver, connections):
    other, _ = _certificate(tls_receiver["tmp"], "other.example.org")
    url = f"https://{HOST}:{tls_receiver['port']}/hooks"
    with webhooks.pinned_session(url, "127.0.0.1") as session, pytest.raises(requests.exceptions.SSLError):
        session.post(url, data=b"{}", verify=str(other), timeout=5)


def test_a_pinned_session_sends_nothing_to_another_host(connections):
    with webhooks.pinned_session(f"https://{HOST}/hooks", PUBLIC) as session, pytest.raises(
        requests.exceptions.InvalidURL
    ):
        session.post("https://elsewhere.example.org/hooks", data=b"{}", timeout=5)
    assert connections == []
