"""`knit match` on files: dedupe with a truth column, score pairs with a
saved model, malformed rows and invalid UTF-8."""
import csv
import io
import os
import re
import tempfile

from knit_test import ROOT, knit, run

FEBRL = os.path.realpath(os.path.join(ROOT, "..", "shared", "data", "febrl"))


def febrl(n):
    path = os.path.join(FEBRL, "dataset%d.csv" % n)
    if not os.path.exists(path):
        raise AssertionError("%s is missing: test data must be beside the repository" % path)
    return path


def f1_of(stderr):
    m = re.search(r"F1 ([0-9.]+)", stderr)
    assert m, stderr
    return float(m.group(1))


def test_dedupe_febrl1_quality_floor_and_cluster_output():
    p = knit("match", "dedupe", febrl(1), "--truth", "rec_id")
    assert f1_of(p.stderr) >= 0.99, p.stderr
    assert "pairs compared" in p.stderr and "time" in p.stderr
    rows = list(csv.reader(io.StringIO(p.stdout)))
    assert rows[0] == ["line", "cluster"] and len(rows) == 1001
    # Without the identity number and birth date the quality must hold too.
    p = knit("match", "dedupe", febrl(1), "--truth", "rec_id", "--drop",
             "soc_sec_id,date_of_birth", "--quiet")
    assert f1_of(p.stderr) >= 0.98, p.stderr
    assert p.stdout == ""


def test_score_adds_probability_and_weight_to_each_pair():
    d = tempfile.mkdtemp()
    model = os.path.join(d, "model.json")
    knit("match", "dedupe", febrl(1), "--quiet", "--model-out", model)
    pairs = os.path.join(d, "pairs.csv")
    with open(pairs, "w") as f:
        f.write("left_given_name,left_surname,right_given_name,right_surname,note\n"
                "joshua,arnold,joshua,arnlod,typo\n"
                "joshua,arnold,mia,white,different\n"
                "only,two\n")
    p = knit("match", "score", pairs, "--model", model)
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert [r["note"] for r in rows] == ["typo", "different"]
    assert float(rows[0]["match_probability"]) > float(rows[1]["match_probability"])
    assert float(rows[0]["match_weight"]) > 0 > float(rows[1]["match_weight"])
    assert "line 4" in p.stderr
    s = knit("match", "score", pairs, "--model", model, "--strict", check=False)
    assert s.returncode == 2 and "line 4" in s.stderr
    s = knit("match", "score", pairs, check=False)
    assert s.returncode == 2 and "--model" in s.stderr


def test_link_two_files_finds_the_pairs_across_them():
    d = tempfile.mkdtemp()
    lines = open(febrl(1)).read().splitlines(True)
    a, b = os.path.join(d, "a.csv"), os.path.join(d, "b.csv")
    with open(a, "w") as f:
        f.write(lines[0] + "".join(lines[1::2]))
    with open(b, "w") as f:
        f.write(lines[0] + "".join(lines[2::2]))
    p = knit("match", "link", a, b, "--truth", "rec_id")
    assert f1_of(p.stderr) >= 0.99, p.stderr
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert rows and all(float(r["match_probability"]) >= 0.999 for r in rows)
    assert all(2 <= int(r["left_line"]) <= 501 and 2 <= int(r["right_line"]) <= 501 for r in rows)


def test_synthetic_population_is_deterministic_and_matchable():
    a = knit("match", "synth", "--records", "2000", "--seed", "7").stdout
    b = knit("match", "synth", "--records", "2000", "--seed", "7").stdout
    c = knit("match", "synth", "--records", "2000", "--seed", "8").stdout
    assert a == b and a != c
    rows = list(csv.DictReader(io.StringIO(a)))
    assert len(rows) == 2000
    assert {r["nationality"] for r in rows} >= {"TH", "MM", "LA", "KH", "VN", "CN"}
    assert any("-dup-" in r["rec_id"] for r in rows)
    assert any(r["native_name"] and ord(r["native_name"][0]) > 0x2000 for r in rows)
    d = tempfile.mkdtemp()
    path = os.path.join(d, "synth.csv")
    with open(path, "w") as f:
        f.write(a)
    p = knit("match", "dedupe", path, "--truth", "rec_id", "--quiet")
    assert f1_of(p.stderr) >= 0.8, p.stderr  # tiny name tables make this data hard
    bad = knit("match", "synth", "--records", "0", check=False)
    assert bad.returncode == 2


def test_bad_files_are_reported_precisely():
    d = tempfile.mkdtemp()
    bad = os.path.join(d, "bad.csv")
    with open(bad, "wb") as f:
        f.write(b"given_name,surname\nann,lee\nb\xc3x,wu\n")
    p = knit("match", "dedupe", bad, check=False)
    assert p.returncode == 2 and "byte 28" in p.stderr, p.stderr
    short = os.path.join(d, "short.csv")
    with open(short, "w") as f:
        f.write("given_name,surname\nann,lee\nann,lee\nbob\n")
    p = knit("match", "dedupe", short, check=False)
    assert p.returncode == 0 and "line 4" in p.stderr, p.stderr
    p = knit("match", "dedupe", short, "--strict", check=False)
    assert p.returncode == 2 and "line 4" in p.stderr, p.stderr
    p = knit("match", "dedupe", short, "--map", "given_name=nope", check=False)
    assert p.returncode == 2 and "nope" in p.stderr


run(globals())
