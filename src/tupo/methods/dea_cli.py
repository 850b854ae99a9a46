"""Command line for DEA: ``tupo dea DATA.csv`` and ``tupo malmquist PANEL.csv``.

Pure Python (argparse + csv, openpyxl only for ``--format xlsx``); no Django.
Bad data gives one clear line on stderr and exit code 2, never a traceback.
See ``docs/methods/dea.md``.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Sequence

from tupo.methods.dea import DEAInputError, dea, malmquist

__all__ = ["main_dea", "main_malmquist", "main"]


class CLIError(Exception):
    """A user error: printed as one line on stderr, exit code 2."""


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def _read_csv(path: str) -> tuple[list[str], list[list[str]]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            sample = fh.read(4096)
            fh.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            rows = [r for r in csv.reader(fh, dialect) if any(c.strip() for c in r)]
    except FileNotFoundError:
        raise CLIError(f"file not found: {path}") from None
    except UnicodeDecodeError:
        raise CLIError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not rows:
        raise CLIError(f"{path}: file is empty")
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise CLIError(f"{path}: column '{dup}' appears twice in the header")
    body = rows[1:]
    for k, r in enumerate(body, start=2):
        if len(r) != len(header):
            raise CLIError(f"{path}: line {k} has {len(r)} fields, header has {len(header)}")
    return header, body


def _split(opt: str | None) -> list[str] | None:
    if opt is None:
        return None
    cols = [c.strip() for c in opt.split(",") if c.strip()]
    if not cols:
        raise CLIError("empty column list")
    return cols


def _pick_columns(header, id_col, inputs, outputs, reserved=()):
    if id_col is None:
        id_col = "dmu" if "dmu" in header else next(h for h in header if h not in reserved)
    if id_col not in header:
        raise CLIError(f"id column '{id_col}' not found (columns: {', '.join(header)})")
    if inputs is None:
        inputs = [h for h in header if h.startswith("x_")]
    if outputs is None:
        outputs = [h for h in header if h.startswith("y_")]
    for c in inputs + outputs:
        if c not in header:
            raise CLIError(f"column '{c}' not found (columns: {', '.join(header)})")
    both = sorted(set(inputs) & set(outputs))
    if both:
        raise CLIError(f"column '{both[0]}' is named both as an input and an output")
    if not inputs:
        raise CLIError("no input columns: name them x_... or pass --inputs a,b")
    if not outputs:
        raise CLIError("no output columns: name them y_... or pass --outputs c,d")
    if id_col in inputs or id_col in outputs:
        raise CLIError(f"id column '{id_col}' is also used as an input or output")
    return id_col, inputs, outputs


def _numbers(header, body, id_col, cols):
    """Matrix of floats; text → CLIError naming line, unit and column."""
    ci = header.index(id_col)
    idx = [header.index(c) for c in cols]
    out = []
    for k, r in enumerate(body, start=2):
        row = []
        for c, j in zip(cols, idx, strict=False):
            raw = r[j].strip()
            if raw == "":
                raise CLIError(f"line {k} (unit '{r[ci].strip()}'), column '{c}': value is missing")
            try:
                v = float(raw)
            except ValueError:
                raise CLIError(
                    f"line {k} (unit '{r[ci].strip()}'), column '{c}': '{raw}' is not a number"
                ) from None
            row.append(v)
        out.append(row)
    return out


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _fmt(v) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return f"{v:.10g}"
    if isinstance(v, bool):
        return "1" if v else "0"
    return str(v)


def _write(header: list[str], rows: list[list], fmt: str, out: str | None) -> None:
    if fmt == "xlsx":
        if not out:
            raise CLIError("--format xlsx needs --out FILE.xlsx")
        try:
            from openpyxl import Workbook
        except ImportError:  # pragma: no cover
            raise CLIError("xlsx output needs the openpyxl package") from None
        wb = Workbook()
        ws = wb.active
        ws.title = "results"
        ws.append(header)
        for r in rows:
            ws.append([None if isinstance(v, float) and math.isnan(v) else v for v in r])
        try:
            wb.save(out)
        except OSError as exc:
            raise CLIError(f"cannot write {out}: {exc.strerror or exc}") from None
        return
    text_rows = [[_fmt(v) for v in r] for r in rows]
    if fmt == "table":
        widths = [
            max(len(h), *(len(r[i]) for r in text_rows)) if text_rows else len(h)
            for i, h in enumerate(header)
        ]
        lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in text_rows]
        text = "\n".join(lines) + "\n"
        _emit(text, out)
        return
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(text_rows)
    _emit(buf.getvalue(), out)


def _emit(text: str, out: str | None) -> None:
    if out:
        try:
            with open(out, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        except OSError as exc:
            raise CLIError(f"cannot write {out}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)


# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit code 2
        raise CLIError(f"{self.prog}: {message}")


def _dea_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="tupo dea",
        description="Data Envelopment Analysis of the units in a CSV file. By default the "
        "column 'dmu' (else the first column) is the unit id, columns x_* are inputs and "
        "y_* outputs.",
    )
    p.add_argument("data", help="CSV file, one row per unit")
    p.add_argument(
        "--rts",
        choices=["crs", "vrs"],
        default="crs",
        help="returns to scale: crs (CCR, default) or vrs (BCC)",
    )
    p.add_argument("--orientation", choices=["in", "out"], default="in")
    p.add_argument("--super", action="store_true", help="add Andersen-Petersen super-efficiency")
    p.add_argument("--inputs", help="comma-separated input columns (default x_*)")
    p.add_argument("--outputs", help="comma-separated output columns (default y_*)")
    p.add_argument("--id", dest="id_col", help="unit id column (default dmu, else the first)")
    p.add_argument("--format", choices=["csv", "table", "xlsx"], default="csv")
    p.add_argument("--out", help="write to this file instead of stdout (required for xlsx)")
    return p


def _run(fn, argv) -> int:
    try:
        return fn(list(argv))
    except CLIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DEAInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0


def main_dea(argv: Sequence[str]) -> int:
    """``tupo dea DATA.csv [options]``; returns the exit code."""
    return _run(_main_dea, argv)


def _main_dea(argv: list[str]) -> int:
    args = _dea_parser().parse_args(argv)
    if args.format == "xlsx" and not args.out:
        raise CLIError("--format xlsx needs --out FILE.xlsx")
    header, body = _read_csv(args.data)
    id_col, inputs, outputs = _pick_columns(header, args.id_col, _split(args.inputs), _split(args.outputs))
    ids = [r[header.index(id_col)].strip() for r in body]
    if not body:
        raise CLIError("no data rows: DEA needs at least 2 units")
    X = _numbers(header, body, id_col, inputs)
    Y = _numbers(header, body, id_col, outputs)
    res = dea(
        X,
        Y,
        rts=args.rts,
        orientation=args.orientation,
        slacks=True,
        super_efficiency=args.super,
        ids=ids,
        input_names=inputs,
        output_names=outputs,
    )
    cols = ["dmu", "efficiency"]
    if args.orientation == "out":
        cols.append("phi")
    if args.super:
        cols += ["super_efficiency", "super_status"]
    cols += ["efficient", "weakly_efficient"]
    cols += [f"slack_{c}" for c in inputs + outputs]
    cols += [f"target_{c}" for c in inputs + outputs]
    cols.append("peers")
    rows = []
    for i, u in enumerate(res.ids):
        row = [u, float(res.efficiency[i])]
        if args.orientation == "out":
            row.append(float(res.phi[i]))
        if args.super:
            row += [float(res.super_efficiency[i]), str(res.super_status[i])]
        row += [bool(res.efficient[i]), bool(res.weakly_efficient[i])]
        row += [float(v) for v in res.slacks_in[i]] + [float(v) for v in res.slacks_out[i]]
        row += [float(v) for v in res.targets_in[i]] + [float(v) for v in res.targets_out[i]]
        row.append(";".join(f"{res.ids[j]}:{lam:.6g}" for j, lam in res.peers_of(i)))
        rows.append(row)
    for w in res.warnings:
        print(f"warning: {w}", file=sys.stderr)
    _write(cols, rows, args.format, args.out)
    return 0


def _malmquist_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="tupo malmquist",
        description="Malmquist productivity index (input oriented, Färe et al. 1994) between "
        "consecutive periods of a long panel: one row per unit and period. A unit missing "
        "in one of two consecutive periods gets no row for that pair (warning on stderr).",
    )
    p.add_argument("data", help="CSV file: unit id, period, inputs, outputs")
    p.add_argument("--period-col", required=True, help="period column")
    p.add_argument("--id", dest="id_col", help="unit id column (default dmu, else the first)")
    p.add_argument("--inputs", help="comma-separated input columns (default x_*)")
    p.add_argument("--outputs", help="comma-separated output columns (default y_*)")
    p.add_argument("--format", choices=["csv", "table", "xlsx"], default="csv")
    p.add_argument("--out", help="write to this file instead of stdout (required for xlsx)")
    return p


def main_malmquist(argv: Sequence[str]) -> int:
    """``tupo malmquist PANEL.csv --period-col t [options]``; returns the exit code."""
    return _run(_main_malmquist, argv)


def _main_malmquist(argv: list[str]) -> int:
    args = _malmquist_parser().parse_args(argv)
    if args.format == "xlsx" and not args.out:
        raise CLIError("--format xlsx needs --out FILE.xlsx")
    header, body = _read_csv(args.data)
    if args.period_col not in header:
        raise CLIError(f"period column '{args.period_col}' not found (columns: {', '.join(header)})")
    id_col, inputs, outputs = _pick_columns(
        header, args.id_col, _split(args.inputs), _split(args.outputs), reserved=(args.period_col,)
    )
    if args.period_col in inputs + outputs or args.period_col == id_col:
        raise CLIError(f"period column '{args.period_col}' is also used as id, input or output")
    if not body:
        raise CLIError("no data rows")
    ci, pi = header.index(id_col), header.index(args.period_col)
    ids = [r[ci].strip() for r in body]
    periods = [r[pi].strip() for r in body]
    seen = {}
    for k, (u, t) in enumerate(zip(ids, periods, strict=False), start=2):
        if t == "":
            raise CLIError(f"line {k} (unit '{u}'), column '{args.period_col}': period is missing")
        if (u, t) in seen:
            raise CLIError(f"unit '{u}' appears twice in period '{t}' (lines {seen[(u, t)]} and {k})")
        seen[(u, t)] = k
    X = _numbers(header, body, id_col, inputs)
    Y = _numbers(header, body, id_col, outputs)
    res = malmquist(X, Y, ids, periods, input_names=inputs, output_names=outputs)
    for w in res.warnings:
        print(f"warning: {w}", file=sys.stderr)
    cols = ["dmu", "period_from", "period_to", "effch", "techch", "pech", "sech", "tfpch"]
    rows = [
        [
            u,
            a,
            b,
            float(res.effch[i]),
            float(res.techch[i]),
            float(res.pech[i]),
            float(res.sech[i]),
            float(res.tfpch[i]),
        ]
        for i, (u, a, b) in enumerate(zip(res.dmu, res.period_from, res.period_to, strict=False))
    ]
    _write(cols, rows, args.format, args.out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tupo.methods.dea_cli dea|malmquist ...``"""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("dea", "malmquist"):
        print("usage: python -m tupo.methods.dea_cli {dea,malmquist} ...", file=sys.stderr)
        return 2
    fn = main_dea if argv[0] == "dea" else main_malmquist
    return fn(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
