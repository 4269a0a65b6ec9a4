"""Assertions shared by the whole suite: every error leaves the API as an RFC 9457 problem."""

import re

PROBLEM = "application/problem+json"


def _error_paths(response) -> list[str]:
    """The fields the problem's `errors` name, as the API names them (`profile.gender`, `services.1`)."""
    return [error["field"] for error in response.json().get("errors", []) if error["field"]]


def error_fields(response) -> set[str]:
    """The top-level fields the problem's `errors` name (`services.1` and `services[1]` -> `services`)."""
    return {re.split(r"[.\[]", path)[0] for path in _error_paths(response)}


def assert_problem(response, status: int, field: str | None = None) -> dict:
    """The response is a problem (RFC 9457) with this status: application/problem+json with a type,
    a title and a detail, and no traceback; when `field` is given, an entry in `errors` names that
    field or one of its sub-fields (`profile` covers `profile.gender`). Returns the body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].split(";")[0].strip() == PROBLEM, response["Content-Type"]
    assert "Traceback" not in response.content.decode(errors="replace")
    body = response.json()
    assert body["type"] == "about:blank", body
    assert body["status"] == status, body
    assert isinstance(body["title"], str), body
    assert body["title"], body
    assert isinstance(body["detail"], str), body
    assert body["detail"], body
    if field is not None:
        paths = _error_paths(response)
        assert any(p == field or p.startswith((f"{field}.", f"{field}[")) for p in paths), (field, body)
    return body
