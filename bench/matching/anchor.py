"""Python anchors on the same inputs as the Rust benchmark.

* URL canonicalisation: w3lib (url_query_cleaner to drop tracking
  parameters, then canonicalize_url) plus tldextract for the registrable domain.
* Registrable domains: tldextract with its bundled Public Suffix List snapshot.
* Look-alikes: a Levenshtein scan (rapidfuzz, C++) of each observed label
  against every protected label: same label under another suffix, or
  Damerau-Levenshtein distance 1.
Prints `name value` lines.
"""
import statistics
import sys
import time

import tldextract
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from w3lib.url import canonicalize_url, url_query_cleaner

urls_path, domains_path, dopp_path, benign_path, protected_path = sys.argv[1:6]
rounds = int(sys.argv[6]) if len(sys.argv) > 6 else 3

def lines(path):
    with open(path, encoding="utf-8") as f:
        return [l.split("#")[0].strip() for l in f if l.split("#")[0].strip()]

urls, domains = lines(urls_path), lines(domains_path)
dopp, benign, protected = lines(dopp_path), lines(benign_path), lines(protected_path)
extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

def registrable(host):
    parts = extract(host)
    return parts.top_domain_under_public_suffix if hasattr(parts, "top_domain_under_public_suffix") else parts.registered_domain

TRACKING = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "fbclid", "gclid", "igshid", "si", "mc_cid", "mc_eid", "ref_src"]

def canon(url):
    url = url.replace("hxxp", "http").replace("[.]", ".")
    if "://" not in url:
        url = "https://" + url
    key = canonicalize_url(url_query_cleaner(url, TRACKING, remove=True))
    return key, registrable(key)

protected_parts = [extract(d) for d in protected]
protected_registrable = {f"{p.domain}.{p.suffix}" for p in protected_parts}
labels = sorted({p.domain for p in protected_parts})

def lookalike(observed):
    parts = extract(observed)
    if not parts.domain or f"{parts.domain}.{parts.suffix}" in protected_registrable:
        return False
    return process.extractOne(parts.domain, labels, scorer=DamerauLevenshtein.distance, score_cutoff=1) is not None

def rate(items, fn, rounds):
    rates = []
    for _ in range(rounds):
        # Thread CPU time, so that rates stay comparable on a shared machine.
        start = time.thread_time()
        for item in items:
            fn(item)
        rates.append(len(items) / (time.thread_time() - start))
    return statistics.median(rates)

print(f"canon_urls_per_sec {rate(urls, canon, rounds):.0f}")
print(f"registrable_domains_per_sec {rate(domains, registrable, rounds):.0f}")
print(f"lookalike_checks_per_sec {rate(domains, lookalike, rounds):.0f}")
print(f"lookalike_flagged_in_timed_input {sum(1 for d in domains if lookalike(d))}")
print(f"doppelganger_flagged {sum(1 for d in dopp if lookalike(d))}/{len(dopp)}")
flagged = [d for d in benign if lookalike(d)]
print(f"benign_flagged {len(flagged)}/{len(benign)}")
print(f"benign_flagged_list {' '.join(flagged)}")
