"""The schema is the integration contract: generate a Python client from it with
openapi-python-client, as a partner would, and drive a whole referral through a live server."""

import importlib
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.organisations.factories import PASSWORD, OrganisationFactory, member
from tests.referrals.factories import cover_country, referral_payload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
PACKAGE = "referral_network_client"


@pytest.fixture
def generated_client(tmp_path, monkeypatch):
    schema = tmp_path / "schema.json"
    call_command("spectacular", file=str(schema), format="openapi-json", stdout=StringIO())
    venv_bin = Path(sys.executable).parent
    result = subprocess.run(  # noqa: S603
        [str(venv_bin / "openapi-python-client"), "generate", "--path", str(schema), "--meta", "none",
         "--output-path", str(tmp_path / PACKAGE)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    monkeypatch.syspath_prepend(str(tmp_path))
    yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    for module in [m for m in sys.modules if m.startswith(PACKAGE)]:
        del sys.modules[module]


def test_a_partner_drives_a_referral_through_the_generated_client(generated_client, live_server, reference_data):
    government = OrganisationFactory(name="Immigration Service", kind="government")
    ngo = OrganisationFactory(name="Shelter Partner")
    cover_country(ngo)
    officer = member(government, "caseworker")
    caseworker = member(ngo, "caseworker")

    client_module = generated_client("client")
    models = generated_client("models")
    token_api = generated_client("api.auth.auth_token_create")

    def login(user):
        anonymous = client_module.Client(base_url=live_server.url)
        token = token_api.sync(client=anonymous, body=models.LoginRequest(username=user.username, password=PASSWORD))
        return client_module.AuthenticatedClient(base_url=live_server.url, token=token.token, prefix="Token")

    government_api, ngo_api = login(officer), login(caseworker)
    create = generated_client("api.referrals.referrals_create")
    response = create.sync_detailed(
        client=government_api, body=models.ReferralCreateRequest.from_dict(referral_payload()),
        idempotency_key="partner-retry-1",
    )
    assert response.status_code == 201, response.content
    referral = response.parsed
    assert referral.status.value == "submitted"

    route = generated_client("api.referrals.referrals_route_create")
    routed = route.sync(id=referral.id, client=government_api,
                        body=models.RouteRequest.from_dict({"organisations": [str(ngo.pk)]}))
    assert routed.status.value == "offered"

    accepted = generated_client("api.referrals.referrals_accept_create").sync(id=referral.id, client=ngo_api)
    assert accepted.status.value == "accepted"

    outcome = generated_client("api.referrals.referrals_outcomes_create").sync(
        id=referral.id, client=ngo_api,
        body=models.OutcomeRequest.from_dict({"type": "safe_accommodation", "date": timezone.localdate().isoformat()}),
    )
    assert outcome.type_.value == "safe_accommodation"

    closed = generated_client("api.referrals.referrals_close_create").sync(
        id=referral.id, client=ngo_api, body=models.ReasonRequest.from_dict({"reason": "Assistance completed."})
    )
    assert closed.status.value == "closed"

    # Errors parse too: closing again is refused with 409 and the current status.
    again = generated_client("api.referrals.referrals_close_create").sync_detailed(
        id=referral.id, client=ngo_api, body=models.ReasonRequest.from_dict({"reason": ""})
    )
    assert again.status_code == 409
    assert again.parsed.current_status == "closed"
