"""Caseworker traffic for locust. Reads the accounts (tokens, referral ids, points) from the JSON
file named by $BENCH_LOAD_ACCOUNTS; Django is never imported here (locust runs under gevent).
Reads dominate: inbox and referral pages far outnumber submissions and outcomes."""

import datetime
import json
import os
import random
import uuid
from pathlib import Path

from locust import HttpUser, between, task

ACCOUNTS = json.loads(Path(os.environ["BENCH_LOAD_ACCOUNTS"]).read_text())


def _auth(token):
    return {"Authorization": f"Token {token}", "Accept": "application/json"}


class Caseworker(HttpUser):
    """Acts as one of the accounts of its `kind` (a key of ACCOUNTS)."""

    abstract = True
    kind = ""
    wait_time = between(0.05, 0.2)

    def on_start(self):
        self.account = random.choice(ACCOUNTS[self.kind])
        self.headers = _auth(self.account["token"])

    def open_referral(self, name: str):
        ref = random.choice(self.account["visible"])
        self.client.get(f"/api/v1/referrals/{ref}/", headers=self.headers, name=name)


class NgoCaseworker(Caseworker):
    weight = 3
    kind = "ngo"

    @task(6)
    def inbox(self):
        self.client.get("/api/v1/referrals/?status=offered", headers=self.headers, name="ngo: inbox")

    @task(5)
    def referral_page(self):
        self.open_referral("ngo: referral page")

    @task(2)
    def search(self):
        point = random.choice(ACCOUNTS["points"])
        self.client.get(f"/api/v1/providers/search/?lat={point['lat']}&lon={point['lon']}&services="
                        f"{','.join(point['needs'][:2])}", headers=self.headers, name="ngo: provider search")

    @task(1)
    def outcome(self):
        ref = random.choice(self.account["accepted"])
        body = {"type": random.choice(["medical_care", "legal_aid", "psychosocial_support"]),
                "date": datetime.datetime.now(datetime.UTC).date().isoformat(), "note": ""}
        self.client.post(f"/api/v1/referrals/{ref}/outcomes/", json=body, headers=self.headers,
                         name="ngo: record outcome")

    @task(1)
    def not_visible(self):
        # A stale link to a referral this organisation may not see: 404 is the expected refusal.
        with self.client.get(f"/api/v1/referrals/{self.account['hidden']}/", headers=self.headers,
                             name="ngo: referral not visible (404 expected)", catch_response=True) as response:
            if response.status_code == 404:
                response.success()
            else:
                response.failure(f"expected 404, got {response.status_code}")


class GovernmentCaseworker(Caseworker):
    weight = 1
    kind = "government"

    @task(2)
    def submit(self):
        a = self.account
        body = {
            "case_reference": f"LOAD-{uuid.uuid4().hex[:16]}",
            "profile": {"age_band": random.choice(["9-17", "18-20", "24-26"]),
                        "gender": random.choice(["female", "male"]), "nationality": "MM", "languages": ["my"]},
            "exploitation_types": [random.choice(["labour", "sexual", "domestic_servitude"])],
            "indicators": ["deception", "withholding_of_wages"],
            "needs": random.sample(["shelter", "medical", "psychosocial", "legal_aid"], 2),
            "urgency": random.choice(["routine", "urgent"]),
            "location": {"lat": a["lat"], "lon": a["lon"]},
            "consent": {"given": True, "basis": "informed_consent"},
            "notes": "Identified during a labour inspection; wages withheld for months.",
        }
        self.client.post("/api/v1/referrals/", json=body, headers=self.headers, name="gov: submit referral")

    @task(4)
    def own_list(self):
        self.client.get("/api/v1/referrals/", headers=self.headers, name="gov: own referrals")

    @task(3)
    def referral_page(self):
        self.open_referral("gov: referral page")
