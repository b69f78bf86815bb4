"""The learner's hands on the EM explorer: a start of their own (means placed by dragging), data of
their own (points added and removed), and the Python that reproduces what is on screen.

Pure functions on arrays (the explorer calls them and refits), and the row of buttons that goes
with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np

from .._validation import check_array, check_int
from ._fit_cache import FitKey

Start = tuple[tuple[float, ...], ...]
"""K means, each a tuple of d floats: a start the learner placed (see :class:`FitKey`)."""


def check_xy(xy: Any, name: str = "xy") -> tuple[float, float]:
    """A point of the picture: two finite numbers (the two features shown)."""
    try:
        x, y = (float(v) for v in xy)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be two numbers (x1, x2) on the picture's axes, got {xy!r}.") from None
    if not (np.isfinite(x) and np.isfinite(y)):
        raise ValueError(f"{name} must be two finite numbers, got {xy!r}.")
    return x, y


def check_component(component: Any, n_components: int) -> int:
    """A component by its number in the picture, 1 … K; returns its index 0 … K-1."""
    hint = f": the picture numbers the means 1 to {n_components}"
    return check_int(component, "component", minimum=1, maximum=n_components, hint=hint) - 1


def check_start(means: Any, n_components: int, n_features: int) -> np.ndarray:
    """A start of the learner's: K means of d finite numbers each."""
    start = check_array(means, "means")
    if start.shape != (n_components, n_features):
        raise ValueError(
            f"means must have shape (K, d) = ({n_components}, {n_features}), got {start.shape}: "
            "one mean per component of the K slider, each with every feature of X."
        )
    return start


def check_data(X: Any, added: Any, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """New data for an explorer (as many features as the data given) and its learner's-points mask."""
    data = check_array(X)
    if data.shape[1] != n_features:
        raise ValueError(
            f"X must have the {n_features} features of the data the explorer was given, got {data.shape[1]}: "
            "make a new explorer for other data."
        )
    mask = np.zeros(data.shape[0], dtype=bool) if added is None else np.asarray(added)
    if mask.dtype != bool or mask.shape != (data.shape[0],):
        raise ValueError(
            f"added must be one True/False per point of X ({data.shape[0]}), got {mask.dtype} of shape {mask.shape}."
        )
    return data, mask


def placed_start(means: np.ndarray, k: int, xy: tuple[float, float], dims: Sequence[int]) -> Start:
    """The start ``means`` with mean ``k`` moved to ``xy`` on the features ``dims`` (the others kept)."""
    placed = np.array(means, dtype=float, copy=True)
    placed[k, list(dims)] = xy
    return tuple(tuple(float(v) for v in row) for row in placed)


def with_point(X: np.ndarray, added: np.ndarray, xy: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """``X`` and its learner's-points mask with the point ``xy`` added (2-D data only)."""
    if X.shape[1] != 2:
        raise ValueError(
            f"Points can be added to 2-D data only; X has {X.shape[1]} features and the picture shows "
            "two of them, so a click cannot say where the new point lies in the others."
        )
    return np.vstack([X, np.asarray(xy, dtype=float)[None, :]]), np.append(added, True)


def nearest_point(
    X: np.ndarray, xy: tuple[float, float], dims: Sequence[int], limits: tuple[tuple[float, float], ...]
) -> int:
    """The row of ``X`` nearest to ``xy`` as the picture shows them (distances in fractions of
    each axis' span, so "nearest" is what the eye sees whatever the units)."""
    span = np.array([hi - lo for lo, hi in limits], dtype=float)
    gaps = (X[:, list(dims)] - np.asarray(xy, dtype=float)) / span
    return int(np.argmin(np.einsum("ij,ij->i", gaps, gaps)))


def without_point(X: np.ndarray, added: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
    """``X`` and its mask without row ``i`` (the last point cannot be removed)."""
    if X.shape[0] <= 1:
        raise ValueError("This is the last point: there must be data to fit. Add points or press Reset data.")
    keep = np.arange(X.shape[0]) != i
    return X[keep], added[keep]


def _rows(A: np.ndarray, indent: str = "    ") -> list[str]:
    # repr of a Python float is the shortest text that reads back as the same float: the code
    # gives the same data, bit for bit.
    return [f"{indent}[{', '.join(repr(float(v)) for v in row)}]," for row in A]


def explorer_code(
    X: np.ndarray,
    key: FitKey,
    *,
    max_iter: int,
    tol: float,
    step: int,
    dims: Sequence[int],
    data_note: str,
) -> str:
    """Python that makes the fit an explorer shows (data, K, start, Σ type, reg_covar, seed) and
    draws its half-step ``step``, to run in a cell of one's own."""
    k, cov = key.n_components, key.covariance_type
    settings = f"covariance_type={cov!r}, reg_covar={key.reg_covar!r}, max_iter={max_iter}, tol={tol!r}"
    lines = [
        "import matplotlib.pyplot as plt",
        "import numpy as np",
        "",
        "import gmmviz",
        "from gmmviz.plot import plot_frame",
        "",
        f"# {data_note}",
        "X = np.array([",
        *_rows(X),
        "])",
    ]
    if key.start is None:
        lines.append(
            f"history = gmmviz.fit_em(X, {k}, init={key.init!r}, random_state={key.seed}, {settings})"
        )
    else:
        lines += [
            "means = np.array([  # the start you placed (π_k = 1/K, Σ_k = I around these means)",
            *_rows(np.array(key.start)),
            "])",
            f"start = gmmviz.init_params(X, {k}, means=means, covariance_type={cov!r})",
            f"history = gmmviz.fit_em(X, {k}, params=start, {settings})",
        ]
    dims_arg = "" if tuple(dims) == (0, 1) else f", dims={tuple(int(d) for d in dims)}"
    lines += [
        'print(history.n_iter, "iterations, ln p(X) =", round(history.log_likelihoods[-1], 3))',
        "fig, ax = plt.subplots()",
        f"plot_frame(ax, X, history.frame({step}){dims_arg})  # the half-step shown",
        "plt.show()",
    ]
    return "\n".join(lines) + "\n"


def data_note(n: int, added: int, removed: int) -> str:
    """One line on whose data these are, for the code and the message."""
    if not added and not removed:
        return f"the explorer's data ({n} points)"
    parts = [f"{added} added" if added else "", f"{removed} removed" if removed else ""]
    return f"the explorer's data as you changed it ({n} points: {', '.join(p for p in parts if p)})"


class HandsControls:
    """The buttons of the learner's hands: back to the controls' start, back to the data given,
    and the code of what is on screen (shown in a text box to copy).

    Attributes
    ----------
    reset_start_button, reset_data_button, code_button : ipywidgets.Button
    code_view : ipywidgets.Textarea
        The code, shown while ``code_button`` is pressed (select all, copy).
    hint : ipywidgets.HTML
        How to use the picture with the mouse and the keyboard.
    """

    def __init__(self, can_add: bool) -> None:
        self.reset_start_button = widgets.Button(
            description="Reset start",
            tooltip="Reset start: EM starts again from the start the controls choose (not your means)",
            disabled=True,
        )
        self.reset_start_button.add_class("gmmviz-reset-start")
        self.reset_data_button = widgets.Button(
            description="Reset data",
            tooltip="Reset data: back to the data given to the explorer (your points removed)",
            disabled=True,
        )
        self.reset_data_button.add_class("gmmviz-reset-data")
        self.code_button = widgets.ToggleButton(
            value=False,
            description="Copy as code",
            tooltip="Copy as code: show the Python that reproduces this fit, to copy into a cell",
            icon="code",
        )
        self.code_button.add_class("gmmviz-code-button")
        self.code_view = widgets.Textarea(
            value="",
            description="code",
            rows=12,
            layout=widgets.Layout(width="98%", display="none"),
            tooltip="code: the Python for what the explorer shows; select it all (Ctrl+A) and copy (Ctrl+C)",
        )
        self.code_view.add_class("gmmviz-code")
        add = (
            " Click an empty place to add a point, Shift+click to remove the nearest one."
            if can_add
            else " Shift+click removes the nearest point."
        )
        keys = (
            " Keyboard: focus the picture, press a component's number, move its mean with the arrows, Enter;"
            + (" P for a point cursor, arrows, Enter adds, Delete removes the nearest;" if can_add else "")
            + " Escape cancels."
        )
        self.hint = widgets.HTML(
            value=f'<span style="font-size:90%">Drag a numbered mean: EM starts again from there.{add}{keys}</span>'
        )
        self.hint.add_class("gmmviz-hands-hint")

    def rows(self) -> list[widgets.Widget]:
        return [
            widgets.HBox([self.reset_start_button, self.reset_data_button, self.code_button]),
            self.hint,
            self.code_view,
        ]

    def show_code(self, code: str | None) -> None:
        """Show ``code`` in the text box (None hides it)."""
        if code is None:
            self.code_view.layout.display = "none"
        else:
            self.code_view.value = code
            self.code_view.layout.display = None
