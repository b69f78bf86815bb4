"""BellCurveExplorer: the 1-D normal density and its σ slider (notebook 00)."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Polygon

from .. import plot as gplot
from .._validation import check_number
from ..palette import (
    component_colors,
)
from ..params import GMMParams
from ._blit import Blitter
from ._box import (
    READOUT_STYLE,
    FigureBox,
    callback,
)


class BellCurveExplorer(FigureBox):
    """The 1-D normal density 𝒩(x | 0, σ²) with a σ slider: a narrower bell is a taller bell.

    The picture shows the bell on fixed axes (so its changes are seen, not rescaled away), the
    area under it shaded (always 1), its peak marked and labelled with its height
    1/√(2πσ²), and a dashed line at density 1: for σ < 1/√(2π) ≈ 0.4 the peak rises above it,
    because a density is not a probability. The readout repeats σ and the peak height.

    Parameters
    ----------
    sigma : float
        Starting standard deviation, from :attr:`SIGMA_MIN` to :attr:`SIGMA_MAX`.
    figsize, dpi
        Size of the rendered figure.

    Raises
    ------
    TypeError
        ``sigma`` is not a number.
    ValueError
        ``sigma`` is not positive, not finite or outside the slider's range.

    Attributes
    ----------
    sigma_slider : FloatSlider
        σ, from :attr:`SIGMA_MIN` to :attr:`SIGMA_MAX` in steps of 0.1.
    readout, message : HTML
    figure : matplotlib.figure.Figure
    ax : Axes
    grid : ndarray, shape (801,)
        The x values of the curve, from -:attr:`X_LIMIT` to :attr:`X_LIMIT` (0, the peak, among them).
    curve : Line2D
        The density on :attr:`grid`.
    area : Polygon
        The shaded area under the curve.
    peak_marker : Line2D
        The point (0, peak height).
    peak_label : Annotation
        "peak 0.399" beside the peak.
    one_line : Line2D
        The dashed line at density 1 (static).
    headline : Text
        The figure's title: σ and the peak height.
    """

    SIGMA_MIN, SIGMA_MAX, SIGMA_STEP = 0.2, 3.0, 0.1
    X_LIMIT = 4.0
    # σ = 0.2 peaks at 1.995: room above it for its label.
    Y_MAX = 2.2

    def __init__(
        self,
        sigma: float = 1.0,
        *,
        figsize: tuple[float, float] = (7.0, 3.3),
        dpi: float = 90,
    ) -> None:
        super().__init__()
        sigma = self._check_sigma(sigma)
        self.add_class("gmmviz-bell-explorer")
        self.grid = np.linspace(-self.X_LIMIT, self.X_LIMIT, 801)  # holds x = 0, the peak
        self._init_figure(figsize, dpi, "gmmviz-bell-explorer")
        color = component_colors(1)[0]
        ax = self.ax = self.figure.add_axes((0.09, 0.15, 0.56, 0.72))
        ax.set_xlim(-self.X_LIMIT, self.X_LIMIT)
        ax.set_ylim(0.0, self.Y_MAX)
        ax.set_autoscale_on(False)
        ax.set_xlabel("x")
        ax.set_ylabel("density p(x)")
        ax.grid(True, color="0.92")
        self.one_line = ax.axhline(
            1.0, color="0.35", linestyle="--", linewidth=1.1, label="density 1 (a peak can\ngo above it)"
        )
        self.area = Polygon(
            np.zeros((3, 2)),
            closed=True,
            facecolor=color,
            alpha=0.22,
            edgecolor="none",
            label="area under it: 1 (wide\nbells run past the edges)",
        )
        ax.add_patch(self.area)
        (self.curve,) = ax.plot(
            [], [], "-", color=color, linewidth=2.2, label=r"the bell $\mathcal{N}(x \mid 0, \sigma^2)$"
        )
        (self.peak_marker,) = ax.plot(
            [],
            [],
            "o",
            color=color,
            markersize=7,
            markeredgecolor="white",
            zorder=5,
            label=r"its peak, $1/\sqrt{2\pi\sigma^2}$",
        )
        self.peak_label = ax.annotate(
            "",
            (0.0, 0.0),
            xytext=(0, 9),
            textcoords="offset points",
            fontsize=10,
            fontweight="bold",
            color="0.1",
            zorder=6,
        )
        # Outside the axes: the bell, wide or narrow, never runs under it.
        ax.legend(
            handles=[self.curve, self.area, self.peak_marker, self.one_line],
            loc="upper left",
            bbox_to_anchor=(1.03, 1.0),
            fontsize=9,
            frameon=False,
            labelspacing=0.9,
        )
        self.headline = self.figure.text(0.09, 0.94, "", ha="left", va="center", fontsize=11, color="0.1")
        Blitter.track(self.area, self.curve, self.peak_marker, self.peak_label, self.headline)

        self.sigma_slider = widgets.FloatSlider(
            value=sigma,
            min=self.SIGMA_MIN,
            max=self.SIGMA_MAX,
            step=self.SIGMA_STEP,
            description="σ",
            readout_format=".2f",
            style={"description_width": "initial"},
            tooltip="σ: the standard deviation of the bell (its width)",
            layout=widgets.Layout(width="360px"),
        )
        self.sigma_slider.add_class("gmmviz-bell-sigma")
        self.readout = widgets.HTML(value="")
        self.readout.add_class("gmmviz-readout")
        self.children = [self.sigma_slider, self.image, self.readout, self.message, self.keyboard_scope]
        self._blitter.draw_background()
        self._redraw()
        self.sigma_slider.observe(self._on_change, names="value")

    # --- public API ---------------------------------------------------------------------------
    @property
    def sigma(self) -> float:
        """The standard deviation σ shown (the slider's value)."""
        return float(self.sigma_slider.value)

    @property
    def params(self) -> GMMParams:
        """The bell as a one-component, one-feature GMMParams: μ = 0, Σ = σ²."""
        return GMMParams(np.ones(1), np.zeros((1, 1)), np.full((1, 1, 1), self.sigma**2))

    @property
    def density(self) -> np.ndarray:
        """𝒩(x | 0, σ²) on :attr:`grid`, the curve drawn."""
        return gplot.weighted_component_pdfs(self.grid, self.params)[0]

    @property
    def peak_height(self) -> float:
        """The density at its peak x = 0: 1/√(2πσ²)."""
        return float(gplot.weighted_component_pdfs([0.0], self.params)[0, 0])

    def set_sigma(self, sigma: float) -> None:
        """Move the σ slider (and so the picture) to ``sigma``.

        Raises
        ------
        TypeError
            Not a number (also shown in the widget).
        ValueError
            Not positive, not finite or outside the slider's range (also shown in the widget).
        """
        sigma = self._shown(self._check_sigma, sigma)
        if self.sigma_slider.value != sigma:
            self.sigma_slider.value = sigma  # the observer draws
        else:
            self._redraw()

    def __repr__(self) -> str:
        # nbval compares this text: σ is set by the notebook's code (no other float).
        return f"BellCurveExplorer(sigma={self.sigma:g})"

    # --- internals ----------------------------------------------------------------------------
    @classmethod
    def _check_sigma(cls, sigma: Any) -> float:
        sigma = check_number(sigma, "σ", minimum=0.0, strict=True, hint=": a standard deviation is a width")
        return check_number(
            sigma,
            "σ",
            minimum=cls.SIGMA_MIN,
            maximum=cls.SIGMA_MAX,
            hint=f" (the slider goes from {cls.SIGMA_MIN:g} to {cls.SIGMA_MAX:g})",
        )

    @callback
    def _on_change(self, change: dict) -> None:
        self._redraw()

    def _redraw(self) -> None:
        sigma, y, peak = self.sigma, self.density, self.peak_height
        self.curve.set_data(self.grid, y)
        self.area.set_xy(
            np.concatenate([[[self.grid[0], 0.0]], np.column_stack([self.grid, y]), [[self.grid[-1], 0.0]]])
        )
        self.peak_marker.set_data([0.0], [peak])
        self.peak_label.xy = (0.0, peak)
        self.peak_label.set_text(f"peak {peak:.3f}")
        # Above the peak while there is room; near the top, beside it (the bell is narrow there).
        if peak < 0.85 * self.Y_MAX:
            self.peak_label.set_position((0, 9))
            self.peak_label.set_horizontalalignment("center")
            self.peak_label.set_verticalalignment("bottom")
        else:
            self.peak_label.set_position((9, 0))
            self.peak_label.set_horizontalalignment("left")
            self.peak_label.set_verticalalignment("center")
        self.headline.set_text(
            f"σ = {sigma:.2f}: peak height 1/√(2πσ²) = {peak:.3f}" + (", above 1" if peak > 1 else "")
        )
        self._blitter.draw(
            None, [], [self.area, self.curve, self.peak_marker, self.peak_label, self.headline]
        )
        self._publish()
        self.readout.value = self._readout_html(sigma, peak)
        self.show_message("")

    @staticmethod
    def _readout_html(sigma: float, peak: float) -> str:
        above = " · <b>above 1</b>: a density, not a probability" if peak > 1 else ""
        return (
            f'<div style="{READOUT_STYLE}">σ = {sigma:.2f} · peak height = 1/√(2πσ²) = '
            f"<b>{peak:.3f}</b>{above} · area under the whole curve = 1</div>"
        )
