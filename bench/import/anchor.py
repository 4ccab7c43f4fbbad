"""Anchor: a straightforward Python reader of the same file (csv module,
refanging and classifying each indicator), timed the same way."""
import csv, re, statistics, sys, time

def classify(value):
    v = value.replace("[.]", ".").replace("hxxp", "http").strip()
    if re.match(r"^\d[\d,]*\s+\w+", v):
        return "count"
    if " " in v:
        return "text"
    if "t.me/" in v or "x.com/" in v:
        return "social-account"
    if "/" in v:
        return "url"
    return "domain"

path, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
times = []
for _ in range(runs):
    start = time.perf_counter()
    seen = {}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        rows = 0
        for row in reader:
            rows += 1
            if len(row) > 3 and row[3].strip():
                kind = classify(row[3])
                if kind not in ("count", "text"):
                    seen[(kind, row[3].replace("[.]", ".").lower())] = True
    times.append(time.perf_counter() - start)
median = statistics.median(times)
print(f"python-csv rows={rows} indicators={len(seen)} median_s={median:.4f} rows_per_s={rows / median:.0f}")
