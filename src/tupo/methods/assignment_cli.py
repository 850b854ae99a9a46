"""``tupo assign INSTANCE_DIR`` - optimal reviewer/proposal assignment from CSV files.

Input files in INSTANCE_DIR (UTF-8, header row required, extra columns ignored):

* ``reviewers.csv``  reviewer,org,min_load,max_load
* ``proposals.csv``  proposal,org,demand
* ``affinity.csv``   reviewer,proposal,affinity   (absent pairs: affinity 0, allowed)
* ``conflicts.csv``  reviewer,proposal            (optional; forbidden pairs)
* ``orgs.csv``       org,parent                   (optional; when present a reviewer may not
  review proposals of their own org, of any org above it or below it)

Output: ``reviewer,proposal`` CSV rows (to ``--out FILE`` or stdout); the last line
of stdout is always ``objective: <total affinity>``.

Exit codes: 0 success, 1 no feasible assignment, 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from pathlib import Path

import numpy as np

from tupo.methods.assignment import (
    AssignmentResult,
    InfeasibleAssignment,
    assign,
    org_conflicts,
    random_draw,
)

PROG = "tupo assign"


class InputError(Exception):
    """Bad instance data; the message is shown as one line."""


def _read_csv(
    path: Path, required: list[str], optional: bool = False
) -> list[tuple[int, dict[str, str]]] | None:
    if not path.exists():
        if optional:
            return None
        raise InputError(f"{path}: file not found")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{path}: empty file (expected header {','.join(required)})") from None
    except csv.Error as exc:
        raise InputError(f"{path} line 1: {exc}") from None
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (header is {','.join(header)})")
    dup = sorted({h for h in header if header.count(h) > 1 and h in required})
    if dup:
        raise InputError(f"{path}: duplicate column(s) {', '.join(dup)}")
    pos = {c: header.index(c) for c in required}
    rows = []
    try:
        for rec in reader:
            line = reader.line_num
            if not rec or all(not x.strip() for x in rec):
                continue
            if len(rec) < len(header):
                rec = rec + [""] * (len(header) - len(rec))
            rows.append((line, {c: rec[k].strip() for c, k in pos.items()}))
    except csv.Error as exc:
        raise InputError(f"{path} line {reader.line_num}: {exc}") from None
    return rows


def _nonneg_int(path: Path, line: int, col: str, value: str) -> int:
    try:
        v = int(value)
    except ValueError:
        raise InputError(f"{path} line {line}, column {col}: {value!r} is not a whole number") from None
    if v < 0:
        raise InputError(f"{path} line {line}, column {col}: {v} is negative")
    return v


def _ident(path: Path, line: int, col: str, value: str) -> str:
    if not value:
        raise InputError(f"{path} line {line}, column {col}: empty value")
    return value


def load_instance(d: Path) -> dict:
    if not d.is_dir():
        raise InputError(f"{d}: not a directory")
    rpath, ppath, apath = d / "reviewers.csv", d / "proposals.csv", d / "affinity.csv"
    cpath, opath = d / "conflicts.csv", d / "orgs.csv"

    reviewers: list[str] = []
    r_org: list[str] = []
    lo: list[int] = []
    hi: list[int] = []
    r_index: dict[str, int] = {}
    for line, row in _read_csv(rpath, ["reviewer", "org", "min_load", "max_load"]):
        rid = _ident(rpath, line, "reviewer", row["reviewer"])
        if rid in r_index:
            raise InputError(f"{rpath} line {line}: duplicate reviewer {rid!r}")
        r_index[rid] = len(reviewers)
        reviewers.append(rid)
        r_org.append(row["org"])
        a = _nonneg_int(rpath, line, "min_load", row["min_load"])
        b = _nonneg_int(rpath, line, "max_load", row["max_load"])
        lo.append(a)
        hi.append(b)

    proposals: list[str] = []
    p_org: list[str] = []
    demand: list[int] = []
    p_index: dict[str, int] = {}
    for line, row in _read_csv(ppath, ["proposal", "org", "demand"]):
        pid = _ident(ppath, line, "proposal", row["proposal"])
        if pid in p_index:
            raise InputError(f"{ppath} line {line}: duplicate proposal {pid!r}")
        p_index[pid] = len(proposals)
        proposals.append(pid)
        p_org.append(row["org"])
        demand.append(_nonneg_int(ppath, line, "demand", row["demand"]))

    if not reviewers:
        raise InputError(f"{rpath}: no reviewers")
    if not proposals:
        raise InputError(f"{ppath}: no proposals")

    def pair(path: Path, line: int, row: dict[str, str]) -> tuple[int, int]:
        rid, pid = row["reviewer"], row["proposal"]
        if rid not in r_index:
            raise InputError(f"{path} line {line}, column reviewer: unknown reviewer {rid!r}")
        if pid not in p_index:
            raise InputError(f"{path} line {line}, column proposal: unknown proposal {pid!r}")
        return r_index[rid], p_index[pid]

    R, P = len(reviewers), len(proposals)
    affinity = np.zeros((R, P))
    seen: dict[tuple[int, int], int] = {}
    for line, row in _read_csv(apath, ["reviewer", "proposal", "affinity"]):
        i, j = pair(apath, line, row)
        if (i, j) in seen:
            raise InputError(
                f"{apath} line {line}: duplicate row for ({row['reviewer']}, {row['proposal']}) "
                f"(first on line {seen[(i, j)]})"
            )
        seen[(i, j)] = line
        raw = row["affinity"]
        try:
            val = float(raw)
        except ValueError:
            raise InputError(f"{apath} line {line}, column affinity: {raw!r} is not a number") from None
        if not math.isfinite(val):
            raise InputError(f"{apath} line {line}, column affinity: {raw!r} is not a finite number")
        affinity[i, j] = val

    forbidden = np.zeros((R, P), dtype=bool)
    crows = _read_csv(cpath, ["reviewer", "proposal"], optional=True)
    cseen: dict[tuple[int, int], int] = {}
    for line, row in crows or []:
        i, j = pair(cpath, line, row)
        if (i, j) in cseen:
            raise InputError(
                f"{cpath} line {line}: duplicate row for ({row['reviewer']}, {row['proposal']}) "
                f"(first on line {cseen[(i, j)]})"
            )
        cseen[(i, j)] = line
        forbidden[i, j] = True

    orows = _read_csv(opath, ["org", "parent"], optional=True)
    if orows is not None:
        parent: dict[str, str | None] = {}
        for line, row in orows:
            org = _ident(opath, line, "org", row["org"])
            if org in parent:
                raise InputError(f"{opath} line {line}: duplicate org {org!r}")
            parent[org] = row["parent"] or None
        lines = {row["org"]: line for line, row in orows}
        for org, par in parent.items():
            if par is not None and par not in parent:
                raise InputError(f"{opath} line {lines[org]}, column parent: unknown org {par!r}")
        for path, orgs, kind in ((rpath, r_org, "reviewer"), (ppath, p_org, "proposal")):
            for org in orgs:
                if org and org not in parent:
                    raise InputError(f"{path}: {kind} org {org!r} is not listed in {opath.name}")
        try:
            forbidden |= org_conflicts(r_org, p_org, parent)
        except ValueError as exc:
            raise InputError(f"{opath}: {exc}") from None

    return {
        "reviewers": reviewers,
        "proposals": proposals,
        "affinity": affinity,
        "forbidden": forbidden,
        "demand": np.array(demand, dtype=np.int64),
        "min_load": np.array(lo, dtype=np.int64),
        "max_load": np.array(hi, dtype=np.int64),
    }


def _fmt(x: float) -> str:
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog=PROG,
        description="Assign reviewers to proposals maximizing total affinity (see docs/methods/assignment.md).",
    )
    ap.add_argument(
        "instance_dir", metavar="INSTANCE_DIR", help="directory with reviewers.csv, proposals.csv, ..."
    )
    ap.add_argument("--out", metavar="FILE", help="write reviewer,proposal rows to FILE instead of stdout")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument(
        "--fair", action="store_true", help="maximize the worst-off proposal first, then the total"
    )
    mode.add_argument("--draw", action="store_true", help="random drawing of experts instead of optimization")
    ap.add_argument("--seed", type=int, help="seed for --draw (recorded in the output)")
    return ap


def main_assign(argv: list[str]) -> int:
    ap = _parser()
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:  # argparse prints usage + message itself
        return int(exc.code or 0)
    if args.seed is not None and not args.draw:
        print(f"{PROG}: error: --seed only applies with --draw", file=sys.stderr)
        return 2
    try:
        inst = load_instance(Path(args.instance_dir))
        kw = dict(
            demand=inst["demand"],
            min_load=inst["min_load"],
            max_load=inst["max_load"],
            forbidden=inst["forbidden"],
            reviewer_names=inst["reviewers"],
            item_names=inst["proposals"],
        )
        if args.draw:
            res: AssignmentResult = random_draw(affinity=inst["affinity"], seed=args.seed, **kw)
        else:
            res = assign(inst["affinity"], fair=args.fair, **kw)
    except InputError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except InfeasibleAssignment as exc:
        print(f"{PROG}: no feasible assignment: {'; '.join(exc.reasons)}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2

    rows = [(inst["reviewers"][i], inst["proposals"][j]) for i, j in res.pairs]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["reviewer", "proposal"])
    w.writerows(rows)
    info = []
    if res.seed is not None:
        info.append(f"seed: {res.seed}")
    info.append(
        f"fairness: min item affinity {_fmt(res.fairness.min_item_affinity)}, "
        f"mean {_fmt(res.fairness.mean_item_affinity)}"
    )
    c = res.certificate
    info.append(
        f"certificate: {c.method}, optimal={c.optimal}, rounds={c.rounds}, edges={c.edges_used}/{c.edges_allowed}"
    )
    if args.out:
        try:
            Path(args.out).write_text(buf.getvalue(), encoding="utf-8")
        except OSError as exc:
            print(f"{PROG}: error: cannot write {args.out} ({exc.strerror})", file=sys.stderr)
            return 2
        print(f"pairs: {len(rows)} written to {args.out}")
        for line in info:
            print(line)
    else:
        sys.stdout.write(buf.getvalue())
        for line in info:  # keep stdout a CSV followed by the objective line
            print(line, file=sys.stderr)
    print(f"objective: {_fmt(res.objective)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main_assign(sys.argv[1:]))
