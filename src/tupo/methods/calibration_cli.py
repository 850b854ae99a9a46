"""``tupo calibrate SCORES.csv`` -- calibrated scores and rank intervals as CSV.

Input CSV (UTF-8, BOM tolerated): columns ``reviewer,item,score`` and optionally
``confidence``; any other columns are ignored.  Output on stdout, one row per item, best
first::

    item,calibrated_score,mean,trimmed_mean,rank_low,rank_high[,p_funded,grey_zone]

(rank interval at 90 %, 1 = best; ``p_funded``/``grey_zone`` only with ``--top K``).
Krippendorff's alpha, variance components, connectivity warnings and flagged reviewers go to
standard error.  Bad input: one-line message on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
import warnings

__all__ = ["main_calibrate"]

REQUIRED = ("reviewer", "item", "score")


class InputError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        raise InputError(message)


def _fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return ""
    return f"{x:.4f}"


def _read(path: str):
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    if not text.strip():
        raise InputError(f"{path}: empty file")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise InputError(f"{path}: cannot read CSV header ({exc})") from None
    cols = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)} (need reviewer,item,score[,confidence])"
        )
    pos = {c: cols.index(c) for c in (*REQUIRED, "confidence") if c in cols}
    reviewers, items, scores, conf = [], [], [], []
    seen: dict[tuple[str, str], int] = {}
    has_conf = "confidence" in pos
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) <= max(pos.values()):
                raise InputError(f"{path}: line {line}: expected {len(header)} fields, got {len(row)}")
            r, it, s = (row[pos[c]].strip() for c in REQUIRED)
            if not r or not it:
                raise InputError(f"{path}: line {line}: empty reviewer or item")
            try:
                v = float(s)
            except ValueError:
                raise InputError(f"{path}: line {line}: score {s!r} is not a number") from None
            if not math.isfinite(v):
                raise InputError(f"{path}: line {line}: score {s!r} is not a finite number")
            if has_conf:
                cs = row[pos["confidence"]].strip()
                if cs == "":
                    c = 1.0
                else:
                    try:
                        c = float(cs)
                    except ValueError:
                        raise InputError(f"{path}: line {line}: confidence {cs!r} is not a number") from None
                    if not math.isfinite(c) or c <= 0:
                        raise InputError(f"{path}: line {line}: confidence must be positive, got {cs!r}")
                conf.append(c)
            key = (r, it)
            if key in seen:
                raise InputError(
                    f"{path}: line {line}: duplicate row for reviewer {r!r} and item {it!r} (first on line {seen[key]})"
                )
            seen[key] = line
            reviewers.append(r)
            items.append(it)
            scores.append(v)
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: {exc}") from None
    if not scores:
        raise InputError(f"{path}: no score rows")
    return reviewers, items, scores, (conf if has_conf else None)


def main_calibrate(argv: list[str] | None = None) -> int:
    from .calibration import calibrate
    from .ranking import rank_intervals

    parser = _Parser(prog="tupo calibrate", description="Calibrate expert scores for reviewer leniency.")
    parser.add_argument("scores", help="CSV with columns reviewer,item,score[,confidence]")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help="number of posterior draws for rank intervals (default 1000)",
    )
    parser.add_argument(
        "--top",
        type=int,
        default=None,
        metavar="K",
        help="funded places: adds p_funded and grey_zone columns",
    )
    parser.add_argument(
        "--method",
        choices=("posterior", "parametric", "bootstrap"),
        default="posterior",
        help="how rank uncertainty is simulated (default: empirical-Bayes posterior)",
    )
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
        if args.bootstrap < 2:
            raise InputError("--bootstrap must be at least 2")
        reviewers, items, scores, conf = _read(args.scores)
        n_items = len(set(items))
        if args.top is not None and not 1 <= args.top <= n_items:
            raise InputError(f"--top must be between 1 and the number of items ({n_items})")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = calibrate(reviewers, items, scores, conf, n_draws=0, seed=args.seed)
            ranking = rank_intervals(
                result, k=args.top, n_draws=args.bootstrap, seed=args.seed, method=args.method
            )
    except InputError as exc:
        print(f"tupo calibrate: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, MemoryError) as exc:
        print(f"tupo calibrate: error: {exc}", file=sys.stderr)
        return 2

    by_item = {it.item: it for it in result.items}
    out = csv.writer(sys.stdout, lineterminator="\n")
    header = ["item", "calibrated_score", "mean", "trimmed_mean", "rank_low", "rank_high"]
    if args.top is not None:
        header += ["p_funded", "grey_zone"]
    out.writerow(header)
    for rk in ranking.items:
        it = by_item[rk.item]
        row = [
            rk.item,
            _fmt(it.calibrated_score),
            _fmt(it.mean),
            _fmt(it.trimmed_mean),
            rk.rank_low,
            rk.rank_high,
        ]
        if args.top is not None:
            row += [f"{rk.p_funded:.3f}", "1" if rk.grey_zone else "0"]
        out.writerow(row)

    err = sys.stderr
    alpha = result.alpha
    print(
        f"Krippendorff's alpha (interval): {alpha:.3f}"
        if math.isfinite(alpha)
        else "Krippendorff's alpha (interval): n/a (fewer than two scores on any item)",
        file=err,
    )
    vc = result.variance
    print(
        f"variance components: noise sd {math.sqrt(vc.sigma2):.3f}, item sd {math.sqrt(vc.tau2):.3f}, "
        f"reviewer offset sd {math.sqrt(vc.beta2):.3f}",
        file=err,
    )
    for msg in result.warnings:
        print(f"warning: {msg}", file=err)
    for rv in result.reviewers:
        if rv.flagged:
            print(f"flagged reviewer {rv.reviewer}: {rv.reason}", file=err)
    if args.top is not None:
        grey = [r.item for r in ranking.items if r.grey_zone]
        print(
            f"grey zone at top {args.top}: {len(grey)} item(s)"
            + (f": {', '.join(map(str, grey))}" if grey else ""),
            file=err,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main_calibrate(sys.argv[1:]))
