"""Writes a synthetic corpus of short posts with planted near-duplicates.

One post per line, lowercase ASCII words separated by single spaces, so that
every implementation under test sees the same character 5-grams whatever its
own normalisation does. Deterministic for a given seed.
"""

import argparse
import itertools
import random


def make_vocabulary(rng, size):
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))))
    words = sorted(words)
    rng.shuffle(words)
    return words


def edit(rng, words, vocabulary, cum_weights, rate):
    """Replaces, deletes or inserts roughly `rate` of the words."""
    out = []
    for word in words:
        roll = rng.random()
        if roll < rate / 3:
            out.append(rng.choices(vocabulary, cum_weights=cum_weights)[0])
        elif roll < 2 * rate / 3:
            continue
        elif roll < rate:
            out.append(word)
            out.append(rng.choices(vocabulary, cum_weights=cum_weights)[0])
        else:
            out.append(word)
    return out or words


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output")
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    vocabulary = make_vocabulary(rng, 20_000)
    # Zipf-like word frequencies, as in real text.
    cum_weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocabulary))))
    posts = []
    while len(posts) < args.posts:
        words = rng.choices(vocabulary, cum_weights=cum_weights, k=rng.randint(12, 40))
        posts.append(" ".join(words))
        if rng.random() < 0.05:
            # A narrative copied 1-8 times with light to heavy edits.
            for _ in range(rng.randint(1, 8)):
                rate = rng.choice([0.0, 0.02, 0.05, 0.1, 0.2])
                posts.append(" ".join(edit(rng, words, vocabulary, cum_weights, rate)))
    posts = posts[: args.posts]
    rng.shuffle(posts)
    with open(args.output, "w", encoding="utf-8") as out:
        for post in posts:
            out.write(post + "\n")


if __name__ == "__main__":
    main()
