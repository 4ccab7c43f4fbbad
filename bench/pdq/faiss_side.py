"""FAISS side of the PDQ index benchmark.

generate DIR: writes bank.bin (random 256-bit hashes with near neighbours of
              every query planted in it) and queries.bin, 32 bytes per hash.
faiss DIR:    range-searches every query at distance <= 31 with FAISS
              IndexBinaryFlat, times it per query, and compares its hits with
              rust_hits.tsv written by the Rust side.
"""

import statistics
import sys
import time
from pathlib import Path

import numpy as np

BANK_SIZE = 1_000_000
QUERIES = 1_000
PLANTED_PER_QUERY = 20
MAX_DISTANCE = 31
SEED = 20261128


def generate(directory: Path) -> None:
    rng = np.random.default_rng(SEED)
    bank = rng.integers(0, 256, size=(BANK_SIZE, 32), dtype=np.uint8)
    queries = rng.integers(0, 256, size=(QUERIES, 32), dtype=np.uint8)
    # Plant neighbours at distances 0..40 so that the threshold edge
    # (31 in, 32 out) is exercised for every query.
    slots = rng.choice(BANK_SIZE, size=QUERIES * PLANTED_PER_QUERY, replace=False)
    for index, slot in enumerate(slots):
        query = queries[index // PLANTED_PER_QUERY]
        distance = int(rng.integers(0, 41))
        bits = rng.choice(256, size=distance, replace=False)
        neighbour = np.unpackbits(query).copy()
        neighbour[bits] ^= 1
        bank[slot] = np.packbits(neighbour)
    directory.mkdir(parents=True, exist_ok=True)
    bank.tofile(directory / "bank.bin")
    queries.tofile(directory / "queries.bin")
    print(f"generated {BANK_SIZE} bank hashes, {QUERIES} queries, "
          f"{PLANTED_PER_QUERY} planted neighbours each (distance 0..40)")


def run_faiss(directory: Path) -> None:
    import faiss

    faiss.omp_set_num_threads(1)  # one core, like the Rust side
    bank = np.fromfile(directory / "bank.bin", dtype=np.uint8).reshape(-1, 32)
    queries = np.fromfile(directory / "queries.bin", dtype=np.uint8).reshape(-1, 32)
    index = faiss.IndexBinaryFlat(256)
    index.add(bank)

    for query in queries[:20]:  # warm-up
        index.range_search(query[None, :], MAX_DISTANCE + 1)
    per_query_us = []
    faiss_hits = set()
    for number, query in enumerate(queries):
        started = time.perf_counter()
        lims, distances, labels = index.range_search(query[None, :], MAX_DISTANCE + 1)
        per_query_us.append((time.perf_counter() - started) * 1e6)
        for label, distance in zip(labels[lims[0]:lims[1]], distances[lims[0]:lims[1]]):
            faiss_hits.add((number, int(label), int(distance)))

    rust_hits = set()
    with open(directory / "rust_hits.tsv") as handle:
        for line in handle:
            query, ident, distance = line.split("\t")
            rust_hits.add((int(query), int(ident), int(distance)))

    faiss_median = statistics.median(per_query_us)
    print(f"faiss: {len(queries)} queries at distance <= {MAX_DISTANCE}: "
          f"median {faiss_median:.1f} us/query, {len(faiss_hits)} hits")
    if rust_hits != faiss_hits:
        print(f"MISMATCH: {len(rust_hits - faiss_hits)} only in Rust, "
              f"{len(faiss_hits - rust_hits)} only in FAISS")
        sys.exit(1)
    print(f"result sets identical ({len(rust_hits)} hits)")
    (directory / "faiss_median_us.txt").write_text(f"{faiss_median}\n")


if __name__ == "__main__":
    mode, target = sys.argv[1], Path(sys.argv[2])
    {"generate": generate, "faiss": run_faiss}[mode](target)
