"""Tests for tupo.methods.dea_cli: ``tupo dea`` and ``tupo malmquist``."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tupo.methods.dea_cli as cli
from tupo.methods.dea_cli import main_dea, main_malmquist

# Coelli's DEAP example 1 (see test_dea.py for the source).
DEAP = """dmu,y_out,x_a,x_b
F1,1,2,5
F2,2,2,4
F3,3,6,6
F4,1,3,2
F5,2,6,2
"""


def _write(tmp_path: Path, text: str, name: str = "data.csv") -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def _rows(out: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(out)))


def test_dea_default_columns_csv(tmp_path, capsys):
    code = main_dea([_write(tmp_path, DEAP)])
    out, err = capsys.readouterr()
    assert code == 0
    rows = _rows(out)
    assert list(rows[0])[:2] == ["dmu", "efficiency"]
    assert [r["dmu"] for r in rows] == ["F1", "F2", "F3", "F4", "F5"]
    assert [round(float(r["efficiency"]), 3) for r in rows] == [0.5, 1.0, 0.833, 0.714, 1.0]
    assert float(rows[0]["slack_x_b"]) == pytest.approx(0.5)
    assert float(rows[3]["target_x_a"]) == pytest.approx(2.142857, rel=1e-5)
    assert rows[2]["peers"] == "F2:1;F5:0.5"
    assert rows[1]["efficient"] == "1" and rows[0]["efficient"] == "0"
    assert "phi" not in rows[0]
    assert "discrimination" in err  # 5 units for 2 inputs + 1 output


def test_dea_first_column_is_id_and_explicit_columns(tmp_path, capsys):
    text = "name,staff,budget,cases,other\nA,2,5,1,9\nB,2,4,2,9\nC,6,6,3,9\nD,3,2,1,9\n"
    path = _write(tmp_path, text)
    code = main_dea(
        [
            path,
            "--inputs",
            "staff,budget",
            "--outputs",
            "cases",
            "--rts",
            "vrs",
            "--orientation",
            "out",
            "--super",
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    rows = _rows(out)
    assert [r["dmu"] for r in rows] == ["A", "B", "C", "D"]
    header = list(rows[0])
    assert header[:3] == ["dmu", "efficiency", "phi"]
    assert "super_efficiency" in header and "super_status" in header
    for r in rows:
        assert float(r["phi"]) == pytest.approx(1 / float(r["efficiency"]))


def test_dea_id_option(tmp_path, capsys):
    text = "n,code,x_1,y_1\n1,a,1,1\n2,b,2,1\n3,c,4,3\n"
    code = main_dea([_write(tmp_path, text), "--id", "code", "--inputs", "x_1"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert [r["dmu"] for r in _rows(out)] == ["a", "b", "c"]


def test_dea_super_infeasible_cell_is_empty(tmp_path, capsys):
    text = "dmu,x,y\nA,1,1\nB,2,3\nC,3,4\n"
    code = main_dea([_write(tmp_path, text), "--inputs", "x", "--outputs", "y", "--rts", "vrs", "--super"])
    out, _ = capsys.readouterr()
    assert code == 0
    c = _rows(out)[2]
    assert c["super_efficiency"] == "" and c["super_status"] == "infeasible"


def test_dea_text_in_number_column(tmp_path, capsys):
    bad = DEAP.replace("F3,3,6,6", "F3,3,six,6")
    code = main_dea([_write(tmp_path, bad)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "line 4" in err and "'F3'" in err and "'x_a'" in err and "'six'" in err


def test_dea_zero_value_names_unit_and_column(tmp_path, capsys):
    code = main_dea([_write(tmp_path, DEAP.replace("F4,1,3,2", "F4,1,0,2"))])
    _, err = capsys.readouterr()
    assert code == 2
    assert "'F4'" in err and "'x_a'" in err and "not positive" in err


def test_dea_missing_value(tmp_path, capsys):
    code = main_dea([_write(tmp_path, DEAP.replace("F4,1,3,2", "F4,1,,2"))])
    _, err = capsys.readouterr()
    assert code == 2 and "'F4'" in err and "'x_a'" in err and "missing" in err


def test_dea_duplicate_id(tmp_path, capsys):
    code = main_dea([_write(tmp_path, DEAP.replace("F4,", "F2,"))])
    _, err = capsys.readouterr()
    assert code == 2 and "duplicate unit id 'F2'" in err


def test_dea_overlapping_columns(tmp_path, capsys):
    code = main_dea([_write(tmp_path, DEAP), "--inputs", "x_a,y_out"])
    _, err = capsys.readouterr()
    assert code == 2 and "'y_out'" in err and "both" in err


def test_dea_one_unit_and_no_columns(tmp_path, capsys):
    assert main_dea([_write(tmp_path, "dmu,x_a,y_b\nA,1,1\n")]) == 2
    assert "at least 2 units" in capsys.readouterr().err
    assert main_dea([_write(tmp_path, "dmu,a,y_b\nA,1,1\nB,2,2\n")]) == 2
    assert "no input columns" in capsys.readouterr().err


def test_dea_usage_errors(tmp_path, capsys):
    assert main_dea([str(tmp_path / "nope.csv")]) == 2
    assert "file not found" in capsys.readouterr().err
    assert main_dea([_write(tmp_path, DEAP), "--rts", "irs"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1
    assert main_dea([_write(tmp_path, DEAP), "--format", "xlsx"]) == 2
    assert "--out" in capsys.readouterr().err
    assert main_dea([_write(tmp_path, DEAP), "--inputs", "x_a,nope"]) == 2
    assert "'nope' not found" in capsys.readouterr().err


def test_dea_table_and_out_file(tmp_path, capsys):
    out_path = tmp_path / "res.csv"
    assert main_dea([_write(tmp_path, DEAP), "--out", str(out_path)]) == 0
    assert capsys.readouterr().out == ""
    assert _rows(out_path.read_text())[1]["dmu"] == "F2"
    assert main_dea([_write(tmp_path, DEAP), "--format", "table"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("dmu") and "efficiency" in lines[0] and len(lines) == 7


def test_dea_xlsx(tmp_path, capsys):
    openpyxl = pytest.importorskip("openpyxl")
    out_path = tmp_path / "res.xlsx"
    assert main_dea([_write(tmp_path, DEAP), "--format", "xlsx", "--out", str(out_path)]) == 0
    ws = openpyxl.load_workbook(out_path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("dmu", "efficiency")
    assert rows[1][0] == "F1" and rows[1][1] == pytest.approx(0.5)


PANEL = """dmu,t,x_in,y_out
A,1,2,2
B,1,4,2
A,2,2,3
B,2,4,2
"""


def test_malmquist_csv(tmp_path, capsys):
    code = main_malmquist([_write(tmp_path, PANEL), "--period-col", "t"])
    out, _ = capsys.readouterr()
    assert code == 0
    rows = _rows(out)
    assert list(rows[0]) == ["dmu", "period_from", "period_to", "effch", "techch", "pech", "sech", "tfpch"]
    a, b = rows
    assert (a["dmu"], a["period_from"], a["period_to"]) == ("A", "1", "2")
    assert float(a["techch"]) == pytest.approx(1.5) and float(a["tfpch"]) == pytest.approx(1.5)
    assert float(b["effch"]) == pytest.approx(2 / 3) and float(b["tfpch"]) == pytest.approx(1.0)


def test_malmquist_missing_unit_warns(tmp_path, capsys):
    text = PANEL + "C,1,3,2\n"
    code = main_malmquist([_write(tmp_path, text), "--period-col", "t"])
    out, err = capsys.readouterr()
    assert code == 0
    assert [r["dmu"] for r in _rows(out)] == ["A", "B"]
    assert err.startswith("warning:") and "C" in err


def test_malmquist_errors(tmp_path, capsys):
    assert main_malmquist([_write(tmp_path, PANEL), "--period-col", "year"]) == 2
    assert "'year' not found" in capsys.readouterr().err
    assert main_malmquist([_write(tmp_path, PANEL + "A,2,1,1\n"), "--period-col", "t"]) == 2
    assert "'A' appears twice in period '2'" in capsys.readouterr().err
    assert main_malmquist([_write(tmp_path, PANEL.replace("B,2,4,2", "B,2,4,x")), "--period-col", "t"]) == 2
    err = capsys.readouterr().err
    assert "'y_out'" in err and "'x'" in err and "Traceback" not in err
    assert main_malmquist([_write(tmp_path, PANEL)]) == 2  # --period-col is required
    assert "period-col" in capsys.readouterr().err


def test_python_dash_m_entry_point(tmp_path):
    # stdout must hold only the CSV (HiGHS prints a banner on first use: swallowed).
    src = Path(cli.__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(src) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    p = subprocess.run(
        [sys.executable, "-m", "tupo.methods.dea_cli", "dea", _write(tmp_path, DEAP)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[0].startswith("dmu,efficiency")
    assert "HiGHS" not in p.stdout
    p = subprocess.run(
        [sys.executable, "-m", "tupo.methods.dea_cli", "dea", str(tmp_path / "missing.csv")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert p.returncode == 2 and "Traceback" not in p.stderr
