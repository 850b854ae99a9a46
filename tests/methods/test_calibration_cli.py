"""Tests for ``tupo calibrate`` (tupo.methods.calibration_cli.main_calibrate)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tupo.methods.calibration_cli import main_calibrate

HEADER = ["item", "calibrated_score", "mean", "trimmed_mean", "rank_low", "rank_high"]


def write_panel(path: Path, seed=0, n_items=30, n_rev=8, per_item=4, confidence=False):
    rng = np.random.default_rng(seed)
    q = rng.normal(70, 8, n_items)
    b = rng.normal(0, 4, n_rev)
    lines = ["reviewer,item,score" + (",confidence" if confidence else "")]
    for i in range(n_items):
        for r in rng.choice(n_rev, per_item, replace=False):
            s = q[i] + b[r] + rng.normal(0, 3)
            extra = f",{rng.uniform(0.5, 1.0):.2f}" if confidence else ""
            lines.append(f"R{r},P{i:03d},{s:.1f}{extra}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(argv, capsys):
    code = main_calibrate(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_happy_path_outputs_one_row_per_item(tmp_path, capsys):
    f = write_panel(tmp_path / "scores.csv")
    code, out, err = run([str(f), "--seed", "1", "--bootstrap", "200"], capsys)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == HEADER
    body = rows[1:]
    assert len(body) == 30 and len({r[0] for r in body}) == 30
    scores = [float(r[1]) for r in body]
    assert scores == sorted(scores, reverse=True)  # best first
    for r in body:
        lo, hi = int(r[4]), int(r[5])
        assert 1 <= lo <= hi <= 30
    assert "Krippendorff's alpha (interval):" in err
    assert "warning" not in err


def test_top_k_adds_columns_and_confidence_column_is_used(tmp_path, capsys):
    f = write_panel(tmp_path / "scores.csv", confidence=True)
    code, out, err = run([str(f), "--top", "5", "--bootstrap", "200"], capsys)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == HEADER + ["p_funded", "grey_zone"]
    p = [float(r[6]) for r in rows[1:]]
    assert sum(p) == pytest.approx(5.0, abs=1e-6)
    assert "grey zone at top 5" in err


def test_seed_makes_output_reproducible(tmp_path, capsys):
    f = write_panel(tmp_path / "scores.csv")
    _, out1, _ = run([str(f), "--seed", "7", "--bootstrap", "100"], capsys)
    _, out2, _ = run([str(f), "--seed", "7", "--bootstrap", "100"], capsys)
    assert out1 == out2


def test_disconnected_panel_warns_on_stderr(tmp_path, capsys):
    f = tmp_path / "s.csv"
    f.write_text("reviewer,item,score\na,x,80\nb,x,70\na,y,75\nb,y,66\nc,u,90\nd,u,95\nc,v,60\nd,v,68\n")
    code, out, err = run([str(f), "--bootstrap", "50"], capsys)
    assert code == 0
    assert "not connected" in err
    assert len(out.strip().splitlines()) == 5


BAD_INPUTS = [
    ("", "empty file"),
    ("reviewer,item\na,x\n", "missing column(s) score"),
    ("reviewer,item,score\na,x,80\nb,x,high\n", "line 3: score 'high' is not a number"),
    ("reviewer,item,score\na,x,80\nb,x,70\na,x,75\n", "line 4: duplicate row for reviewer 'a' and item 'x'"),
    ("reviewer,item,score\n", "no score rows"),
    ("reviewer,item,score,confidence\na,x,80,0\n", "confidence must be positive"),
    ("reviewer,item,score\na,x,nan\n", "not a finite number"),
]


@pytest.mark.parametrize(("content", "message"), BAD_INPUTS)
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, content, message):
    f = tmp_path / "bad.csv"
    f.write_text(content, encoding="utf-8")
    code, out, err = run([str(f)], capsys)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_missing_file_and_bad_options(tmp_path, capsys):
    code, _, err = run([str(tmp_path / "nope.csv")], capsys)
    assert code == 2 and "no such file" in err
    f = write_panel(tmp_path / "scores.csv")
    code, _, err = run([str(f), "--top", "999"], capsys)
    assert code == 2 and "--top" in err and len(err.strip().splitlines()) == 1
    code, _, err = run([str(f), "--bootstrap", "abc"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _, err = run([], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_bom_and_extra_columns_are_tolerated(tmp_path, capsys):
    f = tmp_path / "bom.csv"
    f.write_text(
        "\ufeffReviewer,Item,Score,comment\na,x,80,ok\nb,x,70,\na,y,60,\nb,y,55,\n", encoding="utf-8"
    )
    code, out, _ = run([str(f), "--bootstrap", "20"], capsys)
    assert code == 0
    assert out.splitlines()[0] == ",".join(HEADER)


def test_runs_as_module(tmp_path):
    f = write_panel(tmp_path / "scores.csv", n_items=10, n_rev=5, per_item=3)
    src = Path(__file__).resolve().parents[2] / "src"
    proc = subprocess.run(
        [sys.executable, "-m", "tupo.methods.calibration_cli", str(f), "--bootstrap", "50"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == ",".join(HEADER)
    assert len(proc.stdout.splitlines()) == 11
