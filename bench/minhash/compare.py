"""Runs datasketch and gaoya on the corpus the Rust example timed, with the
same num_perm, threshold and bands x rows, and prints medians and ratios.

Usage: compare.py CORPUS RUST_JSON TRUTH_TSV NUM_PERM THRESHOLD QUERIES REPEATS
"""

import json
import statistics
import sys
import time

import gaoya
from datasketch import MinHash, MinHashLSH

NGRAM = 5


def shingles(text):
    """Character 5-grams; the corpus is already normalised (lowercase ASCII,
    single spaces), so this equals what crosswatch-minhash shingles."""
    if len(text) <= NGRAM:
        return {text}
    return {text[i : i + NGRAM] for i in range(len(text) - NGRAM + 1)}


def timed(repeats, work):
    seconds, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - start)
    return seconds, result


def recall(results_by_query, truth):
    relevant = found = 0
    for query, similar in truth.items():
        got = set(results_by_query.get(query, ()))
        relevant += len(similar)
        found += len(similar & got)
    return found / relevant if relevant else 1.0


def main():
    corpus, rust_json, truth_tsv, num_perm, threshold, queries, repeats = sys.argv[1:8]
    num_perm, threshold = int(num_perm), float(threshold)
    queries, repeats = int(queries), int(repeats)
    with open(corpus, encoding="utf-8") as f:
        posts = f.read().splitlines()
    with open(rust_json, encoding="utf-8") as f:
        rust = json.load(f)
    truth = {}
    with open(truth_tsv, encoding="utf-8") as f:
        for line in f:
            query, ids = line.rstrip("\n").split("\t")
            truth[int(query)] = {int(i) for i in ids.split(",") if i}
    bands, rows = rust["bands"], rust["rows"]
    step = max(len(posts) // max(queries, 1), 1)
    query_ids = list(range(0, len(posts), step))[:queries]

    # Independent check of the Rust ground truth with Python sets.
    for query, similar in list(truth.items())[:50]:
        q = shingles(posts[query])
        for other in similar:
            o = shingles(posts[other])
            assert len(q & o) / len(q | o) >= threshold, (query, other)

    # --- datasketch ---------------------------------------------------------
    def ds_signature(text):
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch([s.encode("utf-8") for s in shingles(text)])
        return m

    def ds_signatures():
        return [ds_signature(p) for p in posts]

    def ds_insert(sigs):
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, params=(bands, rows))
        with lsh.insertion_session() as session:
            for i, m in enumerate(sigs):
                session.insert(i, m, check_duplication=False)
        return lsh

    # datasketch is slow enough that its signatures are computed once; its
    # build time is that one signature run plus the median insert time.
    ds_sig_s, ds_sigs = timed(1, ds_signatures)
    ds_insert_s, ds_lsh = timed(repeats, lambda: ds_insert(ds_sigs))
    ds_build_s = [ds_sig_s[0] + t for t in ds_insert_s]

    def ds_query():
        out = {}
        for q in query_ids:
            m = ds_signature(posts[q])
            out[q] = [k for k in ds_lsh.query(m) if m.jaccard(ds_sigs[k]) >= threshold]
        return out

    ds_query_s, _ = timed(repeats, ds_query)
    ds_raw = {q: ds_lsh.query(ds_sigs[q]) for q in truth}
    ds_verified = {
        q: [k for k in ds_raw[q] if ds_sigs[q].jaccard(ds_sigs[k]) >= threshold] for q in truth
    }
    del ds_lsh, ds_sigs

    # --- gaoya --------------------------------------------------------------
    def gaoya_index():
        return gaoya.minhash.MinHashStringIndex(
            hash_size=32,
            jaccard_threshold=threshold,
            num_bands=bands,
            band_size=rows,
            analyzer="char",
            lowercase=False,
            ngram_range=(NGRAM, NGRAM),
        )

    ids = list(range(len(posts)))

    def ga_build_parallel():
        index = gaoya_index()
        index.par_bulk_insert_docs(ids, posts)
        return index

    def ga_build_single():
        index = gaoya_index()
        for i, p in enumerate(posts):
            index.insert_document(i, p)
        return index

    ga_build_single_s, _ = timed(repeats, ga_build_single)
    ga_build_parallel_s, ga = timed(repeats, ga_build_parallel)
    query_docs = [posts[q] for q in query_ids]
    ga_query_single_s, _ = timed(repeats, lambda: [ga.query(d) for d in query_docs])
    ga_query_parallel_s, _ = timed(repeats, lambda: ga.par_bulk_query(query_docs))
    ga_results = {q: ga.query(posts[q]) for q in truth}

    # --- report -------------------------------------------------------------
    med = statistics.median
    rows_out = [
        ("signatures, 1 thread", rust["signature_single_s"], ds_sig_s, None),
        ("signatures, 2 threads", rust["signature_parallel_s"], None, None),
        ("build (text->index), 1 thread", rust["build_single_s"], ds_build_s, ga_build_single_s),
        ("build (text->index), 2 threads", rust["build_parallel_s"], None, ga_build_parallel_s),
        (f"query {len(query_ids)} texts, 1 thread", rust["query_single_s"], ds_query_s, ga_query_single_s),
        (f"query {len(query_ids)} texts, 2 threads", rust["query_parallel_s"], None, ga_query_parallel_s),
    ]
    print(
        f"\ncorpus: {len(posts)} posts, num_perm={num_perm}, threshold={threshold}, "
        f"bands x rows = {bands} x {rows}, char {NGRAM}-grams, {repeats} runs each (median seconds; "
        f"datasketch signatures: 1 run)\n"
    )
    header = f"{'phase':<34}{'crosswatch':>12}{'datasketch':>12}{'gaoya':>10}{'ds/cw':>9}{'gaoya/cw':>10}"
    print(header)
    print("-" * len(header))

    def cell(values, width):
        return f"{med(values):>{width}.3f}" if values else f"{'-':>{width}}"

    def ratio(values, ours, width):
        return f"{med(values) / med(ours):>{width - 1}.1f}x" if values else f"{'-':>{width}}"

    for name, ours, ds, ga_s in rows_out:
        print(
            f"{name:<34}{cell(ours, 12)}{cell(ds, 12)}{cell(ga_s, 10)}"
            f"{ratio(ds, ours, 9)}{ratio(ga_s, ours, 10)}"
        )
    print(
        f"\nco-text batch (crosswatch only): all candidate pairs + exact verification "
        f"{med(rust['pairs_s']):.3f} s, {rust['candidate_pairs']} candidates, "
        f"{rust['verified_pairs']} verified"
    )
    relevant = sum(len(s) for s in truth.values())
    print(
        f"\nrecall vs exact Jaccard >= {threshold} on {len(truth)} sampled posts "
        f"({relevant} true near-duplicates, brute force):"
    )
    print(f"  crosswatch  raw candidates {rust['recall_raw']:.3f}  verified (estimate) {rust['recall_verified']:.3f}")
    print(f"  datasketch  raw candidates {recall(ds_raw, truth):.3f}  verified (estimate) {recall(ds_verified, truth):.3f}")
    print(f"  gaoya       verified (its query) {recall(ga_results, truth):.3f}")


if __name__ == "__main__":
    main()
