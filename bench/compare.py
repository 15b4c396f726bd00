"""Before/after tables of the HTML pages and API endpoints, from results files.

    .venv/bin/python bench/compare.py --before OLD.json [OLD2.json ...] --after NEW.json [NEW2.json ...]

Files are paired by (database, scale) (several "before" files of one pair are
merged, the later one's rows winning). For each pair, one Markdown table: the
median and the ratio to the baseline of the same run (the trivial page or
the trivial API list), before and after, and the queries of one request. Then
the contract checks of issue 15 for every "after" file: every page and API
row within 3 × its baseline, and, where a region and a national file of the
same database are given, the growth exponent k of each row from region to
national (time ∝ events^k). Nothing is typed by hand: every figure is read
from the files.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

MODULES = ("pages", "api")
TARGET_RATIO = 3.0
TARGET_K = 0.1
# Rows that are not requests a user waits for: background jobs and set-up views.
BACKGROUND = ("dashboard refresh", "dashboard, no snapshot yet", "regions compared, recomputation")


def _load(path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text())
    data["path"] = path
    return data


def _rows(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["module"], r["name"]): r for r in data["rows"] if r.get("module") in MODULES}


def _ms(row: dict[str, Any] | None) -> str:
    value = None if row is None else _ms_value(row)
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _ratio(row: dict[str, Any] | None) -> str:
    if row is None or row.get("ratio") is None:
        return "–"
    return f"{row['ratio']:.1f}×"


def _q(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    b = before.get("queries") if before else None
    a = after.get("queries") if after else None
    if b is None and a is None:
        return "–"
    return f"{b if b is not None else '–'} → {a if a is not None else '–'}"


def _ms_value(row: dict[str, Any]) -> float | None:
    if row.get("median") is None:
        return None
    return float(row["median"]) * (1000 if row.get("unit") == "s" else 1)


def pair_table(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    old = _rows(before) if before else {}
    new = _rows(after)
    title = f"{after['database']} · {after['scale']}"
    meta = f"after: commit {after.get('commit')}, load avg at start {after['machine'].get('loadavg_1_5_15')}"
    if before:
        meta = f"before: commit {before.get('commit')}; " + meta
    lines = [
        f"#### {title}",
        "",
        f"({meta})",
        "",
        "| module | figure | before ms | before ratio | after ms | after ratio | queries |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    keys = list(new) + [k for k in old if k not in new]
    for key in keys:
        b, a = old.get(key), new.get(key)
        lines.append(f"| {key[0]} | {key[1]} | {_ms(b)} | {_ratio(b)} | {_ms(a)} | {_ratio(a)} | {_q(b, a)} |")
    return lines


def contract(afters: list[dict[str, Any]]) -> list[str]:
    lines = ["#### Contract checks (after)", ""]
    for data in afters:
        over = [
            (k, r)
            for k, r in _rows(data).items()
            if r.get("ratio") is not None and r["ratio"] > TARGET_RATIO and not k[1].startswith(BACKGROUND)
        ]
        lines.append(
            f"* {data['database']} · {data['scale']}: {len(over)} request rows above {TARGET_RATIO:.0f}× their baseline"
            + (": " + "; ".join(f"{k[1]} ({r['ratio']:.1f}×)" for k, r in over) if over else "")
        )
    by = {(d["database"], d["scale"]): d for d in afters}
    for db in sorted({d["database"] for d in afters}):
        region, national = by.get((db, "region")), by.get((db, "national"))
        if not region or not national:
            continue
        lines += ["", f"Growth from region to national on {db} (k: time ∝ events^k; target k ≤ {TARGET_K}):", ""]
        lines += [
            "| module | figure | region ms | national ms | k | queries region → national |",
            "|---|---|---:|---:|---:|---:|",
        ]
        old, new = _rows(region), _rows(national)
        for key, a in new.items():
            b = old.get(key)
            if b is None:
                continue
            tb, ta = _ms_value(b), _ms_value(a)
            nb, na = b.get("n") or 0, a.get("n") or 0
            k = "–"
            if tb and ta and nb and na and na != nb:
                k = f"{math.log(ta / tb) / math.log(na / nb):.2f}"
            lines.append(f"| {key[0]} | {key[1]} | {_ms(b)} | {_ms(a)} | {k} | {_q(b, a)} |")
    return lines


def _merged(first: list[dict[str, Any]], later: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = {(r.get("module"), r["name"]) for r in later}
    return [r for r in first if (r.get("module"), r["name"]) not in names] + later


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", nargs="*", default=[])
    parser.add_argument("--after", nargs="+", required=True)
    args = parser.parse_args(argv)
    befores: dict[tuple[str, str], dict[str, Any]] = {}
    for data in map(_load, args.before):  # files of the same database and scale: the later one's rows win
        key = (data["database"], data["scale"])
        if key in befores:
            data["rows"] = _merged(befores[key]["rows"], data["rows"])
        befores[key] = data
    afters = [_load(p) for p in args.after]
    out: list[str] = []
    for data in afters:
        out += [*pair_table(befores.get((data["database"], data["scale"])), data), ""]
    out += contract(afters)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
