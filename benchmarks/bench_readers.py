"""Reading speed of the source readers: N synthetic ACLED rows, generated at run time.

    .venv/bin/python benchmarks/bench_readers.py            # 100,000 rows (the target: <= 2.5 s)
    .venv/bin/python benchmarks/bench_readers.py --rows 20000 --repeat 1

Writes a CSV with ACLED's 31 export columns into a temporary folder (never committed): rows
spread over the border region, a mix of event types and time/geo precisions, dates in
2024-2025, notes of realistic length. Then times :func:`border_map.readers.iter_batches` on
it -- the pipeline's own reading: detection, decoding, blocks, parsing, validation, the
normalised table with its claims and source fields -- best of ``--repeat`` runs, and prints
rows/s. The baseline, measured in the same run, is a plain ``pandas.read_csv`` of the same
file (every cell as text, no validation); the ratio says what the reader costs on top of it.
Exits 1 if the best time is over ``--limit`` seconds.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from border_map.readers import iter_batches

COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)
TYPES = (
    ("Political violence", "Battles", "Armed clash"),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike"),
    ("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Political violence", "Violence against civilians", "Attack"),
    ("Strategic developments", "Strategic developments", "Other"),
    ("Demonstrations", "Protests", "Peaceful protest"),
)
PLACES = (  # (country, iso, admin1, admin2, location, lat, lon)
    ("Pakistan", "586", "Khyber Pakhtunkhwa", "Khyber", "Torkham", 34.1156, 71.0849),
    ("Pakistan", "586", "Khyber Pakhtunkhwa", "Kurram", "Parachinar", 33.8997, 70.1001),
    ("Pakistan", "586", "Balochistan", "Chaman", "Chaman", 30.9177, 66.4526),
    ("Pakistan", "586", "Khyber Pakhtunkhwa", "North Waziristan", "Miran Shah", 33.0006, 70.0712),
    ("Afghanistan", "4", "Kandahar", "Spin Boldak", "Spin Boldak", 31.0058, 66.4000),
    ("Afghanistan", "4", "Nangarhar", "Mohmand Dara", "Torkham", 34.1040, 71.0820),
    ("Afghanistan", "4", "Paktika", "Barmal", "Barmal", 32.7700, 69.1500),
    ("Afghanistan", "4", "Kunar", "Asadabad", "Asadabad", 34.8731, 71.1470),
)


def write_acled(path: Path, rows: int, seed: int = 5) -> None:
    rng = np.random.default_rng(seed)
    kinds = rng.integers(0, len(TYPES), rows)
    places = rng.integers(0, len(PLACES), rows)
    days = rng.integers(0, 730, rows)
    jitter = rng.normal(0, 0.05, (rows, 2))
    tp = rng.choice([1, 1, 1, 2, 3], rows)
    gp = rng.choice([1, 1, 2, 3], rows)
    deaths = rng.poisson(2, rows)
    start = dt.date(2024, 1, 1)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        for i in range(rows):
            disorder, event, sub = TYPES[kinds[i]]
            country, iso, admin1, admin2, location, lat, lon = PLACES[places[i]]
            day = start + dt.timedelta(days=int(days[i]))
            out.writerow((
                f"{'PAK' if iso == '586' else 'AFG'}{i + 1}", day.isoformat(), day.year, tp[i],
                disorder, event, sub, "Military Forces of Pakistan (2008-)", "", "State forces",
                "Military Forces of Afghanistan (2021-)", "", "State forces",
                "State forces-State forces", "", iso, "South Asia", country, admin1, admin2, "",
                location, f"{lat + jitter[i, 0]:.4f}", f"{lon + jitter[i, 1]:.4f}", gp[i],
                "Example Daily; Example Wire", "National",
                f"On {day:%d %B %Y}, a synthetic benchmark event near {location} "
                "(generated, not a real report).", deaths[i], "", 1700000000 + i,
            ))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=2.5, help="seconds allowed (best run)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "acled_bench.csv"
        t = time.perf_counter()
        write_acled(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(f"wrote {args.rows:,} ACLED rows ({size_mb:.1f} MB) in "
              f"{time.perf_counter() - t:.1f} s")
        base = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            pd.read_csv(path, dtype=str, keep_default_na=False)
            base.append(time.perf_counter() - t)
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            rows = problems = 0
            for batch in iter_batches(path):
                rows += len(batch.table)
                problems += len(batch.problems)
                fmt = batch.format
            times.append(time.perf_counter() - t)
        best, baseline = min(times), min(base)
        assert fmt == "acled" and not problems, problems
        assert rows == args.rows
        print(f"pandas.read_csv (baseline): best of {args.repeat}: {baseline:.2f} s")
        print(f"iter_batches: {rows:,} incidents, best of {args.repeat}: {best:.2f} s = "
              f"{args.rows / best:,.0f} rows/s, {best / baseline:.1f}x the baseline "
              f"(limit {args.limit:g} s)")
    return 0 if best <= args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
