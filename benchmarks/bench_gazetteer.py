"""Name-resolution benchmark of the offline gazetteer, against a naive baseline in the same run.

    make bench                                   # runs every benchmarks/bench_*.py
    .venv/bin/python benchmarks/bench_gazetteer.py [--n 12000] [--seed 7] [--no-check]

Queries are made from the shipped gazetteer (geodata/gazetteer.csv): every name and alias
whose resolution as written is one place (names shared by unrelated places are left out:
they are ambiguous on purpose). From each such name:

* **exact/alias**: the name as written, upper-cased, lower-cased, with hyphens for spaces
  and with its kind's suffix ("Kunar Province", "Achin District", "Bara Tehsil");
* **variants**: realistic romanisation variants, one rule at a time: w/v, o/u, k/kh, q/k,
  ai/ay, -abad/-ābād, ee/i, u/oo, doubled or single letters, izafe -e-/-i-, joined or split
  words ("Landikotal");
* **typos**: one random slip (a letter dropped, doubled, replaced by a keyboard neighbour,
  or two neighbours swapped) in names of 5 letters or more.

Each query's expected answer is what the unaltered name resolves to. A generated query
may, as written, be a name of another place ("Doab" from the town Duab is the exact name of
Du Ab district, 238 km away; "QarehBagh" from the Herat town is an alias of the Ghazni one):
a user who types a place's exact name gets that place, so an answer counts as right when it
is the expected place (or its nested namesake, see ``_same``) **or** when the query's
normalised key, as written, is a name or alias of the answered place (the exact tier's
answer; ``_named_as_written``). Such collisions are counted and printed apart. The script prints
names/s (best of ``--repeat`` runs, normalisation caches cleared before each), top-1
accuracy (recall), the share of answers that are wrong and precision (1 - wrong/answers)
for each set, and the same for the naive baseline: rapidfuzz ``process.extractOne``
(WRatio, default processor) over all names, on a sample.

Real spellings: tests/data/gazetteer/spellings.csv (dev: Pakistani outlets) and
spellings_heldout.csv (held out: Afghan and Indian outlets, never used to tune), each row a
spelling from a published report with the acceptable place ids (empty: the place is not in
the gazetteer, and the right answer is an error). Reported apart: right, wrong (a confident
answer not in the row's ids), missed (an error where the place is known).

Writes outputs/bench_gazetteer.json. Exits 1 when a target is missed (exact/alias >= 200,000
names/s, fuzzy >= 5,000 names/s, variant top-1 >= 0.95 with no wrong answer, dev spellings
right >= 0.95 with no wrong answer; wrong answers on typos are printed, not a target: a
keyboard slip can make another real name) unless ``--no-check``. The exact-lookup speed
target replaces the timed assert that tests/test_gazetteer.py used to carry (issue 15).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
import unicodedata
from pathlib import Path

from border_map import gazetteer as gz
from border_map.errors import PlaceError
from border_map.gazetteer import Gazetteer

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"exact_per_s": 200_000, "fuzzy_per_s": 5_000, "variant_accuracy": 0.95,
           "variant_wrong": 0, "spellings_right": 0.95, "wrong": 0}
SPELLINGS = {"dev": ROOT / "tests" / "data" / "gazetteer" / "spellings.csv",
             "held-out": ROOT / "tests" / "data" / "gazetteer" / "spellings_heldout.csv"}
SUFFIX = {"province": " Province", "district": " District", "tehsil": " Tehsil"}
KEYBOARD = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc",
    "g": "ftyhbv", "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop",
    "m": "njk", "n": "bhjm", "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz",
    "t": "rfgy", "u": "yhji", "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}
# (pattern, replacement) applied once, at one match, to make a romanisation variant
VARIANT_RULES = [
    (r"w", "v"), (r"v", "w"), (r"o", "u"), (r"u", "o"), (r"kh", "k"), (r"(?<![kgs])h?k(?!h)", "kh"),
    (r"q", "k"), (r"k(?!h)", "q"), (r"ai", "ay"), (r"ay", "ai"), (r"abad\b", "ābād"),
    (r"ee", "i"), (r"(?<!o)u", "oo"), (r"([bdfgklmnprst])\1", r"\1"),
    (r"(?<=[aeiou])([lnrst])(?=[aeiou])", r"\1\1"), (r"-e-", "-i-"), (r"-e ", "-i-"),
    (r"(?<=\w) (?!(?:District|Province|Agency|Tehsil|City)\b)(?=\w)", ""),
    (r"(?<=[a-z]{3})(?=kot|khel|zai|abad|gai)", " "), (r"i(?=[aeou])", "iy"),
]


def ascii_fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def expected_answers(gaz: Gazetteer) -> dict[str, str]:
    """Written names (Latin script) whose resolution as written is one place, and that place."""
    out = {}
    for place in gaz:
        for name in (place.name, *place.aliases):
            if name in out or not ascii_fold(name).isascii() or len(name) < 3:
                continue
            try:
                out[name] = gaz.resolve(name).place.id
            except PlaceError:
                continue
    return out


def exact_queries(answers, gaz, rng, n):
    pool = []
    for name, pid in answers.items():
        kind = gaz.get(pid).kind
        forms = [name, name.upper(), name.lower(), name.replace(" ", "-")]
        if kind in SUFFIX:
            forms.append(name + SUFFIX[kind])
        pool += [(q, pid) for q in forms]
    return rng.sample(pool, min(n, len(pool))) if len(pool) >= n else pool * (n // len(pool) + 1)


def variant_queries(answers, rng, n):
    pool = []
    for name, pid in answers.items():
        base = ascii_fold(name)
        for pattern, repl in VARIANT_RULES:
            hits = list(re.finditer(pattern, base, flags=re.IGNORECASE))
            if not hits:
                continue
            m = rng.choice(hits)
            out = base[:m.start()] + m.expand(repl) + base[m.end():]
            if out != base and gz.normalize_name(out) != gz.normalize_name(base):
                pool.append((out, pid))
    rng.shuffle(pool)
    return pool[:n]


def typo(name: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(name) if c.isalpha() and c.isascii()]
    i = rng.choice(letters[1:] or letters)
    c = name[i].lower()
    op = rng.choice(("drop", "double", "neighbour", "swap"))
    if op == "drop":
        return name[:i] + name[i + 1:]
    if op == "double":
        return name[:i] + name[i] + name[i:]
    if op == "neighbour" and c in KEYBOARD:
        return name[:i] + rng.choice(KEYBOARD[c]) + name[i + 1:]
    j = i + 1 if i + 1 < len(name) else i - 1
    a, b = sorted((i, j))
    return name[:a] + name[b] + name[a] + name[b + 1:]


def typo_queries(answers, rng, n):
    names = [(ascii_fold(k), v) for k, v in answers.items() if len(gz.normalize_name(k)) >= 5]
    pool = []
    while len(pool) < n:
        name, pid = rng.choice(names)
        q = typo(name, rng)
        if gz.normalize_name(q) != gz.normalize_name(name):
            pool.append((q, pid))
    return pool


def clear_caches():
    gz._split.cache_clear()
    gz.skeleton.cache_clear()
    gz.transliteration_key.cache_clear()


def _same(gaz, got: str, pid: str) -> bool:
    """The answer is the expected place, or the same place at another level: its nested
    namesake, or a place of the same country within the larger of the two radii (Achin
    district and its centre "Markaz-e Woluswali-ye Achin")."""
    if got == pid or any(p.id == got for p in gaz._nest.get(pid, ())):
        return True
    a, b = gaz.get(got), gaz.get(pid)
    return a.country == b.country and gz.haversine_km(a.lon, a.lat, b.lon, b.lat) <= max(
        a.precision_km, b.precision_km)


def _named_as_written(gaz, query: str, got: str) -> bool:
    """The query, as written, is a name or alias of the answered place (or of a place whose
    nested namesake it is): its normalised key is one of that place's exact-tier keys. A
    generated variant that happens to spell another place's name exactly is a collision of
    the generated set, not a resolver error: the user typed that place's name."""
    for place, _how in gaz._by_key.get(gz.normalize_name(query), ()):
        if place.id == got or any(p.id == got for p in gaz._nest.get(place.id, ())):
            return True
    return False


def run_resolver(gaz, queries, repeat):
    """names/s, top-1, wrong answers (answered, not the place), answers, collisions (answers
    counted right because the query as written names the answered place), and the wrong
    answers as (query, expected id, answered id)."""
    best, correct, wrong, answered, collisions = None, 0, 0, 0, 0
    wrong_rows: list[tuple[str, str, str]] = []
    for _ in range(repeat):
        clear_caches()
        gaz._decided.clear()
        correct = wrong = answered = collisions = 0
        wrong_rows = []
        t = time.perf_counter()
        for q, pid in queries:
            try:
                got = gaz.resolve(q).place.id
            except PlaceError:
                continue
            answered += 1
            if _same(gaz, got, pid):
                correct += 1
            elif _named_as_written(gaz, q, got):
                correct += 1
                collisions += 1
            else:
                wrong += 1
                wrong_rows.append((q, pid, got))
        elapsed = time.perf_counter() - t
        best = elapsed if best is None else min(best, elapsed)
    return len(queries) / best, correct / len(queries), wrong, answered, collisions, wrong_rows


def read_spellings(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return [(r["spelling"], set(filter(None, r["expected"].split("|"))), r["admin_hint"])
                for r in csv.DictReader(fh)]


def score_spellings(rows, answer):
    """right / wrong / missed / answers for ``answer(spelling, hint) -> id or None``."""
    right = wrong = missed = answers = 0
    wrong_rows = []
    for spelling, expected, hint in rows:
        got = answer(spelling, hint)
        if got is not None:
            answers += 1
        if got is None:
            if expected:
                missed += 1
            else:
                right += 1
        elif got in expected:
            right += 1
        else:
            wrong += 1
            wrong_rows.append(f"{spelling} -> {got}")
    return {"rows": len(rows), "right": right, "wrong": wrong, "missed": missed,
            "answers": answers, "right_share": right / len(rows),
            "precision": 1 - wrong / answers if answers else 1.0, "wrong_rows": wrong_rows}


def run_baseline(gaz, queries, sample):
    from rapidfuzz import process

    names, owners = [], []
    for place in gaz:
        for name in (place.name, *place.aliases):
            names.append(name)
            owners.append(place.id)
    queries = queries[:sample]
    correct = 0
    t = time.perf_counter()
    for q, pid in queries:
        best = process.extractOne(q, names)
        if best is not None and _same(gaz, owners[best[2]], pid):
            correct += 1
    return len(queries) / (time.perf_counter() - t), correct / len(queries)


def baseline_answer(gaz):
    """The naive baseline as a spelling answerer: extractOne's place, always an answer."""
    from rapidfuzz import process

    names, owners = [], []
    for place in gaz:
        for name in (place.name, *place.aliases):
            names.append(name)
            owners.append(place.id)

    def answer(spelling, hint):
        best = process.extractOne(spelling, names)
        return owners[best[2]] if best is not None else None
    return answer


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=12_000, help="queries per set (>= 10,000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-sample", type=int, default=1_000)
    ap.add_argument("--no-check", action="store_true", help="never exit 1 on a missed target")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    gaz = Gazetteer.from_csv(ROOT / "geodata" / "gazetteer.csv")
    answers = expected_answers(gaz)
    sets = {
        "exact/alias": exact_queries(answers, gaz, rng, args.n),
        "variants": variant_queries(answers, rng, args.n),
        "typos": typo_queries(answers, rng, args.n),
    }
    print(f"gazetteer: {len(gaz):,} places, {len(gaz._by_key):,} normalised names; "
          f"{len(answers):,} unambiguous written names; threshold {gz.FUZZY_THRESHOLD:g}")
    results = {}
    print(f"{'set':12s} {'queries':>8s} {'names/s':>12s} {'top-1':>7s} {'wrong':>6s} "
          f"{'precision':>9s} | {'baseline/s':>11s} {'top-1':>7s} "
          f"(extractOne, {args.baseline_sample:,} queries)")
    for label, queries in sets.items():
        rate, acc, wrong, answered, collisions, wrong_rows = run_resolver(gaz, queries,
                                                                          args.repeat)
        b_rate, b_acc = run_baseline(gaz, queries, args.baseline_sample)
        precision = 1 - wrong / answered if answered else 1.0
        results[label] = {"queries": len(queries), "names_per_s": rate, "top1": acc,
                          "wrong": wrong, "answers": answered, "precision": precision,
                          "collisions": collisions,
                          "baseline_names_per_s": b_rate, "baseline_top1": b_acc,
                          "speedup": rate / b_rate}
        print(f"{label:12s} {len(queries):>8,} {rate:>12,.0f} {acc:>7.3f} {wrong:>6,} "
              f"{precision:>9.4f} | {b_rate:>11,.0f} {b_acc:>7.3f}  x{rate / b_rate:,.0f}",
              flush=True)
        if collisions:
            print(f"{'':12s} ({collisions:,} answers right because the query as written is a "
                  f"name of the answered place: collisions of the generated set)")
        if label == "variants":  # a target: show what missed it
            for q, pid, got in sorted(set(wrong_rows))[:10]:
                print(f"      wrong: {q!r} (from {pid}) -> {got}")
    print("real spellings (right = the place, or an error where the gazetteer lacks it):")
    baseline = baseline_answer(gaz)

    def ours(spelling, hint):
        try:
            return gaz.resolve(spelling, admin=hint or None).place.id
        except PlaceError:
            return None
    for label, path in SPELLINGS.items():
        rows = read_spellings(path)
        mine, base = score_spellings(rows, ours), score_spellings(rows, baseline)
        results[f"spellings {label}"] = {**mine, "baseline": base}
        print(f"  {label:9s} {mine['rows']:>4} rows: right {mine['right_share']:.3f} "
              f"({mine['right']}), wrong {mine['wrong']}, missed {mine['missed']}, "
              f"precision {mine['precision']:.3f} on {mine['answers']} answers | baseline "
              f"right {base['right_share']:.3f}, wrong {base['wrong']}, "
              f"precision {base['precision']:.3f}")
        for w in mine["wrong_rows"]:
            print(f"      wrong: {w}")
    out = ROOT / "outputs" / "bench_gazetteer.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    missed = []
    if results["exact/alias"]["names_per_s"] < TARGETS["exact_per_s"]:
        missed.append("exact/alias names/s")
    if results["typos"]["names_per_s"] < TARGETS["fuzzy_per_s"]:
        missed.append("fuzzy names/s")
    if results["variants"]["top1"] < TARGETS["variant_accuracy"]:
        missed.append("variant accuracy")
    if results["variants"]["wrong"] > TARGETS["variant_wrong"]:
        missed.append("variant wrong answers (target 0)")
    dev = results["spellings dev"]
    if dev["right_share"] < TARGETS["spellings_right"] or dev["wrong"] > TARGETS["wrong"]:
        missed.append("dev spellings (>= 0.95 right, 0 wrong)")
    if any(len(q) < 10_000 for q in sets.values()):
        missed.append("fewer than 10,000 queries in a set")
    if missed:
        print("missed targets: " + ", ".join(missed), file=sys.stderr)
        return 0 if args.no_check else 1
    print("targets met: exact/alias >= 200,000 names/s, fuzzy >= 5,000 names/s, "
          "variant top-1 >= 0.95 with 0 wrong, dev spellings >= 0.95 right with 0 wrong")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
