"""Reference anchor: the same SLI 16.1.1 count with pandas (load + table)."""
import json, statistics, sys, time
import pandas as pd

EEA = set("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split())
path, runs = sys.argv[1], int(sys.argv[2])
times, total, n = [], 0, 0
for _ in range(runs):
    start = time.perf_counter()
    with open(path) as f:
        df = pd.DataFrame(json.load(f))
    day = df["taken_at"].str[:10]
    df = df[(day >= "2025-07-01") & (day <= "2025-12-31") & df["prompted_by"].notna()]
    df = df.drop_duplicates("id")
    df["forum"] = df["prompted_by"].map(lambda p: p["hub"])
    df["source"] = df["prompted_by"].map(lambda p: p.get("source_org") or "(not recorded)")
    ex = df.explode("member_states")
    ex = ex[ex["member_states"].isin(EEA)].drop_duplicates(["id", "member_states"])
    rows = ex.pivot_table(index="member_states", columns="kind", values="count", aggfunc="sum", fill_value=0)
    by_forum = ex.groupby(["member_states", "forum"])["count"].sum()
    by_source = ex.groupby(["member_states", "source"])["count"].sum()
    counted = df[df["id"].isin(ex["id"])]
    total = int(counted["count"].sum())
    times.append(time.perf_counter() - start)
    n = len(json.load(open(path)))
median = statistics.median(times)
print(f"pandas: actions={n} total_items={total} median_s={median:.3f} actions_per_s={n / median:.0f}")
