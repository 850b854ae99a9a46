"""Tests for ``tupo assign`` (tupo.methods.assignment_cli.main_assign)."""

from __future__ import annotations

import csv
import io

import pytest

from tupo.methods.assignment_cli import main_assign

REVIEWERS = """reviewer,org,min_load,max_load
R1,A1,0,2
R2,A2,0,2
R3,B,1,2
"""
PROPOSALS = """proposal,org,demand
P1,A1,1
P2,B,1
P3,root,1
"""
AFFINITY = """reviewer,proposal,affinity
R1,P1,0.9
R1,P2,0.8
R2,P1,0.7
R2,P2,0.1
R3,P2,0.6
R3,P3,0.57
"""
CONFLICTS = """reviewer,proposal
R1,P1
"""


def write(tmp_path, **files):
    base = {
        "reviewers": REVIEWERS,
        "proposals": PROPOSALS,
        "affinity": AFFINITY,
        "conflicts": CONFLICTS,
    }
    base.update(files)
    for name, text in base.items():
        if text is not None:
            (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return tmp_path


def run(capsys, argv):
    code = main_assign([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def parse_rows(text):
    lines = text.strip().splitlines()
    assert lines[-1].startswith("objective: ")
    rows = list(csv.reader(io.StringIO("\n".join(lines[:-1]))))
    assert rows[0] == ["reviewer", "proposal"]
    return [tuple(r) for r in rows[1:]], float(lines[-1].split(": ")[1])


def test_assign_to_stdout(tmp_path, capsys):
    code, out, err = run(capsys, [write(tmp_path)])
    assert code == 0, err
    rows, obj = parse_rows(out)
    # R1-P1 conflicted: best is R2-P1 (0.7) + R1-P2 (0.8) + R3-P3 (0.57) = 2.07
    assert sorted(rows) == [("R1", "P2"), ("R2", "P1"), ("R3", "P3")]
    assert obj == pytest.approx(2.07)
    assert out.strip().splitlines()[-1] == "objective: 2.07"


def test_assign_to_file(tmp_path, capsys):
    inst = write(tmp_path)
    out_file = tmp_path / "out.csv"
    code, out, _ = run(capsys, [inst, "--out", out_file])
    assert code == 0
    rows = list(csv.reader(out_file.open()))
    assert rows[0] == ["reviewer", "proposal"] and len(rows) == 4
    lines = out.strip().splitlines()
    assert lines[-1] == "objective: 2.07"
    assert any(line.startswith("certificate:") for line in lines)


def test_orgs_tree_forbids_own_ancestor_descendant(tmp_path, capsys):
    orgs = "org,parent\nroot,\nA,root\nA1,A\nA2,A\nB,root\n"
    reviewers = "reviewer,org,min_load,max_load\nR1,A1,0,2\nR2,A2,0,2\nR3,B,0,1\nR4,A,0,2\n"
    proposals = "proposal,org,demand\nP1,A1,1\nP2,B,1\nP3,A,1\n"
    # tempting but forbidden: R1-P1 (own org), R2-P3 (A is above A2), R4-P1 (A1 is below A)
    # allowed: R2-P1 (sibling A2/A1), R3-P1 (cousin), R3-P3 (B and A are siblings)
    aff = (
        "reviewer,proposal,affinity\n"
        "R1,P1,0.99\nR2,P3,0.95\nR4,P1,0.98\nR1,P2,0.8\nR2,P1,0.7\nR3,P1,0.9\nR3,P3,0.2\n"
    )
    inst = write(tmp_path, orgs=orgs, reviewers=reviewers, proposals=proposals, affinity=aff, conflicts=None)
    code, out, err = run(capsys, [inst])
    assert code == 0, err
    rows, obj = parse_rows(out)
    assert ("R1", "P1") not in rows and ("R2", "P3") not in rows and ("R4", "P1") not in rows
    assert sorted(rows) == [("R1", "P2"), ("R2", "P1"), ("R3", "P3")]
    assert obj == pytest.approx(1.7)


def test_orgs_tree_descendant_forbidden(tmp_path, capsys):
    orgs = "org,parent\nroot,\nA,root\nA1,A\nA2,A\nB,root\n"
    reviewers = "reviewer,org,min_load,max_load\nR1,root,0,3\nR2,A2,0,3\n"
    inst = write(
        tmp_path, orgs=orgs, reviewers=reviewers, affinity="reviewer,proposal,affinity\n", conflicts=None
    )
    # R1 at the root conflicts with every proposal; R2 (A2) can cover only P1 (A1, sibling) and P2 (B)
    code, _, err = run(capsys, [inst])
    assert code == 1
    assert "item P3: only 0 non-conflicted reviewers for demand 1" in err


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"affinity": "reviewer,proposal,affinity\nR9,P1,0.5\n"},
            "affinity.csv line 2, column reviewer: unknown reviewer 'R9'",
        ),
        (
            {"conflicts": "reviewer,proposal\nR1,P9\n"},
            "conflicts.csv line 2, column proposal: unknown proposal 'P9'",
        ),
        (
            {"affinity": "reviewer,proposal,affinity\nR1,P1,0.5\nR1,P1,0.6\n"},
            "affinity.csv line 3: duplicate row for (R1, P1)",
        ),
        ({"conflicts": "reviewer,proposal\nR1,P1\nR1,P1\n"}, "conflicts.csv line 3: duplicate row"),
        (
            {"reviewers": "reviewer,org,min_load,max_load\nR1,A,0,1\nR1,A,0,1\n"},
            "reviewers.csv line 3: duplicate reviewer 'R1'",
        ),
        ({"reviewers": "reviewer,org,max_load\nR1,A,1\n"}, "reviewers.csv: missing column(s) min_load"),
        (
            {"affinity": "reviewer,proposal,affinity\nR1,P2,nan\n"},
            "affinity.csv line 2, column affinity: 'nan' is not a finite number",
        ),
        (
            {"affinity": "reviewer,proposal,affinity\nR1,P2,0.5\nR2,P2,high\n"},
            "affinity.csv line 3, column affinity: 'high' is not a number",
        ),
        (
            {"proposals": "proposal,org,demand\nP1,A,two\n"},
            "proposals.csv line 2, column demand: 'two' is not a whole number",
        ),
        (
            {"reviewers": "reviewer,org,min_load,max_load\nR1,A,0,-1\n"},
            "reviewers.csv line 2, column max_load: -1 is negative",
        ),
        ({"proposals": ""}, "proposals.csv: empty file"),
        ({"orgs": "org,parent\nA,Z\n"}, "orgs.csv line 2, column parent: unknown org 'Z'"),
        ({"orgs": "org,parent\nX,Y\nY,X\nA1,\nA2,\nB,\nroot,\n"}, "orgs.csv: cycle in organization tree"),
        ({"orgs": "org,parent\nA1,\n"}, "org 'A2' is not listed in orgs.csv"),
    ],
)
def test_bad_input_one_line_error(tmp_path, capsys, files, expected):
    code, out, err = run(capsys, [write(tmp_path, **files)])
    assert code == 2
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert "objective" not in out


def test_missing_file_and_dir(tmp_path, capsys):
    inst = write(tmp_path)
    (inst / "affinity.csv").unlink()
    code, _, err = run(capsys, [inst])
    assert code == 2 and "affinity.csv: file not found" in err
    code, _, err = run(capsys, [tmp_path / "nope"])
    assert code == 2 and "not a directory" in err


def test_infeasible_exit_code_and_reason(tmp_path, capsys):
    proposals = "proposal,org,demand\nP1,A1,3\nP2,B,1\nP3,root,1\n"
    code, out, err = run(capsys, [write(tmp_path, proposals=proposals)])
    assert code == 1
    assert "no feasible assignment" in err
    assert "item P1: only 2 non-conflicted reviewers for demand 3" in err
    assert "objective" not in out


def test_draw_reproducible_with_seed(tmp_path, capsys):
    inst = write(tmp_path)
    code1, out1, err1 = run(capsys, [inst, "--draw", "--seed", "7"])
    code2, out2, _ = run(capsys, [inst, "--draw", "--seed", "7"])
    assert code1 == code2 == 0
    assert out1 == out2
    assert "seed: 7" in err1
    rows, _ = parse_rows(out1)
    assert ("R1", "P1") not in rows and len(rows) == 3
    code, out, _ = run(capsys, [inst, "--draw", "--seed", "7", "--out", tmp_path / "d.csv"])
    assert code == 0 and "seed: 7" in out and out.strip().splitlines()[-1].startswith("objective: ")


def test_fair_flag(tmp_path, capsys):
    code, out, err = run(capsys, [write(tmp_path), "--fair"])
    assert code == 0, err
    rows, obj = parse_rows(out)
    assert len(rows) == 3


def test_usage_errors(tmp_path, capsys):
    inst = write(tmp_path)
    assert run(capsys, [inst, "--seed", "3"])[0] == 2
    assert run(capsys, [inst, "--fair", "--draw"])[0] == 2
    assert run(capsys, [])[0] == 2
