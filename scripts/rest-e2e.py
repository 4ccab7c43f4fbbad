#!/usr/bin/env python3
"""End-to-end check of a running Crosswatch hub's native JSON API.

The OpenAPI document validates with openapi-spec-validator; org A shares a
kill-chain CSV with all members through POST /api/incidents; org B, already
listening on the live feed stream, receives the new objects as events and
finds the incident by a defanged domain; org C finds nothing of org A's
private incident.

Usage: rest-e2e.py URL TOKEN_A TOKEN_B TOKEN_C
Requires: pip install requests openapi-spec-validator
"""

import json
import sys
import threading
import time

import requests
from openapi_spec_validator import validate

CSV = (
    "Tactic,Technique,Procedure,Indicator\n"
    "0. Acquiring assets,0.9 Acquiring social media accounts,0.9.1 Acquiring Facebook assets,7 accounts\n"
    "5. Establishing legitimacy,5.2 Creating fictitious news outlets,5.2.1 Fictitious news websites,"
    "https://e2e-outlet-example[.]md/\n"
)
PRIVATE = (
    "Tactic,Technique,Procedure,Indicator\n"
    "5. Establishing legitimacy,5.2 Creating fictitious news outlets,5.2.1 Fictitious news websites,"
    "https://private-e2e-example[.]org/\n"
)


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def listen(url, token, events, ready):
    """Collects SSE events (kind, data) from the live feed."""
    with requests.get(f"{url}/api/feed/stream", headers=auth(token), stream=True, timeout=30) as response:
        if response.status_code != 200:
            events.append(("http", response.status_code))
            ready.set()
            return
        ready.set()
        kind = None
        for line in response.iter_lines(decode_unicode=True):
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:") and kind:
                events.append((kind, json.loads(line[5:])))
                if len(events) >= 200:
                    return


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        sys.exit(2)
    url, token_a, token_b, token_c = sys.argv[1:]

    document = requests.get(f"{url}/api/openapi.json", timeout=10).json()
    validate(document)
    print("ok: /api/openapi.json is a valid OpenAPI document")

    events, ready = [], threading.Event()
    threading.Thread(target=listen, args=(url, token_b, events, ready), daemon=True).start()
    ready.wait(10)

    shared = requests.post(
        f"{url}/api/incidents?share=all&tlp=green",
        headers={**auth(token_a), "Content-Type": "text/csv"},
        data=CSV,
        timeout=30,
    )
    if shared.status_code != 201:
        fail(f"sharing the CSV answered {shared.status_code}: {shared.text}")
    stored = shared.json()["stored"]
    private = requests.post(
        f"{url}/api/incidents?share=own",
        headers={**auth(token_a), "Content-Type": "text/csv"},
        data=PRIVATE,
        timeout=30,
    )
    if private.status_code != 201:
        fail(f"sharing privately answered {private.status_code}: {private.text}")
    print(f"ok: org A shared a kill-chain CSV as {stored} STIX objects")

    deadline = time.time() + 10
    while time.time() < deadline and not any(
        kind == "create" and (data.get("object") or {}).get("type") == "campaign" for kind, data in events
    ):
        time.sleep(0.1)
    campaigns = [d for k, d in events if k == "create" and (d.get("object") or {}).get("type") == "campaign"]
    if len(campaigns) != 1:
        fail(f"org B's live stream should carry exactly the shared campaign, got {events[:5]}")
    print(f"ok: org B's live stream delivered the shared campaign ({len(events)} events)")

    found = requests.get(
        f"{url}/api/incidents", params={"value": "e2e-outlet-example[.]md"}, headers=auth(token_b), timeout=10
    ).json()["objects"]
    if [o["id"] for o in found] != [campaigns[0]["id"]]:
        fail(f"org B's search by defanged domain found {found}")
    hidden = requests.get(
        f"{url}/api/incidents", params={"value": "private-e2e-example.org"}, headers=auth(token_c), timeout=10
    ).json()["objects"]
    if hidden:
        fail("org C found org A's private incident")
    print("ok: search finds the shared incident and hides the private one")
    print("4 passed, 0 failed")


if __name__ == "__main__":
    main()
