"""Command line: ``python -m gmmviz animate ...`` (also installed as ``gmmviz``).

Fits a Gaussian mixture by EM to a course data set or a CSV file and writes the run as an
animated GIF or a standalone HTML page (see :mod:`gmmviz.animate`). Bad input ends with a
one-line ``gmmviz: error: ...`` on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .datasets import DATASET_NAMES, FAITHFUL_COLUMNS, make_dataset
from .em import COVARIANCE_TYPES, INIT_METHODS

__all__ = ["main", "build_parser", "load_data", "read_csv"]

_PROG = "gmmviz"
# Frames shown at most by default: the start and 20 iterations (E and M each).
_DEFAULT_MAX_FRAMES = 41
_DESCRIPTION = """\
gmmviz: see Expectation-Maximization fit a Gaussian mixture.

Sub-commands:
  animate   fit a mixture by EM and write the run, one frame per half-step
            (start, E-step 1, M-step 1, E-step 2, ...), as a GIF or an HTML page.

Run 'gmmviz animate --help' for its options.
"""
_ANIMATE_EPILOG = f"""\
data:
  --data takes a course data set ({", ".join(DATASET_NAMES)})
  or the path of a CSV file of numbers: one optional header line, then one point per line (',', ';', tab or spaces between
  values; '#' starts a comment line). With more than two columns EM uses them all and the
  picture shows two (--dims); --columns picks columns first. A single column gives 1-D data,
  drawn as a histogram with the component densities.

frames:
  Each EM iteration gives two frames (E: colours change, M: ellipses move). Runs longer than
  --max-frames keep the first iterations in a row and then evenly spaced ones up to the last;
  titles show the iteration numbers. --max-frames 0 keeps every frame.

examples:
  python -m gmmviz animate --data faithful --standardize -k 2 -o em.gif
  python -m gmmviz animate --data blobs -k 3 --init random --seed 1 -o em.html
  python -m gmmviz animate --data points.csv --columns 0,2 -k 4 --covariance-type diag -o em.gif
"""


class CLIError(Exception):
    """A problem with the command line's input, reported as one line without a traceback."""


# --------------------------------------------------------------------------------------------
# Parsing helpers
# --------------------------------------------------------------------------------------------
def _comma_list(text: str) -> list[str]:
    items = [t.strip() for t in text.split(",")]
    if not items or any(t == "" for t in items):
        raise argparse.ArgumentTypeError(f"expected comma-separated values like 0,1, got {text!r}")
    return items


def _dims(text: str) -> tuple[int, int]:
    items = _comma_list(text)
    try:
        dims = tuple(int(t) for t in items)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected two feature numbers like 0,1, got {text!r}") from None
    if len(dims) != 2 or dims[0] == dims[1] or min(dims) < 0:
        raise argparse.ArgumentTypeError(f"expected two different feature numbers like 0,1, got {text!r}")
    return dims  # type: ignore[return-value]


def _number(
    convert: Callable[[str], float], minimum: float, *, strict: bool, what: str
) -> Callable[[str], float]:
    """An argparse ``type=`` that parses with ``convert`` and checks the bound (``> minimum`` if strict)."""
    bound = f"more than {minimum:g}" if strict else f"at least {minimum:g}"

    def parse(text: str) -> float:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not np.isfinite(value) or value < minimum or (strict and value == minimum):
            raise argparse.ArgumentTypeError(f"must be {bound}, got {text!r}")
        return value

    return parse


_positive_int = _number(int, 1, strict=False, what="a whole number")
_non_negative_int = _number(int, 0, strict=False, what="a whole number")
_positive_float = _number(float, 0, strict=True, what="a number")


def build_parser() -> argparse.ArgumentParser:
    """The ``gmmviz`` argument parser (sub-command ``animate``)."""
    parser = argparse.ArgumentParser(
        prog=_PROG, description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser(
        "animate",
        help="write an EM run as an animated GIF or HTML page",
        description="Fit a Gaussian mixture by EM and write every half-step as a "
        "frame of a GIF or an HTML page.",
        epilog=_ANIMATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--data",
        default="faithful",
        metavar="NAME_OR_CSV",
        help=f"a data set ({', '.join(DATASET_NAMES)}) or a CSV file (default: faithful)",
    )
    p.add_argument(
        "-k",
        "--n-components",
        type=_positive_int,
        default=2,
        metavar="K",
        help="number of mixture components (default: 2)",
    )
    p.add_argument(
        "--covariance-type",
        choices=COVARIANCE_TYPES,
        default="full",
        help="shape of the covariances (default: full)",
    )
    p.add_argument(
        "--init",
        choices=INIT_METHODS,
        default="kmeans",
        help="how EM chooses the starting means (default: kmeans)",
    )
    p.add_argument(
        "--seed",
        type=_non_negative_int,
        default=0,
        help="seed for the start and for the synthetic data sets (default: 0)",
    )
    p.add_argument(
        "--max-iter",
        type=_non_negative_int,
        default=100,
        help="at most this many EM iterations (default: 100)",
    )
    p.add_argument(
        "--tol",
        type=float,
        default=1e-3,
        help="stop when the mean log-likelihood per point gains less (default: 1e-3)",
    )
    p.add_argument(
        "--standardize",
        action="store_true",
        help="rescale every column to mean 0 and standard deviation 1 first",
    )
    p.add_argument(
        "--n-samples",
        type=_positive_int,
        default=None,
        metavar="N",
        help="points to draw for a synthetic data set (default: its own)",
    )
    p.add_argument(
        "--columns",
        type=_comma_list,
        default=None,
        metavar="C1,C2",
        help="CSV columns to use, by number from 0 or by header name (default: all)",
    )
    p.add_argument(
        "--dims",
        type=_dims,
        default=(0, 1),
        metavar="I,J",
        help="the two features to draw when there are more (default: 0,1)",
    )
    p.add_argument(
        "--max-frames",
        type=_non_negative_int,
        default=_DEFAULT_MAX_FRAMES,
        metavar="N",
        help=f"at most N frames, 0 for all (default: {_DEFAULT_MAX_FRAMES} = start + "
        f"{(_DEFAULT_MAX_FRAMES - 1) // 2} iterations)",
    )
    p.add_argument("--fps", type=_positive_float, default=1.5, help="frames per second (default: 1.5)")
    p.add_argument(
        "--dpi",
        type=_positive_float,
        default=80.0,
        help="resolution of the frames; the picture is 10 x 4.4 inches (default: 80)",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="where to write: FILE.gif or FILE.html (the suffix decides)",
    )
    return parser


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------
def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _split_rows(lines: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    first = lines[0][1]
    # The delimiter of the first line holds for the file; csv handles quoted header names.
    delimiter = next((d for d in (",", ";", "\t") if d in first), None)
    if delimiter is None:
        return [(n, line.split()) for n, line in lines]
    rows = csv.reader([line for _, line in lines], delimiter=delimiter, skipinitialspace=True)
    return [(n, [c.strip() for c in row]) for (n, _), row in zip(lines, rows)]


def read_csv(path: str | Path) -> tuple[np.ndarray, list[str] | None]:
    """Read a CSV file of numbers with an optional header line.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    data : ndarray of shape (n_rows, n_columns), float
    header : list of str or None
        Column names when the first line is not numeric.

    Raises
    ------
    CLIError
        Missing or unreadable file, no data, rows of different lengths, or a value that is not a
        number; the message names the file and line.
    """
    path = Path(path)
    if not path.is_file():
        raise CLIError(f"{str(path)!r} is not a file.")
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: Excel's byte-order mark
    except UnicodeDecodeError:
        raise CLIError(f"{str(path)!r} is not a text (UTF-8) CSV file.") from None
    lines = [
        (n, ln.strip())
        for n, ln in enumerate(text.splitlines(), start=1)
        if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if not lines:
        raise CLIError(f"{str(path)!r} is empty: it needs one point per line.")
    rows = _split_rows(lines)
    header = None
    if not all(_is_number(c) for c in rows[0][1]):
        header, rows = rows[0][1], rows[1:]
        if not rows:
            raise CLIError(f"{str(path)!r} has a header line but no data lines.")
    width = len(header) if header is not None else len(rows[0][1])
    for n, cells in rows:
        if len(cells) != width:
            raise CLIError(
                f"{path.name}, line {n}: {len(cells)} value(s), but the file has {width} "
                f"column(s); every line needs the same number of values."
            )
        for j, cell in enumerate(cells):
            if not _is_number(cell):
                what = "an empty value" if cell == "" else f"{cell!r} is not a number"
                raise CLIError(
                    f"{path.name}, line {n}, column {j}: {what}; the file must hold "
                    "numbers only (plus one optional header line)."
                )
    data = np.array([[float(c) for c in cells] for _, cells in rows], dtype=float)
    if not np.all(np.isfinite(data)):
        n = rows[int(np.flatnonzero(~np.isfinite(data).all(axis=1))[0])][0]
        raise CLIError(f"{path.name}, line {n}: NaN or infinite value; remove or fill in that line.")
    return data, header


def _select_columns(
    data: np.ndarray, header: list[str] | None, columns: Sequence[str], source: str
) -> tuple[np.ndarray, list[str] | None]:
    n_cols = data.shape[1]
    picked: list[int] = []
    for c in columns:
        if c.lstrip("-").isdigit():
            j = int(c)
            if not 0 <= j < n_cols:
                raise CLIError(f"--columns {c}: {source} has {n_cols} column(s), numbered 0 to {n_cols - 1}.")
        elif header is not None and c in header:
            j = header.index(c)
        else:
            known = f"its columns are {', '.join(header)}" if header else "it has no header line"
            raise CLIError(f"--columns {c!r}: no such column in {source} ({known}); use numbers from 0.")
        picked.append(j)
    if len(set(picked)) != len(picked):
        raise CLIError(f"--columns names a column twice: {','.join(columns)}.")
    names = [header[j] for j in picked] if header is not None else None
    return data[:, picked], names


def _standardized(X: np.ndarray, names: list[str] | None) -> np.ndarray:
    sd = X.std(axis=0)
    if np.any(sd == 0):
        j = int(np.flatnonzero(sd == 0)[0])
        label = names[j] if names else f"column {j}"
        raise CLIError(f"cannot --standardize: {label} has the same value on every line.")
    return (X - X.mean(axis=0)) / sd


def load_data(
    data: str,
    *,
    columns: Sequence[str] | None = None,
    n_samples: int | None = None,
    seed: int = 0,
    standardize: bool = False,
) -> tuple[np.ndarray, list[str] | None]:
    """The points named by ``--data``: a course data set or a CSV file.

    Parameters
    ----------
    data : str
        A name from :data:`gmmviz.datasets.DATASET_NAMES` (case-insensitive) or a CSV path.
    columns : sequence of str, optional
        Column numbers (from 0) or header names to keep.
    n_samples : int, optional
        Points for a synthetic data set.
    seed : int
        Seed of a synthetic data set.
    standardize : bool
        Rescale every column to mean 0, standard deviation 1.

    Returns
    -------
    X : ndarray of shape (n, d)
    names : list of str or None
        Feature names when known (Old Faithful, a CSV header).
    """
    key = data.strip().lower()
    if key in DATASET_NAMES:
        kwargs: dict[str, object] = {}
        if key != "faithful":
            kwargs["random_state"] = seed
            if n_samples is not None:
                kwargs["n_samples"] = n_samples
        elif n_samples is not None:
            raise CLIError("--n-samples applies to the synthetic data sets; Old Faithful has 272 eruptions.")
        X, _ = make_dataset(key, **kwargs)
        X = X[:, None] if X.ndim == 1 else X
        names = [f"{c} (min)" for c in FAITHFUL_COLUMNS] if key == "faithful" else None
        source = f"data set {key!r}"
    else:
        if not Path(data).exists():
            raise CLIError(
                f"--data {data!r} is neither a data set ({', '.join(DATASET_NAMES)}) nor an existing file."
            )
        X, names = read_csv(data)
        source = Path(data).name
    if columns is not None:
        X, names = _select_columns(X, names, columns, source)
    if standardize:
        X = _standardized(X, names)
        names = [f"{n} (standardised)" for n in names] if names else None
    return X, names


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------
def _animate(args: argparse.Namespace) -> str:
    from .animate import animate_em, save_animation  # matplotlib only when needed
    from .fit import fit_em

    output = Path(args.output)
    if output.suffix.lower() not in (".gif", ".html", ".htm"):
        raise CLIError(f"-o {args.output!r}: end the file name with .gif or .html.")
    if not output.parent.is_dir():
        raise CLIError(f"-o {args.output!r}: the folder {str(output.parent)!r} does not exist.")
    X, names = load_data(
        args.data,
        columns=args.columns,
        n_samples=args.n_samples,
        seed=args.seed,
        standardize=args.standardize,
    )
    d = X.shape[1]
    if d > 1 and max(args.dims) >= d:
        raise CLIError(
            f"--dims {args.dims[0]},{args.dims[1]}: the data has {d} features, numbered 0 to {d - 1}."
        )
    history = fit_em(
        X,
        args.n_components,
        init=args.init,
        covariance_type=args.covariance_type,
        max_iter=args.max_iter,
        tol=args.tol,
        random_state=args.seed,
    )
    anim = animate_em(
        history,
        dims=args.dims if d > 1 else None,
        max_frames=args.max_frames or None,
        feature_names=names,
        dpi=args.dpi,
    )
    save_animation(
        anim,
        output,
        fps=args.fps,
        title=f"EM, K={args.n_components}, {args.covariance_type} covariances, {args.data}",
    )
    state = "converged" if history.converged else "stopped (not converged)"
    return (
        f"wrote {output}: {len(anim.frame_indices)} frames; EM {state} after {history.n_iter} "
        f"iteration(s), ln p(X) = {history.log_likelihoods[-1]:.2f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 success, 1 bad input, 2 bad usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors: argparse prints them and exits with 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        message = _animate(args)
    except KeyboardInterrupt:
        return 130
    except (CLIError, ValueError, TypeError, OSError) as exc:
        # Expected failures (bad file, K too large, singular covariance, unwritable output): the
        # library's messages are written for learners, so show them as they are.
        print(f"{_PROG}: error: {exc}", file=sys.stderr)
        return 1
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
