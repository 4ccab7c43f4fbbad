"""Summarises bench/out/hub/results.jsonl (written by bench/hub/run.sh) as
Markdown: throughput next to the raw reference and medallion, the ratios
against the issue's targets, and page time against store size."""

import json
import sys

# Targets from the issue: ingest >= 1/3 of raw INSERT, reads >= 1/2 of raw
# SELECT; "flat" page time is read as at most 1.5x from the smallest to the
# largest store.
POST_TARGET = 1 / 3
GET_TARGET = 1 / 2
FLAT_TARGET = 1.5


def load(path):
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def find(results, phase, label):
    hits = [r for r in results if r["phase"] == phase and r["label"] == label]
    return hits[-1] if hits else None


def rate(value):
    return f"{value:,.0f}"


def verdict(ok):
    return "met" if ok else "**not met**"


def main(path):
    results = load(path)
    backends = [b for b in ("sqlite", "postgres") if find(results, "post", f"ours-{b}")]
    print("## Throughput (objects/s)\n")
    print("| system | POST | GET (paged) | median GET page | note |")
    print("|---|---|---|---|---|")
    for backend in backends:
        post, get = find(results, "post", f"ours-{backend}"), find(results, "get", f"ours-{backend}")
        print(f"| Crosswatch hub, {backend} | {rate(post['rate'])} | {rate(get['rate'])} | "
              f"{get['median_page_ms']:.1f} ms | {post['count']:,} objects; POST median "
              f"{post['median_batch_ms']:.0f} ms per {post['batch']:,}-object envelope; "
              f"{get['pages']} GET pages |")
        analyzed = find(results, "get", f"ours-{backend}-analyzed")
        if analyzed:
            print(f"| Crosswatch hub, {backend}, after ANALYZE | - | {rate(analyzed['rate'])} | "
                  f"{analyzed['median_page_ms']:.1f} ms | the same GET once planner statistics exist |")
        raw = find(results, "raw", f"raw-{backend}")
        if raw:
            print(f"| raw INSERT / SELECT, {backend} | {rate(raw['insert_rate'])} | "
                  f"{rate(raw['select_rate'])} | {raw['median_page_ms']:.1f} ms | "
                  f"one transaction, multi-row INSERT; keyset pages; median of {raw['reps']} |")
    med_post, med_get = find(results, "post", "medallion"), find(results, "get", "medallion")
    if med_post:
        state = "all" if med_post["complete"] else "budget reached after"
        print(f"| medallion 3.0.0, memory backend | {rate(med_post['rate'])} | - | - | POST {state} "
              f"{med_post['count']:,} of {med_post['target']:,} objects in {med_post['seconds']:.0f} s; "
              f"first envelope {rate(med_post['first_batch_rate'] or 0)}/s, "
              f"last {rate(med_post['last_batch_rate'] or 0)}/s |")
    if med_get:
        if med_get["complete"]:
            state = f"paged all {med_get['count']:,} objects"
        elif med_get.get("timed_out"):
            state = f"{med_get['count']:,} of {med_get['target']:,} objects before the next page timed out"
        else:
            state = f"{med_get['count']:,} of {med_get['target']:,} objects when the budget ran out"
        page = f"{med_get['median_page_ms']:.0f} ms" if med_get["pages"] else "-"
        print(f"| medallion 3.0.0, holding {med_get['target']:,} | - | {rate(med_get['rate'])} | {page} | "
              f"GET {state} in {med_get['seconds']:.0f} s |")

    print("\n## Ratios\n")
    print("| backend | POST ours/raw | target ≥ 0.33 | GET ours/raw | target ≥ 0.5 | POST ours/medallion |")
    print("|---|---|---|---|---|---|")
    for backend in backends:
        post = find(results, "post", f"ours-{backend}")
        raw = find(results, "raw", f"raw-{backend}")
        if not raw:
            continue
        post_ratio = post["rate"] / raw["insert_rate"]
        vs_medallion = f"{post['rate'] / med_post['rate']:.1f}×" if med_post else "-"
        for suffix, note in (("", ""), ("-analyzed", " (after ANALYZE)")):
            get = find(results, "get", f"ours-{backend}{suffix}")
            if not get:
                continue
            get_ratio = get["rate"] / raw["select_rate"]
            if suffix:
                print(f"| {backend}{note} | - | - | {get_ratio:.3f} | {verdict(get_ratio >= GET_TARGET)} | - |")
            else:
                print(f"| {backend} | {post_ratio:.3f} | {verdict(post_ratio >= POST_TARGET)} | "
                      f"{get_ratio:.3f} | {verdict(get_ratio >= GET_TARGET)} | {vs_medallion} |")

    pages = [r for r in results if r["phase"] == "page-time"]
    if pages:
        print("\n## GET page time (limit %d) against stored objects, median ms\n" % pages[0]["limit"])
        print("| stored | " + " | ".join(f"{b} first | {b} middle | {b} newest" for b in backends) + " |")
        print("|---|" + "---|---|---|" * len(backends))
        sizes = sorted({r["size"] for r in pages})
        for size in sizes:
            cells = []
            for backend in backends:
                hit = [r for r in pages if r["label"] == f"ours-{backend}" and r["size"] == size]
                cells += [f"{hit[-1][k]:.1f}" if hit else "-" for k in ("first_ms", "middle_ms", "newest_ms")]
            print(f"| {size:,} | " + " | ".join(cells) + " |")
        if len(sizes) > 1:
            print(f"\nRatio page time at {sizes[-1]:,} / at {sizes[0]:,} objects "
                  f"(target: flat, read as ≤ {FLAT_TARGET}):\n")
            for backend in backends:
                small = [r for r in pages if r["label"] == f"ours-{backend}" and r["size"] == sizes[0]]
                large = [r for r in pages if r["label"] == f"ours-{backend}" and r["size"] == sizes[-1]]
                if not small or not large:
                    continue
                ratios = {k: large[-1][k] / small[-1][k] for k in ("first_ms", "middle_ms", "newest_ms")}
                worst = max(ratios.values())
                print(f"- {backend}: first {ratios['first_ms']:.2f}, middle {ratios['middle_ms']:.2f}, "
                      f"newest {ratios['newest_ms']:.2f} — {verdict(worst <= FLAT_TARGET)}")


if __name__ == "__main__":
    main(sys.argv[1])
