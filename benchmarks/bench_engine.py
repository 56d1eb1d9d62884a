"""Engines on synthetic GDELT exports: in-memory (columnar) against dask, in the same run.

    make bench                                   # runs every benchmarks/bench_*.py
    python benchmarks/bench_engine.py --sizes 1M,10M [--data-dir /tmp/bm] [--keep-data]

For each size a synthetic GDELT 2.0 export (61 columns, most rows within 150 km of
the line, ~5 % elsewhere in the world, ~2 % country-level) is generated at run time
under ``--data-dir`` (never committed), then ``border-map``'s full build (read,
screen, analyse, GeoParquet, hexagons, map) runs in a fresh process per engine:

* ``in-memory``: the columnar in-memory engine with its default threads;
* ``in-memory-1core``: the same pinned to one core (the per-core baseline);
* ``dask``: a local dask.distributed cluster, one single-threaded worker per core.

Peak memory is the largest sum of RSS over the run's process tree (client,
scheduler and worker processes), sampled every 50 ms. The in-memory engines run
only where their projected peak (from the largest size measured so far) fits in
half of the available memory. Prints a table and writes outputs/bench_engine.json.
Targets: 10 M rows in <= 120 s with peak <= 4 GB on dask; dask's per-core
throughput >= 80 % of the in-memory engine's on one core (measured at the same
size, or at the largest size where the in-memory engine fitted).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS_10M = 120.0
TARGET_PEAK_MB = 4096.0
TARGET_PER_CORE = 0.80
ENGINES = ("in-memory", "in-memory-1core", "dask")


def parse_size(text: str) -> int:
    text = text.strip().upper()
    mult = {"K": 1_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if mult > 1 else text) * mult)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1_000}k"


def run_engine(engine: str, path: str, out_dir: str, cores: int) -> dict:
    """Child process: one build; prints a JSON line with timings and counts."""
    from border_map.engine import run_columnar
    from border_map.engine.dask_engine import run_dask

    if engine == "in-memory-1core":
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    t0 = time.perf_counter()
    c0 = os.times()
    if engine == "dask":
        result = run_dask([path], out_dir, workers=cores)
    else:
        result = run_columnar([path], out_dir, threads=1 if engine == "in-memory-1core" else None)
    wall = time.perf_counter() - t0
    c1 = os.times()
    cpu = (c1.user - c0.user) + (c1.system - c0.system)
    cpu_children = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
    return {"engine": engine, "wall_s": wall, "cpu_s": cpu + cpu_children,
            "rows": result.stats.rows, "incidents": result.stats.incidents,
            "located": result.stats.located, "partitions": result.partitions,
            "workers": result.workers, "map": result.map_kind,
            "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _tree_rss_mb(proc) -> float:
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total / 2**20


def measure(engine: str, path: Path, out_dir: Path, cores: int, timeout_s: float) -> dict:
    """Run one engine in a fresh process; sample the process tree's RSS."""
    import psutil

    cmd = [sys.executable, __file__, "--child", engine, str(path), str(out_dir), str(cores)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    ps = psutil.Process(proc.pid)
    peak = 0.0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_mb(ps))
            stop.wait(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        out, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    finally:
        stop.set()
        thread.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} failed with exit code {proc.returncode}")
    row = json.loads(out.strip().splitlines()[-1])
    row["peak_mb"] = max(peak, row["ru_maxrss_mb"])
    row["rows_per_s"] = row["rows"] / row["wall_s"]
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1M,10M", help="comma-separated row counts (1M,10M,50M)")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--data-dir", default=str(ROOT / "outputs" / "bench_data"))
    ap.add_argument("--keep-data", action="store_true", help="keep the generated files")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per engine run")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        engine, path, out_dir, cores = args.child
        print(json.dumps(run_engine(engine, path, out_dir, int(cores))), flush=True)
        return 0

    import psutil

    from border_map.engine.synthetic import write_gdelt

    cores = len(os.sched_getaffinity(0))
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    avail_mb = psutil.virtual_memory().available / 2**20
    print(f"engines on synthetic GDELT exports; {cores} cores, {avail_mb:,.0f} MB available")
    header = (f"{'rows':>5} | {'engine':<16} | {'wall s':>7} | {'rows/s':>9} | {'per core':>9} | "
              f"{'CPU s':>7} | {'peak MB':>8}")
    print(header)
    print("-" * len(header))
    results = {"cores": cores, "runs": [], "ratios": [], "targets": {}}
    mb_per_row: dict[str, float] = {}
    baseline = None
    for n in sizes:
        path = data_dir / f"gdelt_{label(n)}.tsv"
        if not path.exists():
            t = time.perf_counter()
            write_gdelt(path, n, seed=7)
            print(f"generated {path} ({path.stat().st_size / 2**30:.2f} GiB) in "
                  f"{time.perf_counter() - t:.1f} s", flush=True)
        by_engine = {}
        for engine in engines:
            if engine != "dask" and engine in mb_per_row:
                projected = mb_per_row[engine] * n
                if projected > avail_mb / 2:
                    print(f"{label(n):>5} | {engine:<16} | skipped: projected peak "
                          f"{projected:,.0f} MB > half the available memory", flush=True)
                    continue
            out_dir = data_dir / f"out_{label(n)}_{engine}"
            row = measure(engine, path, out_dir, cores, args.timeout)
            if not args.keep_data:
                shutil.rmtree(out_dir, ignore_errors=True)
            row["n"] = n
            used = cores if engine in ("dask", "in-memory") else 1
            row["cores_used"] = used
            row["per_core_rows_per_s"] = row["rows_per_s"] / used
            mb_per_row[engine] = row["peak_mb"] / n
            by_engine[engine] = row
            results["runs"].append(row)
            print(f"{label(n):>5} | {engine:<16} | {row['wall_s']:>7.1f} | "
                  f"{row['rows_per_s']:>9,.0f} | {row['per_core_rows_per_s']:>9,.0f} | "
                  f"{row['cpu_s']:>7.1f} | {row['peak_mb']:>8,.0f}", flush=True)
        # the baseline: the in-memory engine on one core at this size, or at the largest
        # size where it fitted (its throughput does not grow with the size)
        base = by_engine.get("in-memory-1core") or baseline
        baseline = base
        if "dask" in by_engine and base:
            ratio = by_engine["dask"]["per_core_rows_per_s"] / base["per_core_rows_per_s"]
            results["ratios"].append({"n": n, "baseline_n": base["n"],
                                      "dask_per_core_vs_in_memory_1core": ratio})
            print(f"{label(n):>5} | dask per-core throughput = {ratio:.0%} of the in-memory "
                  f"engine on one core (at {label(base['n'])})", flush=True)
        if not args.keep_data:
            path.unlink(missing_ok=True)
    ten = [r for r in results["runs"] if r["engine"] == "dask" and r["n"] == 10_000_000]
    if ten:
        r = ten[0]
        results["targets"] = {
            "dask_10M_wall_s": r["wall_s"], "wall_ok": r["wall_s"] <= TARGET_SECONDS_10M,
            "dask_10M_peak_mb": r["peak_mb"], "peak_ok": r["peak_mb"] <= TARGET_PEAK_MB,
        }
    if results["ratios"]:
        largest = results["ratios"][-1]["dask_per_core_vs_in_memory_1core"]
        results["targets"]["per_core_ratio_largest_n"] = largest
        results["targets"]["per_core_ok"] = largest >= TARGET_PER_CORE
    if results["targets"]:
        print("targets: " + json.dumps(results["targets"]))
    out = ROOT / "outputs" / "bench_engine.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
