"""Generates a JSON array of Crosswatch actions for the SLI benchmark."""
import json, random, sys, uuid

path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(16)
states = ["FR", "DE", "GR", "IT", "ES", "PL", "RO", "NO", "MD", "UA", "US"]
kinds = ["account", "page", "group", "channel", "content", "event"]
out = []
for i in range(n):
    a = {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "taken_at": f"2025-{rng.randint(5, 12):02d}-{rng.randint(1, 28):02d}T12:00:00Z",
        "platform": rng.choice(["ExampleNet", "OtherNet"]),
        "kind": rng.choice(kinds),
        "count": rng.randint(1, 40),
        "decision": "account-terminated",
        "member_states": rng.sample(states, rng.randint(0, 3)),
        "reviewer": "r",
    }
    if rng.random() < 0.7:
        a["prompted_by"] = {
            "incident_id": str(uuid.UUID(int=rng.getrandbits(128))),
            "incident_name": "net",
            "hub": rng.choice(["hub-a", "hub-b"]),
            "source_org": rng.choice(["Meta", "Google", "TikTok"]),
        }
    out.append(a)
with open(path, "w") as f:
    json.dump(out, f)
