"""EM as a film: one frame per half-step (init, E, M, E, M, ...), exportable offline.

:func:`animate_em` turns an :class:`gmmviz.em.EMHistory` into a
:class:`matplotlib.animation.FuncAnimation` with two panels: on the left the data coloured by
responsibilities with each component's ellipses (or, for 1-D data, histogram and component
densities), on the right ln p(X) up to the frame shown. The figure's title names the half-step
and what it changed (E: the colours, M: the ellipses).

The figure is a plain :class:`matplotlib.figure.Figure`, not a pyplot figure: the animation never
pops up a window or shows twice in a notebook, and touches no global state. Every frame updates
the artists drawn once at the start (``gmmviz.plot.update_*``) instead of drawing anew.

Exports that need no network:

* :func:`offline_jshtml` -- ``anim.to_jshtml()`` without matplotlib's CDN stylesheet (its buttons
  get text symbols instead of Font Awesome icons); show it with ``IPython.display.HTML``.
* :func:`save_animation` -- ``.gif`` through matplotlib's Pillow writer, ``.html`` as a
  self-contained page.

Long runs are subsampled when ``max_frames`` is given; see :func:`select_frames`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.artist import Artist
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from matplotlib.text import Text

from ._history import frame_text
from ._validation import check_dims, check_int
from .palette import component_colors
from .plot import (
    FrameArtists,
    LogLikelihoodCurve,
    View1D,
    plot_1d,
    plot_frame,
    plot_log_likelihood,
    update_1d,
    update_frame,
    update_log_likelihood,
    weighted_component_pdfs,
)

__all__ = [
    "AnimationArtists",
    "EMAnimation",
    "animate_em",
    "select_frames",
    "offline_jshtml",
    "save_animation",
]

_SUFFIXES = (".gif", ".html", ".htm")


# --------------------------------------------------------------------------------------------
# Which frames
# --------------------------------------------------------------------------------------------
def select_frames(history: Any, max_frames: int | None = None) -> list[int]:
    """Indices of the history frames an animation shows.

    Parameters
    ----------
    history : EMHistory
    max_frames : int or None, default None
        None shows every frame (``history.n_frames`` of them). Otherwise at most this many
        (>= 3): when the run is longer, whole iterations are dropped, never half of one, so the
        film still alternates E, M, E, M.

    Returns
    -------
    list of int
        Increasing indices into ``history.frame``, starting with 0 (the start).

    Notes
    -----
    Subsampling keeps ``m = (max_frames - 1) // 2`` iterations: the first ``m - m // 2`` in a row
    (EM changes most at the start) and then ``m // 2`` evenly spaced ones ending with the last
    iteration (so the converged state is always shown). Iteration numbers in the titles make the
    jumps visible. With ``max_frames=41`` a 100-iteration run shows iterations 1-10 and then
    every ninth or tenth up to 100.
    """
    n_frames = int(history.n_frames)
    if max_frames is None or n_frames <= _check_max_frames(max_frames):
        return list(range(n_frames))
    n_iter = int(history.n_iter)
    m = (max_frames - 1) // 2
    tail = max(1, m // 2)
    head = m - tail
    # n_iter > m, so the tail's spacing is > 1 and rounding cannot produce duplicates.
    tail_iters = np.rint(np.linspace(head, n_iter, tail + 1)[1:]).astype(int)
    iterations = [*range(1, head + 1), *tail_iters.tolist()]
    return [0] + [i for t in iterations for i in (2 * t - 1, 2 * t)]


def _check_max_frames(max_frames: Any) -> int:
    return check_int(max_frames, "max_frames", minimum=3, hint=" (the start plus one E- and one M-step)")


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------
def _check_history(history: Any) -> Any:
    needed = ("X", "frame", "n_frames", "n_iter", "log_likelihoods", "params")
    if not all(hasattr(history, a) for a in needed):
        raise TypeError(
            f"history must be the EMHistory returned by gmmviz.fit_em, got {type(history).__name__}; "
            "animate_em(history) takes the data from history.X."
        )
    history.frame(0)  # a history of data out of memory (a Dask array) refuses here, before X is read
    return history


def _check_view_dims(dims: Any, n_features: int) -> tuple[int, int] | None:
    """The two features to draw, or None for the 1-D view."""
    if n_features == 1:
        return None  # 1-D data: the histogram view; dims has nothing to choose
    return check_dims((0, 1) if dims is None else dims, n_features)


# --------------------------------------------------------------------------------------------
# Panels
# --------------------------------------------------------------------------------------------
def _padded(lo: float, hi: float, frac: float = 0.08) -> tuple[float, float]:
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    return lo - frac * span, hi + frac * span


def _grid_1d(x: np.ndarray, params_seq: Sequence[Any], n_grid: int = 400) -> np.ndarray:
    # One grid for the whole film, wide enough for every frame's components, so lines can be
    # updated in place instead of being redrawn on a new grid.
    lo, hi = float(x.min()), float(x.max())
    for p in params_seq:
        m = np.asarray(p.means, dtype=float)[:, 0]
        sd = np.sqrt(p.full_covariances()[:, 0, 0])
        lo, hi = min(lo, float((m - 3.5 * sd).min())), max(hi, float((m + 3.5 * sd).max()))
    return np.linspace(lo, hi, n_grid)


def _draw_1d(ax: Any, x: np.ndarray, frames: Sequence[Any], palette: Any, feature_name: str | None) -> View1D:
    """Histogram view for 1-D data, with y-limits fixed for every frame shown."""
    if feature_name:
        ax.set_xlabel(feature_name)
    first = frames[0]
    grid = _grid_1d(x, [f.params for f in frames])
    view = plot_1d(ax, x, first.params, first.resp, palette=palette, grid=grid)
    hist_top = max((p.get_height() for p in view.hist), default=0.0)
    pdf_top = max(float(weighted_component_pdfs(grid, f.params).sum(axis=0).max()) for f in frames)
    top = 1.05 * max(hist_top, pdf_top)
    view.strip.set_offsets(np.column_stack([x[:, 0], np.full(x.shape[0], -0.06 * top)]))
    ax.set_ylim(-0.12 * top, top)
    ax.set_xlim(grid[0], grid[-1])
    return view


def _draw_2d(
    ax: Any,
    x: np.ndarray,
    frame: Any,
    dims: tuple[int, int],
    n_std: Sequence[float],
    palette: Any,
    feature_names: Sequence[str] | None,
) -> FrameArtists:
    if feature_names is not None:
        ax.set_xlabel(feature_names[dims[0]])
        ax.set_ylabel(feature_names[dims[1]])
    artists = plot_frame(ax, x, frame, dims=dims, n_std=n_std, palette=palette, title=False)
    # Fixed limits from the data: ellipses may grow past them early on, but the view must not
    # jump between frames.
    ax.set_xlim(*_padded(float(x[:, dims[0]].min()), float(x[:, dims[0]].max())))
    ax.set_ylim(*_padded(float(x[:, dims[1]].min()), float(x[:, dims[1]].max())))
    return artists


def _title(frame: Any, n_iter: int) -> str:
    return str(frame_text(frame, n_iter, mathtext=True))


# --------------------------------------------------------------------------------------------
# The animation
# --------------------------------------------------------------------------------------------
class AnimationArtists(NamedTuple):
    """The artists an :class:`EMAnimation` updates on every frame."""

    #: Left panel: :class:`gmmviz.plot.FrameArtists` (points, ellipses, numbered means, the
    #: M-step's move) or, for 1-D data, :class:`gmmviz.plot.View1D`.
    data: FrameArtists | View1D
    #: Right panel: ln p(X) up to the frame shown (:class:`gmmviz.plot.LogLikelihoodCurve`).
    ll: LogLikelihoodCurve
    #: "ln p(X) = ..." above the right panel.
    ll_title: Text
    #: The figure's title: which half-step, when, and what changed.
    title: Text


class EMAnimation(FuncAnimation):
    """A :class:`~matplotlib.animation.FuncAnimation` of an EM run; build it with :func:`animate_em`.

    Attributes
    ----------
    history : EMHistory
    X : ndarray of shape (n_samples, n_features)
        ``history.X``.
    dims : pair of int, or None for 1-D data
    frame_indices : tuple of int
        The history frames shown, in order (see :func:`select_frames`); the animation's frame
        sequence.
    artists : AnimationArtists
        The artists every frame updates.
    palette : ndarray of shape (K, 4)
    """

    def __init__(
        self,
        history: Any,
        *,
        dims: Sequence[int] | None = None,
        max_frames: int | None = None,
        interval: int = 700,
        n_std: Sequence[float] = (1, 2, 3),
        palette: Any = None,
        feature_names: Sequence[str] | None = None,
        figsize: tuple[float, float] = (10.0, 4.4),
        dpi: float = 80.0,
        repeat: bool = True,
    ) -> None:
        self.history = _check_history(history)
        x = np.asarray(history.X, dtype=float)
        self.X = x[:, None] if x.ndim == 1 else x
        self.dims = _check_view_dims(dims, self.X.shape[1])
        self.n_std = n_std  # checked by gmmviz.plot when drawn
        self.frame_indices = tuple(select_frames(history, max_frames))
        k = history.params[0].n_components
        self.palette = component_colors(k) if palette is None else to_rgba_array(palette)
        if feature_names is not None and len(feature_names) != self.X.shape[1]:
            raise ValueError(f"feature_names has {len(feature_names)} names for {self.X.shape[1]} features.")
        self._ll = np.asarray(history.log_likelihoods, dtype=float)

        fig = Figure(figsize=figsize, dpi=dpi)
        # Fixed margins rather than a layout engine: the suptitle text changes every frame and the
        # panels must not shift under it.
        grid = fig.add_gridspec(
            1, 2, width_ratios=(1.35, 1.0), left=0.07, right=0.98, bottom=0.13, top=0.80, wspace=0.28
        )
        ax_data, ax_ll = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
        first = history.frame(self.frame_indices[0])
        if self.dims is None:
            shown = [history.frame(i) for i in self.frame_indices]
            name = feature_names[0] if feature_names is not None else None
            data = _draw_1d(ax_data, self.X, shown, self.palette, name)
        else:
            data = _draw_2d(ax_data, self.X, first, self.dims, self.n_std, self.palette, feature_names)
        ax_data.set_title(f"K = {k}, {history.covariance_type} covariances", fontsize="medium")
        ll = plot_log_likelihood(ax_ll, self._ll, current=0)
        shown_iters = (len(self.frame_indices) - 1) // 2
        if shown_iters < history.n_iter:
            ax_ll.text(
                0.98,
                0.04,
                f"showing {shown_iters} of {history.n_iter} iterations",
                transform=ax_ll.transAxes,
                ha="right",
                va="bottom",
                fontsize="small",
                color="0.4",
            )
        self.artists = AnimationArtists(
            data, ll, ax_ll.set_title("", fontsize="medium"), fig.suptitle("", fontsize="large")
        )
        self.show_frame(self.frame_indices[0])
        self._figure = fig  # our own reference: FuncAnimation keeps its figure in a private attribute
        self.interval = interval
        super().__init__(
            fig,
            self.show_frame,
            frames=list(self.frame_indices),
            interval=interval,
            repeat=repeat,
            cache_frame_data=False,
        )

    @property
    def figure(self) -> Figure:
        """The animation's own figure (not registered with pyplot)."""
        return self._figure

    def show_frame(self, i: int) -> list[Artist]:
        """Update every artist to show history frame ``i`` (an index into ``history.frame``).

        This is the animation's update function; call it directly to look at one frame.

        Returns
        -------
        list of Artist
            The artists changed.
        """
        frame = self.history.frame(i)
        a = self.artists
        if self.dims is None:
            changed = update_1d(a.data, frame.params, frame.resp, palette=self.palette)
        else:
            changed = update_frame(a.data, frame, dims=self.dims, n_std=self.n_std, palette=self.palette)
        # "ln p(X) so far": the curve grows up to the parameters this frame shows.
        t = frame.params_index
        update_log_likelihood(a.ll.marker, self._ll[: t + 1], t, curve=a.ll.curve)
        a.ll_title.set_text(f"ln p(X) = {frame.log_likelihood:.2f}")
        a.title.set_text(_title(frame, int(self.history.n_iter)))
        return [*changed, a.ll.curve, a.ll.marker, a.ll_title, a.title]


def animate_em(
    history: Any,
    *,
    dims: Sequence[int] | None = None,
    max_frames: int | None = None,
    interval: int = 700,
    n_std: Sequence[float] = (1, 2, 3),
    palette: Any = None,
    feature_names: Sequence[str] | None = None,
    figsize: tuple[float, float] = (10.0, 4.4),
    dpi: float = 80.0,
    repeat: bool = True,
) -> EMAnimation:
    """Animate an EM run half-step by half-step: start, E1, M1, E2, M2, ...

    Parameters
    ----------
    history : EMHistory
        From :func:`gmmviz.fit_em`; it holds the data (``history.X``).
    dims : pair of int, optional
        The two features drawn when there are more than two (default (0, 1)); ellipses show the
        marginals on them. Ignored for 1-D data, which gets the histogram view
        (:func:`gmmviz.plot.plot_1d`).
    max_frames : int, optional
        Show at most this many frames by dropping whole iterations (see :func:`select_frames`);
        None (default) shows all ``history.n_frames``.
    interval : int, default 700
        Milliseconds between frames when played; exports use it as their speed unless given one.
    n_std : sequence of float, default (1, 2, 3)
        Mahalanobis radii of the ellipses.
    palette : K colours, optional
        Default :func:`gmmviz.palette.component_colors`.
    feature_names : sequence of str, optional
        Axis labels, one per feature (default ``$x_1$``, ``$x_2$``, ...).
    figsize, dpi
        Of the animation's own figure. ``dpi`` sets the size of exported frames.
    repeat : bool, default True
        Loop when played.

    Returns
    -------
    EMAnimation
        A ``FuncAnimation`` drawn with :func:`gmmviz.plot.plot_frame`. Left panel: points
        coloured by ``soft_colors(frame.resp)`` (grey at the start), the frame's ellipses and
        numbered means; an M-frame also shows the ellipses before the M-step, dashed, and a line
        from each old mean to the new one. Right panel: ln p(X) up to the frame
        (:func:`gmmviz.plot.plot_log_likelihood`), with a ring at the frame's value. The figure
        title says which half-step, when and what changed, e.g. "E-step, iteration 3 of 11:
        γ recomputed: the colours change, the ellipses stay".

    Notes
    -----
    In a notebook show it with ``IPython.display.HTML(offline_jshtml(anim))``; save it with
    :func:`save_animation`.

    Examples
    --------
    >>> from gmmviz import fit_em
    >>> from gmmviz.datasets import load_faithful
    >>> X = load_faithful(standardize=True)
    >>> anim = animate_em(fit_em(X, 2, random_state=0, max_iter=5))
    >>> len(anim.frame_indices)
    11
    """
    return EMAnimation(
        history,
        dims=dims,
        max_frames=max_frames,
        interval=interval,
        n_std=n_std,
        palette=palette,
        feature_names=feature_names,
        figsize=figsize,
        dpi=dpi,
        repeat=repeat,
    )


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------
# Text stand-ins for the Font Awesome icons of matplotlib's player, which it loads from a CDN.
_ICON_TEXT = {
    "fa-minus": "\u2212",  # minus: slower
    "fa-fast-backward": "\u23ee",  # first frame
    "fa-step-backward": "\u25c1",  # previous frame
    "fa-play fa-flip-horizontal": "\u25c0",  # play backwards
    "fa-pause": "\u23f8",
    "fa-play": "\u25b6",
    "fa-step-forward": "\u25b7",  # next frame
    "fa-fast-forward": "\u23ed",  # last frame
    "fa-plus": "+",  # faster
}
_CDN_LINK = re.compile(r"<link[^>]*href=\"https?://[^\"]*\"[^>]*>", re.IGNORECASE)
_ICON = re.compile(r"<i class=\"fa ([^\"]+)\"></i>")


def _offline_player(html: str) -> str:
    html = _CDN_LINK.sub("", html)
    return _ICON.sub(lambda m: _ICON_TEXT.get(m.group(1), "\u2022"), html)


def offline_jshtml(anim: FuncAnimation, fps: float | None = None) -> str:
    """``anim.to_jshtml()`` with no network use: every frame embedded, no CDN stylesheet.

    Parameters
    ----------
    anim : FuncAnimation
    fps : float, optional
        Playback speed; default from the animation's ``interval``.

    Returns
    -------
    str
        An HTML fragment (player, embedded PNG frames, inline JavaScript). In a notebook:
        ``IPython.display.HTML(offline_jshtml(anim))``.

    Raises
    ------
    ValueError
        When matplotlib dropped frames to stay under ``rcParams["animation.embed_limit"]``
        (it only logs that): lower ``dpi`` or ``max_frames``.
    """
    if not isinstance(anim, FuncAnimation):
        raise TypeError(f"anim must be a matplotlib FuncAnimation, got {type(anim).__name__}.")
    html = _offline_player(anim.to_jshtml(fps=fps))
    expected = len(getattr(anim, "frame_indices", ())) or None
    found = html.count("data:image/png;base64,")
    if expected is not None and found < expected:
        raise ValueError(
            f"only {found} of {expected} frames fit under matplotlib's animation.embed_limit; "
            "lower dpi or max_frames."
        )
    return html


def _html_page(fragment: str, title: str = "EM for a Gaussian mixture") -> str:
    """Wrap an HTML fragment (e.g. :func:`offline_jshtml`) in a minimal standalone page."""
    from html import escape

    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n{fragment}\n</body>\n</html>\n"
    )


def save_animation(
    anim: FuncAnimation,
    path: str | Path,
    *,
    fps: float | None = None,
    title: str = "EM for a Gaussian mixture",
) -> Path:
    """Write the animation to ``path``; the suffix chooses the format.

    Parameters
    ----------
    anim : FuncAnimation
    path : str or Path
        ``.gif`` (matplotlib's Pillow writer, loops forever) or ``.html`` / ``.htm`` (a standalone
        page with the :func:`offline_jshtml` player; opens without a network).
    fps : float, optional
        Frames per second; default from an :class:`EMAnimation`'s ``interval`` (2 for another
        FuncAnimation).
    title : str
        The HTML page's title.

    Returns
    -------
    Path
        Where the file was written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise ValueError(f"cannot tell the format of {str(path)!r}: end the file name with .gif or .html.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"the folder {str(path.parent)!r} for {path.name!r} does not exist.")
    if fps is None:
        # An EMAnimation keeps its interval (ms per frame); another FuncAnimation gets 2 frames a second.
        fps = 1000.0 / getattr(anim, "interval", 500)
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}.")
    if suffix == ".gif":
        anim.save(path, writer=PillowWriter(fps=fps))
    else:
        path.write_text(_html_page(offline_jshtml(anim, fps=fps), title), encoding="utf-8")
    return path
