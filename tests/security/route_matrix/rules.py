"""The field-level rules, checked on every response of the matrix: what a caller must never see."""

import json
from collections.abc import Iterator

from tests.network import SHELTER_COARSE, SHELTER_EXACT

from .declarations import DOCUMENTATION, SECRET_SHOWN_ONCE, SUBMITTER, Cell
from .requests import World, request_cell


def _dicts(data) -> Iterator[dict]:
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _dicts(value)
    elif isinstance(data, list):
        for item in data:
            yield from _dicts(item)


def json_of(response):
    if "json" not in response.get("Content-Type", ""):
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def field_violations(world: World, cell: Cell, response) -> list[str]:
    """What the response shows that the caller may not see."""
    if cell.route in DOCUMENTATION:
        return []
    text = response.content.decode(errors="replace")
    problems = []
    if "case_reference" in text or "CASE-" in text:
        problems.append("a case reference (write-only) is in the response")
    if world.network.webhook.secret in text:
        problems.append("the webhook's signing secret is shown again")
    for referral in world.network.referrals.values():
        if referral.subject_hash and referral.subject_hash in text:
            problems.append("a subject hash is in the response")
    if cell.actor != "offered_caseworker" and any(f"{value}" in text for value in SHELTER_EXACT):
        problems.append("the shelter's exact coordinates are shown to another organisation")
    shows_secret = (cell.route, cell.method) in SECRET_SHOWN_ONCE
    visible = world.visible_referrals(cell.actor)
    known = {str(r.pk) for r in world.network.referrals.values()}
    own = world.organisation_of(cell.actor)
    for item in _dicts(json_of(response)):
        if "secret" in item and not shows_secret:
            problems.append("a `secret` field outside the create and rotate-secret responses")
        if (item.get("subject_key") or item.get("possible_duplicate_of")) and (
            own is None or item.get("submitting_organisation", {}).get("id") != str(own.pk)
        ):
            problems.append("subject_key/possible_duplicate_of shown to an organisation that did not submit")
        if {"action", "subject_organisation", "actor"} <= item.keys() and cell.actor not in SUBMITTER:
            problems += event_violations(item, own, world.network.government)
        if item.get("id") == world.network.shelter.pk and "location_exact" in item:
            exact = cell.actor == "offered_caseworker"
            coordinates = item["location"]["coordinates"]
            if item["location_exact"] is not exact or coordinates != (list(SHELTER_EXACT) if exact else SHELTER_COARSE):
                problems.append(f"shelter location {coordinates} location_exact={item['location_exact']}")
        webhook = {"url", "events", "organisation", "active"} <= item.keys()
        if webhook and (own is None or item["organisation"] != str(own.pk)):
            problems.append("another organisation's webhook is shown")
        caller = world.user(cell.actor)
        themselves = caller is not None and item.get("username") == caller.username  # GET /me/
        if {"username", "role"} <= item.keys() and item["username"] in world.foreign_usernames and not themselves:
            problems.append(f"a member of another organisation is listed: {item['username']}")
        if {"submitting_organisation", "profile", "offers"} <= item.keys():  # a referral
            if item["id"] in known and item["id"] not in visible:
                problems.append(f"referral {item['id']} is shown to an organisation that may not see it")
            # the submitter of the referral sees every offer (an accepting NGO submits its onward referrals)
            if own is None or item["submitting_organisation"]["id"] != str(own.pk):
                others = [o["organisation"]["id"] for o in item["offers"]
                          if own is None or o["organisation"]["id"] != str(own.pk)]
                if others:
                    problems.append(f"offers to other organisations are shown: {others}")
    return problems


def event_violations(event: dict, own, submitter) -> list[str]:
    """An offered or accepting organisation reads the events of itself, the submitter or nobody,
    about itself or nobody; a member's username only in its own organisation's events."""
    own_id = str(own.pk) if own else None
    by = (event["organisation"] or {}).get("id")
    about = (event["subject_organisation"] or {}).get("id")
    problems = []
    if by not in (None, own_id, str(submitter.pk)):
        problems.append(f"an event by another organisation is shown: {event['action']}")
    if about not in (None, own_id):
        problems.append(f"an event about another organisation is shown: {event['action']}")
    if event["actor"] is not None and by != own_id:
        problems.append(f"the username of another organisation's member is shown: {event['action']}")
    return problems


def check(world: World, cell: Cell) -> list[str]:
    response, never = request_cell(world, cell)
    problems = []
    text = response.content.decode(errors="replace")
    problems += [f"{cell}: erased text is shown again: {phrase!r}" for phrase in never if phrase in text]
    if response.status_code != cell.expected:
        excerpt = response.content[:200].decode(errors="replace")
        problems.append(f"{cell}: expected {cell.expected}, got {response.status_code} {excerpt}")
    problems += [f"{cell}: {problem}" for problem in field_violations(world, cell, response)]
    return problems

