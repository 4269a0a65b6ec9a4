"""The client address the lockout is keyed by (AXES_CLIENT_IP_CALLABLE).

The same rule as the API's per-address throttles (DRF's NUM_PROXIES): with no proxy in front, the
peer's address; behind N trusted proxies, the address the outermost one saw, N from the right of
X-Forwarded-For (what clients write themselves sits to its left and is ignored). Production sits
behind one TLS-terminating proxy (NUM_PROXIES defaults to 1 there). A value that is not an address
falls back to the peer's: axes stores it in an address column."""

import ipaddress

from rest_framework.throttling import BaseThrottle


def _valid(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    meta = getattr(request, "META", {})
    return _valid(BaseThrottle().get_ident(request)) or _valid(meta.get("REMOTE_ADDR"))
