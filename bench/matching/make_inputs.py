"""Writes the benchmark inputs (deterministic) into the folder given.

urls.txt     100k links with tracking parameters, fragments, defanging
domains.txt  200k observed domains: random names, benign sites, and typo or
             suffix-swap variants of protected outlets
doppelganger.txt  the Doppelganger domains from ../shared (if present)
"""
import os
import random
import sys

out = sys.argv[1]
repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rng = random.Random(20260928)

def lines(path):
    with open(path, encoding="utf-8") as f:
        return [l.split("#")[0].strip() for l in f if l.split("#")[0].strip()]

protected = lines(os.path.join(repo, "crates/matching/data/protected-news-outlets.txt"))
benign = lines(os.path.join(repo, "bench/matching/benign-domains.txt"))
tlds = ["com", "de", "net", "org", "fr", "it", "co.uk", "info", "online", "site", "ru", "eu", "io", "life", "top"]
consonants, vowels = "bcdfghklmnprstvwz", "aeiou"

def word(lo=4, hi=12):
    n = rng.randint(lo, hi)
    return "".join(rng.choice(consonants if i % 2 == 0 else vowels) for i in range(n))

def typo(label):
    i = rng.randrange(len(label))
    kind = rng.randrange(4)
    if kind == 0:
        return label[:i] + label[i] + label[i:]
    if kind == 1 and len(label) > 3:
        return label[:i] + label[i + 1:]
    if kind == 2:
        return label[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + label[i + 1:]
    return label + "-" + rng.choice(["news", "de", "d", "info", "24"])

domains = []
for _ in range(200_000):
    r = rng.random()
    if r < 0.6:
        domains.append(f"{word()}.{rng.choice(tlds)}")
    elif r < 0.8:
        domains.append(rng.choice(["", "www.", "m.", "news."]) + rng.choice(benign))
    else:
        label, _, _ = rng.choice(protected).partition(".")
        if rng.random() < 0.5:
            label = typo(label)
        domains.append(f"{label}.{rng.choice(tlds)}")
with open(os.path.join(out, "domains.txt"), "w") as f:
    f.write("\n".join(domains) + "\n")

tracking = ["utm_source=tg", "utm_medium=social", "fbclid=IwAR" + word(8, 8), "gclid=" + word(6, 6), "si=" + word(5, 5)]
urls = []
for _ in range(100_000):
    host = rng.choice(["", "www.", "m."]) + rng.choice([rng.choice(benign), rng.choice(protected), f"{word()}.{rng.choice(tlds)}"])
    path = "/".join(word(3, 8) for _ in range(rng.randint(0, 3)))
    query = rng.sample(tracking, rng.randint(0, 2)) + [f"{word(1, 3)}={word(1, 4)}" for _ in range(rng.randint(0, 2))]
    rng.shuffle(query)
    url = f"{rng.choice(['https', 'http', 'HTTPS'])}://{host}/{path}"
    if rng.random() < 0.3:
        url += "/"
    if query:
        url += "?" + "&".join(query)
    if rng.random() < 0.2:
        url += "#" + word(3, 6)
    if rng.random() < 0.1:
        url = url.replace("http", "hxxp", 1).replace(".", "[.]", 1)
    urls.append(url)
with open(os.path.join(out, "urls.txt"), "w") as f:
    f.write("\n".join(urls) + "\n")

csv_path = os.path.join(
    os.environ.get("CROSSWATCH_SHARED_DATA", os.path.join(repo, "..", "shared", "data")),
    "meta-threat-research",
    "2022_09_removing_coordinated_inauthentic_behavior_from_china_and_russia.csv",
)
dopp = []
if os.path.exists(csv_path):
    with open(csv_path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split(",")
            if len(parts) >= 3 and parts[0] == "domain_name" and "-targeting" in parts[2]:
                dopp.append(parts[1].strip())
else:
    print(f"note: {csv_path} absent, Doppelganger recall skipped", file=sys.stderr)
with open(os.path.join(out, "doppelganger.txt"), "w") as f:
    f.write("\n".join(dopp) + "\n")
