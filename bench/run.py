#!/usr/bin/env python
"""The one entry point of the benchmark suite.

    .venv/bin/python bench/run.py --scale small            # SQLite (default)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/run.py --scale region       # PostgreSQL
    .venv/bin/python bench/run.py --scale small --only chase pages
    .venv/bin/python bench/run.py --scale small --loadtest # + the gunicorn/locust load test

What it does (see bench/common.py for the protocol bench modules follow):

1. builds a throwaway base database ``copp_bench_<scale>_<pid>`` next to DATABASE_URL
   (an SQLite file under bench/results/db/, or a PostgreSQL database on the same
   server): migrate, load_order, create_demo_users, generate_demo --scale --seed
   (each step timed: generating the data is itself a figure);
2. for every ``bench/bench_<area>.py``: clones the base database, runs the
   module's ``run(scale, runs)`` in a subprocess against the clone, drops it;
3. optionally runs the load test (bench/loadtest/) against gunicorn on loopback;
4. prints one table and writes ``bench/results/<sqlite|postgresql>-<scale>.json``.

Exit status is non-zero when any module failed (the others still run).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

from bench.common import (
    BENCH_DIR,
    DEFAULT_SEED,
    LOOPBACK_ENV,
    PROJECT_DIR,
    RESULTS_DIR,
    SCALES,
    bench_secret_key,
    clone_database,
    create_database,
    database_url,
    db_vendor,
    drop_database,
    machine_info,
)

PYTHON = sys.executable
MODULE_TIMEOUT_S = 3 * 3600


def discover() -> list[str]:
    """Short names of bench modules: bench/bench_chase.py -> "chase"."""
    return sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))


def manage(url: str, *args: str) -> tuple[float, str]:
    """Run a management command against ``url``; (seconds, stdout)."""
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", **LOOPBACK_ENV}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [PYTHON, "manage.py", *args], check=False, cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed, proc.stdout


def setup_rows(url: str, scale: str, seed: int) -> list[dict[str, Any]]:
    """Populate the base database, timing each step."""
    rows: list[dict[str, Any]] = []
    steps = [
        ("migrate", ["migrate", "--noinput"]),
        ("load_order", ["load_order"]),
        ("create_demo_users", ["create_demo_users"]),
        ("generate_demo", ["generate_demo", "--scale", scale, "--seed", str(seed)]),
    ]
    for name, args in steps:
        print(f"  setup: {name} ...", flush=True)
        elapsed, out = manage(url, *args)
        row = {
            "module": "setup",
            "name": name,
            "median": round(elapsed, 2),
            "min": round(elapsed, 2),
            "max": round(elapsed, 2),
            "unit": "s",
            "runs": 1,
            "queries": None,
            "ratio": None,
            "baseline": None,
            "peak_mem_mb": None,
            "n": None,
            "note": "",
        }
        if name == "generate_demo":
            counts = _parse_counts(out)
            row["counts"] = counts
            row["n"] = counts.get("events")
            row["note"] = "wall time incl. process start; n = events"
        rows.append(row)
    return rows


def _parse_counts(out: str) -> dict[str, int]:
    """generate_demo prints ``<model> <count>`` lines after a ``counts:`` line."""
    counts: dict[str, int] = {}
    in_counts = False
    for line in out.splitlines():
        if line.strip() == "counts:":
            in_counts = True
            continue
        if in_counts:
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                counts[parts[0]] = int(parts[1])
    return counts


def run_module_subprocess(name: str, url: str, scale: str, runs: int) -> list[dict[str, Any]]:
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as out:
        out_path = out.name
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", **LOOPBACK_ENV}
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            [
                PYTHON,
                str(Path(__file__).resolve()),
                "--worker",
                name,
                "--scale",
                scale,
                "--runs",
                str(runs),
                "--out",
                out_path,
            ],
            check=False,
            cwd=PROJECT_DIR,
            env=env,
            text=True,
            capture_output=True,
            timeout=MODULE_TIMEOUT_S,
        )
        failed = proc.returncode != 0
        detail = (proc.stderr or proc.stdout)[-2000:]
    except subprocess.TimeoutExpired:
        failed, detail = True, f"timed out after {MODULE_TIMEOUT_S} s"
    elapsed = time.perf_counter() - t0
    if failed:
        print(f"  {name}: FAILED\n{detail}", file=sys.stderr)
        return [
            {
                "module": name,
                "name": "FAILED",
                "median": None,
                "min": None,
                "max": None,
                "unit": "",
                "runs": 0,
                "queries": None,
                "ratio": None,
                "baseline": None,
                "peak_mem_mb": None,
                "n": None,
                "note": detail.strip().splitlines()[-1] if detail else "",
                "error": detail,
            }
        ]
    rows = json.loads(Path(out_path).read_text())
    Path(out_path).unlink(missing_ok=True)
    for row in rows:
        row.setdefault("module", name)
    print(f"  {name}: {len(rows)} rows in {elapsed:.1f} s", flush=True)
    return rows


def worker(name: str, scale: str, runs: int, out: str) -> None:
    """Inside the subprocess: set Django up on DATABASE_URL and call the module."""
    from bench.common import allow_test_hosts, django_setup

    django_setup()
    allow_test_hosts()
    module = importlib.import_module(f"bench.bench_{name}")
    supported = getattr(module, "SCALES", SCALES)
    if scale not in supported:
        rows = [
            {
                "name": "skipped",
                "median": None,
                "min": None,
                "max": None,
                "unit": "",
                "runs": 0,
                "queries": None,
                "ratio": None,
                "baseline": None,
                "peak_mem_mb": None,
                "n": None,
                "note": f"module supports scales {', '.join(supported)}",
            }
        ]
    else:
        rows = module.run(scale, runs)
    Path(out).write_text(json.dumps(rows, ensure_ascii=False, default=str))


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}".replace(",", " ")
        return f"{value:.3g}" if value < 10 else f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value)


def print_table(rows: list[dict[str, Any]]) -> None:
    headers = ["module", "name", "median", "min", "max", "unit", "queries", "ratio", "peak MB", "n"]
    keys = ["module", "name", "median", "min", "max", "unit", "queries", "ratio", "peak_mem_mb", "n"]
    table = [[_fmt(r.get(k)) for k in keys] for r in rows]
    widths = [max(len(h), *(len(t[i]) for t in table)) if table else len(h) for i, h in enumerate(headers)]
    widths[1] = min(widths[1], 60)
    line = "  ".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True)))
    print(line)
    print("-" * len(line))
    for t in table:
        print(
            "  ".join(c[:w].ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(t, widths, strict=True)))
        )


def render_markdown(paths: list[str]) -> str:
    """Markdown tables of results files, and growth tables between consecutive scales per database.

    Files of the same database and scale are shown one after the other and
    pooled for the growth tables (a module run separately adds its rows; a
    figure measured again in a later file replaces the earlier one).

    Growth exponent k: time ∝ n^k between two scales (n = events). k ≈ 0 is
    flat, k ≈ 1 linear; k > 1.15 is flagged as faster than linear.
    """

    loaded = [json.loads(Path(p).read_text()) for p in paths]
    out: list[str] = []
    for data in loaded:
        m = data["machine"]
        out.append(
            f"### {data['database']} · {data['scale']} (seed {data['seed']}, {data['runs']} runs, "
            f"commit {data['commit']}, load avg at start {m.get('loadavg_1_5_15')})\n"
        )
        out.append("| module | figure | median | min | max | unit | queries | ratio | peak MB | n |")
        out.append("|---|---|---:|---:|---:|---|---:|---:|---:|---:|")
        for r in data["rows"]:
            cells = [r.get("module", ""), str(r.get("name", "")).replace("|", "\\|")]
            cells += [_fmt(r.get(k)) for k in ("median", "min", "max", "unit", "queries", "ratio", "peak_mem_mb", "n")]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    by_db: dict[str, dict[str, Any]] = {}
    for data in loaded:  # several files of one database and scale add up; a later run of a figure replaces it
        merged = by_db.setdefault(data["database"], {}).setdefault(data["scale"], {"rows": []})
        later = {(r.get("module"), r["name"]) for r in data["rows"]}
        merged["rows"] = [r for r in merged["rows"] if (r.get("module"), r["name"]) not in later] + data["rows"]
    for db, scales in by_db.items():
        present = [s for s in SCALES if s in scales]
        for lower, upper in itertools.pairwise(present):
            out += _growth_table(db, lower, upper, scales[lower]["rows"], scales[upper]["rows"])
    return "\n".join(out)


def _growth_table(db: str, lower: str, upper: str, low_rows: list[dict], up_rows: list[dict]) -> list[str]:
    """Growth exponents between two scales of one database (rows matched by module and name)."""
    import math

    low = {(r.get("module"), r["name"]): r for r in low_rows}
    out = [
        f"### Growth {lower} → {upper} on {db}\n",
        f"| module | figure | {lower} | {upper} | unit | n {lower} → {upper} | exponent k | queries {lower} → {upper} |",
        "|---|---|---:|---:|---|---|---:|---|",
    ]
    for r in up_rows:
        a = low.get((r.get("module"), r["name"]))
        if not a or not a.get("median") or not r.get("median") or not a.get("n") or not r.get("n"):
            continue
        if a["n"] == r["n"] or r.get("unit") not in ("ms", "s"):
            continue
        k = math.log(r["median"] / a["median"]) / math.log(r["n"] / a["n"])
        flag = " **superlinear**" if k > 1.15 else ""
        out.append(
            f"| {r.get('module')} | {r['name']} | {_fmt(a['median'])} | {_fmt(r['median'])} | {r['unit']} | "
            f"{_fmt(a['n'])} → {_fmt(r['n'])} | {k:.2f}{flag} | {_fmt(a.get('queries'))} → "
            f"{_fmt(r.get('queries'))} |"
        )
    out.append("")
    return out


def git_commit() -> str:
    proc = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], check=False, cwd=PROJECT_DIR, capture_output=True, text=True
    )
    return proc.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    bench_secret_key()  # every command and server below runs with DEBUG off
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALES, default="small")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (median, min, max)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--only",
        nargs="*",
        help="run only these modules (e.g. chase pages); with no names, none (setup and --loadtest only)",
    )
    parser.add_argument(
        "--no-setup",
        action="store_true",
        help="use DATABASE_URL as it is (already populated) instead of building a base database",
    )
    parser.add_argument("--keep", action="store_true", help="keep the base database afterwards")
    parser.add_argument("--loadtest", action="store_true", help="also run the load test (bench/loadtest)")
    parser.add_argument("--loadtest-seconds", type=int, default=60)
    parser.add_argument("--loadtest-ramp", type=int, default=10, help="seconds over which the load test's users arrive")
    parser.add_argument(
        "--loadtest-pace",
        nargs="+",
        choices=["human", "stress"],
        default=["human", "stress"],
        help="think time of the simulated users (default: both, one after the other)",
    )
    parser.add_argument("--json", help="results file (default bench/results/<db>-<scale>.json)")
    parser.add_argument(
        "--render",
        nargs="+",
        metavar="JSON",
        help="print Markdown tables (and growth between scales) of results files, run nothing",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.render:
        print(render_markdown(args.render))
        return 0
    if args.worker:
        worker(args.worker, args.scale, args.runs, args.out)
        return 0

    # A terminated run still drops its throwaway databases (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base = os.environ.get("DATABASE_URL")
    vendor = db_vendor(base)
    modules = discover()
    if args.only is not None:  # `--only` with no names: no modules (e.g. setup and --loadtest alone)
        unknown = set(args.only) - set(modules)
        if unknown:
            parser.error(f"unknown modules: {', '.join(sorted(unknown))}; known: {', '.join(modules)}")
        modules = [m for m in modules if m in args.only]
    print(f"Benchmarks on {vendor}, scale {args.scale}, {args.runs} runs each; modules: {', '.join(modules) or '-'}")

    rows: list[dict[str, Any]] = []
    started = datetime.now(UTC)
    machine_at_start = machine_info()
    tag = os.getpid()  # two runs at once (several engineers) must not share databases

    def save(*, complete: bool) -> Path:
        """Write the results file; also after every module, so a long run that is cut short keeps its rows."""
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        out = Path(args.json) if args.json else RESULTS_DIR / f"{vendor}-{args.scale}.json"
        payload = {
            "database": vendor,
            "scale": args.scale,
            "seed": args.seed,
            "runs": args.runs,
            "started": started.isoformat(),
            "finished": datetime.now(UTC).isoformat(),
            "complete": complete,
            "commit": git_commit(),
            "machine": machine_at_start,
            "loadavg_at_end": machine_info()["loadavg_1_5_15"],
            "rows": rows,
        }
        out.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str))
        return out

    base_url = base if args.no_setup else database_url(base, f"copp_bench_{args.scale}_{tag}")
    try:
        if not args.no_setup:
            create_database(base_url)
            rows += setup_rows(base_url, args.scale, args.seed)
        for name in modules:
            if args.no_setup:
                rows += run_module_subprocess(name, base_url, args.scale, args.runs)
                save(complete=False)
                continue
            clone = database_url(base, f"copp_bench_{args.scale}_{tag}_{name}")
            clone_database(base_url, clone)
            try:
                rows += run_module_subprocess(name, clone, args.scale, args.runs)
            finally:
                drop_database(clone)
            save(complete=False)
        if args.loadtest:
            from bench.loadtest.run import run_loadtest

            for pace in args.loadtest_pace:
                clone = database_url(base, f"copp_bench_{args.scale}_{tag}_loadtest")
                clone_database(base_url, clone)
                try:
                    rows += run_loadtest(clone, seconds=args.loadtest_seconds, pace=pace, ramp=args.loadtest_ramp)
                finally:
                    drop_database(clone)
    finally:
        if not args.no_setup and not args.keep:
            drop_database(base_url)

    print()
    print_table(rows)
    out = save(complete=True)
    print(f"\nwritten {out.relative_to(PROJECT_DIR) if out.is_relative_to(PROJECT_DIR) else out}")
    return 1 if any(r.get("name") == "FAILED" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
