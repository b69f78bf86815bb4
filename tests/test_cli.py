"""Tests for the command line ``python -m gmmviz animate``: readable output, clear errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gmmviz import fit_em
from gmmviz.__main__ import load_data, main, read_csv

# Small and short so the GIF test stays fast: 60 points, at most 2 iterations (5 frames), dpi 40.
FAST = ["--data", "blobs", "--n-samples", "60", "-k", "3", "--max-iter", "2", "--dpi", "40"]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "gmmviz", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _expected_frames() -> int:
    X, _ = load_data("blobs", n_samples=60, seed=0)
    return fit_em(X, 3, random_state=0, max_iter=2).n_frames


# --------------------------------------------------------------------------- success


def test_python_m_writes_a_readable_gif(tmp_path):
    result = _run("animate", *FAST, "-o", "em.gif", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    with Image.open(tmp_path / "em.gif") as im:
        assert im.format == "GIF"
        assert im.n_frames == _expected_frames()
        assert im.size == (400, 176)  # 10 x 4.4 inches at dpi 40
    assert "em.gif" in result.stdout


def test_html_is_offline_and_holds_every_frame(tmp_path, capsys):
    out = tmp_path / "em.html"
    assert main(["animate", *FAST, "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("data:image/png;base64,") == _expected_frames()
    assert "http://" not in html and "https://" not in html  # no CDN script, stylesheet or font
    assert "<script" in html and not re.search(r"<script[^>]*\ssrc=", html)


def test_csv_with_header_columns_and_1d(tmp_path, capsys):
    X, _ = load_data("overlapping", n_samples=50, seed=1)
    csv = tmp_path / "pts.csv"
    rows = "\n".join(f"{a:.5f},{b:.5f},{a + b:.5f}" for a, b in X)
    csv.write_text("# made by the test\nfirst,second,sum\n" + rows + "\n", encoding="utf-8")
    out = tmp_path / "c.gif"
    args = ["animate", "--data", str(csv), "-k", "2", "--max-iter", "1", "--dpi", "30"]
    assert main([*args, "--columns", "second,0", "--standardize", "-o", str(out)]) == 0
    assert main([*args, "--columns", "2", "-o", str(out)]) == 0  # one column: 1-D view
    with Image.open(out) as im:
        assert im.n_frames == 3
    assert main([*args, "--dims", "2,1", "--max-frames", "0", "-o", str(out)]) == 0


def test_read_csv_header_is_optional(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("1;2\n3;4.5\n", encoding="utf-8")
    data, header = read_csv(p)
    assert header is None
    np.testing.assert_array_equal(data, [[1, 2], [3, 4.5]])
    p.write_text('"x", "y"\n1,2\n', encoding="utf-8")
    assert read_csv(p)[1] == ["x", "y"]
    p.write_text("1 2\n3 4\n", encoding="utf-8")
    assert read_csv(p)[0].shape == (2, 2)


def test_faithful_standardised_has_mean_0_sd_1():
    X, names = load_data("faithful", standardize=True)
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1)
    assert names[0].startswith("eruptions")


# --------------------------------------------------------------------------- help and errors


def test_help_explains_the_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    assert "animate" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["animate", "--help"])
    text = capsys.readouterr().out
    for option in ("--data", "--covariance-type", "--init", "--seed", "--max-frames", "-o"):
        assert option in text
    assert main([]) != 0  # no command: help on stderr, failure code
    assert "animate" in capsys.readouterr().err


BAD_FILES = {
    "missing": (None, "neither a data set"),
    "non-numeric": ("1,2\n3,x\n", "'x' is not a number"),
    "ragged": ("1,2\n3,4\n5\n", "line 3"),
    "empty": ("# nothing\n\n", "empty"),
    "header only": ("a,b\n", "no data"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\xff", "not a text"),
    "empty value": ("1,2\n3,\n", "empty value"),
    "nan": ("1,2\n3,nan\n4,5\n", "NaN"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_file_gives_one_clear_line(tmp_path, capsys, case):
    content, message = BAD_FILES[case]
    path = tmp_path / "data.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    code = main(["animate", "--data", str(path), "-o", str(tmp_path / "x.gif")])
    err = capsys.readouterr().err
    assert code != 0
    assert message in err and err.startswith("gmmviz: error:")
    assert "Traceback" not in err and err.count("\n") == 1
    assert not (tmp_path / "x.gif").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--columns", "0,7"], "has 3 column(s)"),
        (["--columns", "nope"], "no such column"),
        (["--columns", "a,a"], "twice"),
        (["--dims", "0,3"], "has 3 features"),
        (["-k", "40"], "K=40"),
        (["-o", "em.mp4"], ".gif or .html"),
        (["-o", "no/such/folder/em.gif"], "does not exist"),
    ],
)
def test_wrong_columns_and_options_give_clear_messages(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "three.csv").write_text("a,b,c\n" + "\n".join(f"{i},{i * i % 7},{i % 3}" for i in range(12)))
    argv = ["animate", "--data", "three.csv", "--max-iter", "1", "--dpi", "20", *args]
    if "-o" not in args:
        argv += ["-o", "x.gif"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["animate", "-k", "0", "-o", "x.gif"])
    assert exit_.value.code == 2
    assert "at least 1" in capsys.readouterr().err


def test_bad_file_through_python_m_has_no_traceback(tmp_path):
    (tmp_path / "bad.csv").write_text("1,2\n3,oops\n", encoding="utf-8")
    result = _run("animate", "--data", "bad.csv", "-o", "x.gif", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "gmmviz: error: bad.csv, line 2, column 1: 'oops' is not a number; the file must hold "
        "numbers only (plus one optional header line)."
    )
