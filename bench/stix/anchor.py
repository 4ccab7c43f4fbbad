"""The Python `stix2` library on the same bundle: parse (import) and
serialise (export) times, as one JSON line."""
import json
import statistics
import sys
import time

import stix2

path = sys.argv[1]
repetitions = int(sys.argv[2]) if len(sys.argv) > 2 else 3
text = open(path, encoding="utf-8").read()
objects = len(json.loads(text)["objects"])

parse_seconds, serialise_seconds = [], []
for _ in range(repetitions):
    start = time.perf_counter()
    bundle = stix2.parse(text, allow_custom=True)
    parse_seconds.append(time.perf_counter() - start)
    start = time.perf_counter()
    bundle.serialize()
    serialise_seconds.append(time.perf_counter() - start)

print(json.dumps({
    "objects": objects,
    "stix2_version": stix2.__version__,
    "parse_median_s": statistics.median(parse_seconds),
    "serialise_median_s": statistics.median(serialise_seconds),
}))
