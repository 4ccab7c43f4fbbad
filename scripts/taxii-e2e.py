#!/usr/bin/env python3
"""End-to-end check of a running Crosswatch hub with the OASIS TAXII client.

Org A posts a bundle to a sharing-group collection; org B (a member) pulls
it page by page and validates every object with stix2-validator; org C (not
a member) can neither list nor read the collection.

Usage: taxii-e2e.py URL TOKEN_A TOKEN_B TOKEN_C GROUP_NAME
Requires: pip install taxii2-client stix2-validator
"""

import json
import sys
import uuid

import requests
from stix2validator import ValidationOptions, validate_parsed_json
from taxii2client.v21 import Collection, Server, as_pages

TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
OBJECT_COUNT = 25
PAGE_SIZE = 7


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def make_bundle():
    objects = []
    for n in range(OBJECT_COUNT):
        objects.append({
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{uuid.uuid4()}",
            "created": "2026-01-15T10:00:00.000Z",
            "modified": "2026-01-15T10:00:00.000Z",
            "name": f"Domain of coordinated inauthentic network {n}",
            "indicator_types": ["malicious-activity"],
            "pattern": f"[domain-name:value = 'news-site-{n}.example']",
            "pattern_type": "stix",
            "valid_from": "2026-01-15T10:00:00Z",
            "object_marking_refs": [TLP_GREEN],
        })
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}


def group_collection(server, title):
    for collection in server.api_roots[0].collections:
        if collection.title == title:
            return collection
    return None


def main():
    if len(sys.argv) != 6:
        print(__doc__)
        sys.exit(2)
    url, token_a, token_b, token_c, group = sys.argv[1:]
    discovery = url.rstrip("/") + "/taxii2/"
    title = f"Group: {group}"
    passed = 0

    server_a = Server(discovery, user="Org A", password=token_a)
    collection_a = group_collection(server_a, title)
    if collection_a is None or not collection_a.can_write:
        fail(f"org A does not see a writable collection {title!r}")
    bundle = make_bundle()
    status = collection_a.add_objects(json.dumps(bundle))
    if status.status != "complete" or status.success_count != OBJECT_COUNT:
        fail(f"post status {status.status}, {status.success_count} successes, failures {status.failures}")
    passed += 1
    print(f"ok: org A posted {OBJECT_COUNT} objects (status {status.id})")

    server_b = Server(discovery, user="Org B", password=token_b)
    collection_b = group_collection(server_b, title)
    if collection_b is None or not collection_b.can_read:
        fail(f"org B (a member) does not see a readable {title!r}")
    pulled = []
    pages = 0
    for envelope in as_pages(collection_b.get_objects, per_request=PAGE_SIZE):
        pages += 1
        pulled.extend(envelope.get("objects", []))
    expected_ids = {o["id"] for o in bundle["objects"]}
    pulled_ids = [o["id"] for o in pulled]
    if len(pulled_ids) != len(set(pulled_ids)):
        fail("an object was returned twice while paging")
    if set(pulled_ids) != expected_ids:
        fail(f"org B pulled {len(pulled_ids)} objects, expected {len(expected_ids)}")
    expected_pages = -(-OBJECT_COUNT // PAGE_SIZE)
    if pages != expected_pages:
        fail(f"expected {expected_pages} pages of {PAGE_SIZE}, got {pages}")
    passed += 1
    print(f"ok: org B pulled all {len(pulled_ids)} objects in {pages} pages")

    pulled_bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": pulled}
    results = validate_parsed_json(pulled_bundle, ValidationOptions(version="2.1"))
    results = results if isinstance(results, list) else [results]
    invalid = [r for r in results if not r.is_valid]
    if invalid:
        for result in invalid:
            for error in result.errors:
                print(f"  {error}")
        fail("stix2-validator rejected objects served by the hub")
    passed += 1
    print("ok: stix2-validator accepts every object served")

    server_c = Server(discovery, user="Org C", password=token_c)
    if group_collection(server_c, title) is not None:
        fail("org C (not a member) can list the group collection")
    hidden = Collection(collection_a.url, user="Org C", password=token_c)
    try:
        hidden.get_objects()
        fail("org C read the group collection")
    except requests.exceptions.HTTPError as error:
        if error.response.status_code not in (403, 404):
            fail(f"org C got HTTP {error.response.status_code}, expected 403 or 404")
    passed += 1
    print("ok: org C can neither list nor read the group collection")

    try:
        Server(discovery, user="Org C", password="cwt_not-a-token").refresh()
        fail("a bogus token was accepted")
    except requests.exceptions.HTTPError as error:
        if error.response.status_code != 401:
            fail(f"bogus token got HTTP {error.response.status_code}, expected 401")
    passed += 1
    print("ok: a bogus token gets 401")

    print(f"{passed} passed, 0 failed")


if __name__ == "__main__":
    main()
