"""SingularityExplorer: a component collapsing onto one point, and what reg_covar does (notebook 07)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import to_hex

from .. import em
from .. import plot as gplot
from .._covariance import add_reg_covar
from .._validation import check_int, check_n_std, check_number
from ..em import add_component, log_likelihood
from ..palette import (
    component_colors,
)
from ..params import GMMParams, check_params
from ._blit import Blitter
from ._box import (
    READOUT_STYLE,
    FigureBox,
    as_data,
    callback,
    data_limits,
    describe,
)
from ._em_render import DOT

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _plus_reg_covar(params: GMMParams, reg_covar: float) -> GMMParams:
    """``params`` with ``reg_covar`` added to every variance, as EM's M-step adds it."""
    if reg_covar == 0:
        return params
    covs = add_reg_covar(params.covariances, params.covariance_type, reg_covar)
    return GMMParams(params.weights, params.means, covs, params.covariance_type)


class SingularityExplorer(FigureBox):
    """A component collapsing onto one data point: ln p(X) → ∞, and what ``reg_covar`` does.

    The mixture shown is ``params`` (a good fit, say) with its weights scaled by (1 − weight)
    plus one more component, the *needle*, of weight ``weight``, centred on the data point
    ``X[point_index]`` with covariance σ² I (:func:`gmmviz.em.add_component`). The log10 σ
    slider shrinks the needle. Left: the points coloured by their responsibilities, the
    ellipses (the needle's, in its own colour, shrinking onto the circled point) and the means.
    Right: ln p(X) against σ (log scale) with the current σ marked; the dashed line is ln p(X)
    without the needle. With ``reg_covar`` ticked, ``reg_covar`` is added to every variance, as
    EM's M-step does: the needle's variance is σ² + reg_covar, never below ``reg_covar``, so the
    curve levels off at a ceiling instead of rising without bound (the unregularised curve stays
    visible, faint; the dotted line is its level as σ → 0). The readout gives σ, the needle's variance, ln p(X) and the needle's
    responsibility for its point.

    Parameters
    ----------
    X : array_like, shape (n, d), d >= 2
        The data; the picture shows the features ``dims``.
    params : GMMParams
        The mixture to add the needle to ('full', 'diag' or 'spherical'; d features like X).
    point_index : int
        Which point the needle sits on, 0 <= point_index < n.
    weight : float
        The needle's mixing weight π, strictly between 0 and 1.
    log10_sigma : float
        Starting slider position.
    reg_covar : float or None
        None or 0: start with reg_covar off (the slider then starts at 1e-6); a value in
        [1e-9, 1]: start with it on.
    dims : pair of int
        Features to show for d > 2 (ellipses are the marginals on them).
    n_std : sequence of float
        Ellipse radii in standard deviations.
    figsize, dpi
        Size of the rendered figure.

    Bad input does not raise: the explorer shows what is wrong instead (``message_text``).

    Attributes
    ----------
    sigma_slider : FloatSlider
        log10 σ, from :attr:`LOG10_SIGMA_MIN` to :attr:`LOG10_SIGMA_MAX`.
    reg_toggle : Checkbox
    reg_slider : FloatLogSlider
    readout, message : HTML
    figure : matplotlib.figure.Figure
    ax_points, ax_ll : Axes
    points, ellipses, needle_ellipses, means, point_ring, headline
        Left-panel artists (``needle_ellipses`` are the needle's rings, the last of ``ellipses``).
    ll_curve, ll_curve_free, ll_marker, sigma_line, reference_line, limit_line, ll_note
        Right-panel artists: ln p(X) against σ with the current reg_covar, the same without
        reg_covar (shown faint when reg_covar is on), the current σ, ln p(X) without the needle,
        ln p(X) as σ → 0 with reg_covar (hidden when off) and the panel's title, which says
        what reg_covar does.
    """

    LOG10_SIGMA_MIN = -12.0
    LOG10_SIGMA_MAX = 0.5
    REG_MIN, REG_MAX = 1e-9, 1.0

    def __init__(
        self,
        X: Any,
        params: GMMParams,
        point_index: int = 0,
        weight: float = 0.05,
        *,
        log10_sigma: float = -1.0,
        reg_covar: float | None = None,
        dims: Sequence[int] = (0, 1),
        n_std: Sequence[float] = (1, 2, 3),
        n_curve: int = 101,
        figsize: tuple[float, float] = (8.6, 3.7),
        dpi: float = 90,
    ) -> None:
        super().__init__()
        self.add_class("gmmviz-singularity-explorer")
        self.X = None
        self.n_std = check_n_std(n_std)
        self._batch = False
        self._init_figure(figsize, dpi, "gmmviz-singularity-explorer")
        self.ax_points = self.figure.add_axes((0.07, 0.13, 0.40, 0.72))
        self.ax_ll = self.figure.add_axes((0.58, 0.13, 0.40, 0.70))
        self.headline = self.figure.text(0.012, 0.945, "", ha="left", va="center", fontsize=10, color="0.1")

        style = {"description_width": "initial"}
        self.sigma_slider = widgets.FloatSlider(
            value=-1.0,
            min=self.LOG10_SIGMA_MIN,
            max=self.LOG10_SIGMA_MAX,
            step=0.25,
            description="log10 σ",
            readout_format=".2f",
            style=style,
            tooltip="log10 σ: width of the needle component (σ² I) on the circled point",
            layout=widgets.Layout(width="360px"),
        )
        self.sigma_slider.add_class("gmmviz-sigma-slider")
        self.reg_toggle = widgets.Checkbox(
            value=False,
            description="reg_covar",
            indent=False,
            tooltip="reg_covar on/off: add it to every variance, as EM's M-step does",
            layout=widgets.Layout(width="100px"),
        )
        self.reg_toggle.add_class("gmmviz-reg-toggle")
        self.reg_slider = widgets.FloatLogSlider(
            value=1e-6,
            base=10,
            min=np.log10(self.REG_MIN),
            max=np.log10(self.REG_MAX),
            step=0.5,
            description="value",
            readout_format=".0e",
            disabled=True,
            style=style,
            tooltip="reg_covar value: the amount added to every variance",
            layout=widgets.Layout(width="260px"),
        )
        self.reg_slider.add_class("gmmviz-reg-covar")
        self.readout = widgets.HTML(value="")
        self.readout.add_class("gmmviz-readout")
        self.children = [
            widgets.HBox([self.sigma_slider, self.reg_toggle, self.reg_slider]),
            self.image,
            self.readout,
            self.message,
            self.keyboard_scope,
        ]

        try:
            x, self.dims = as_data(X, dims)
            self._setup(x, params, point_index, weight, log10_sigma, reg_covar, int(n_curve))
        except (TypeError, ValueError) as exc:
            self.X = None
            self._disable(describe(exc))
            return
        for w in (self.sigma_slider, self.reg_toggle, self.reg_slider):
            w.observe(self._on_change, names="value")
        self._install_reg()

    # --- public API ---------------------------------------------------------------------------
    @property
    def log10_sigma(self) -> float:
        """log10 of the needle's σ (the slider's value)."""
        return float(self.sigma_slider.value)

    @property
    def sigma(self) -> float:
        """The needle's σ: its covariance is σ² I (plus reg_covar · I when that is on)."""
        return 10.0**self.log10_sigma

    @property
    def reg_covar(self) -> float:
        """The reg_covar in use: the slider's value when ticked, else 0."""
        return float(self.reg_slider.value) if self.reg_toggle.value else 0.0

    def params_at(self, sigma: float, reg_covar: float | None = None) -> GMMParams:
        """The mixture with the needle of width ``sigma`` (reg_covar: the current one if None)."""
        if self.X is None:
            raise ValueError("Nothing to show; fix the problem shown in the widget first.")
        r = self.reg_covar if reg_covar is None else float(reg_covar)
        base = _plus_reg_covar(self.base, r)
        return add_component(base, self.point, float(sigma) ** 2 + r, self.weight)

    @property
    def params(self) -> GMMParams:
        """The mixture shown (K + 1 components, the needle last)."""
        return self.params_at(self.sigma)

    @property
    def log_likelihood(self) -> float:
        """ln p(X) of the mixture shown."""
        return self._ll

    def set_log10_sigma(self, value: float) -> None:
        """Move the σ slider to log10 σ = ``value`` (and so the picture).

        Raises
        ------
        TypeError
            Not a number (also shown in the widget).
        ValueError
            Outside the slider's range (also shown in the widget).
        """
        lo, hi = self.sigma_slider.min, self.sigma_slider.max
        hint = f" (σ from {10.0**lo:.0e} to {10.0**hi:.1f})"
        value = self._shown(check_number, value, "log10 σ", minimum=lo, maximum=hi, hint=hint)
        if self.sigma_slider.value != value:
            self.sigma_slider.value = float(value)  # the observer draws
        elif self.X is not None:
            self._redraw()

    def set_sigma(self, sigma: float) -> None:
        """Show the needle with width ``sigma`` > 0 (moves the log10 σ slider).

        Raises
        ------
        TypeError
            Not a number (also shown in the widget).
        ValueError
            Not positive (also shown in the widget).
        """
        sigma = self._shown(check_number, sigma, "σ", minimum=0.0, strict=True)
        self.set_log10_sigma(float(np.log10(sigma)))

    def set_reg_covar(self, value: float | None) -> None:
        """Turn reg_covar off (None or 0) or on with ``value`` in [1e-9, 1].

        Raises
        ------
        TypeError
            Not a number nor None (also shown in the widget).
        ValueError
            For other values (also shown in the widget).
        """
        on, value = self._shown(self._check_reg, value)
        self._batch = True  # one redraw for both controls
        try:
            if on:
                self.reg_slider.value = value
            self.reg_toggle.value = on
        finally:
            self._batch = False
        if self.X is not None:
            self._install_reg()

    def __repr__(self) -> str:
        # nbval compares this text: only stable, input-determined facts, no floats.
        if self.X is None:
            return "SingularityExplorer(invalid input)"
        return (
            f"SingularityExplorer(n_points={self.X.shape[0]}, K={self.base.n_components + 1}, "
            f"point_index={self.point_index})"
        )

    # --- set-up -------------------------------------------------------------------------------
    def _check_reg(self, value: Any) -> tuple[bool, float]:
        if value is None:
            return False, 0.0
        value = check_number(value, "reg_covar", hint=": pass None or 0 (off), or a number like 1e-6")
        if value == 0:
            return False, 0.0
        if not self.REG_MIN <= value <= self.REG_MAX:
            raise ValueError(
                f"reg_covar must be None or 0 (off), or a number from {self.REG_MIN:g} "
                f"to {self.REG_MAX:g}, got {value!r}."
            )
        return True, float(value)

    def _setup(
        self,
        x: np.ndarray,
        params: Any,
        point_index: Any,
        weight: Any,
        log10_sigma: Any,
        reg_covar: Any,
        n_curve: int,
    ) -> None:
        n, d = x.shape
        check_params(params, d)
        point_index = check_int(
            point_index, "point_index", minimum=0, maximum=n - 1, hint=f": X has {n} points"
        )
        # The needle's own checks (weight in (0, 1), no 'tied' mixture) are add_component's:
        # calling it once here reports them before anything is drawn.
        add_component(params, x[int(point_index)], 1.0, weight)
        on, reg = self._check_reg(reg_covar)
        self.X, self.base, self.point_index, self.weight = x, params, int(point_index), float(weight)
        self.point = x[self.point_index]
        lo, hi = self.LOG10_SIGMA_MIN, self.LOG10_SIGMA_MAX
        log10_sigma = check_number(log10_sigma, "log10_sigma", minimum=lo, maximum=hi)
        self.sigma_slider.value = float(log10_sigma)  # no observer yet: nothing is drawn
        if on:
            self.reg_slider.value = reg
        self.reg_toggle.value = on
        self.reg_slider.disabled = not on
        self._log10_grid = np.linspace(self.LOG10_SIGMA_MIN, self.LOG10_SIGMA_MAX, max(n_curve, 2))
        self._ll_free = self._curve(0.0)

        # Left: points, ellipses (the needle's last, in its own colour), means, the circled point.
        k = params.n_components + 1
        self.palette = component_colors(k)
        needle = to_hex(self.palette[-1])  # the needle's colour, also for its σ on the right
        ax = self.ax_points
        first = self.params_at(self.sigma)
        self.points = gplot.plot_points(
            ax, x, em.e_step(x, first)[0], dims=self.dims, palette=self.palette, size=9, marker=DOT
        )
        self.ellipses = gplot.plot_ellipses(ax, first, dims=self.dims, n_std=self.n_std, palette=self.palette)
        self.needle_ellipses = self.ellipses[-len(self.n_std) :]
        self.means = gplot.plot_means(ax, first, dims=self.dims, palette=self.palette)
        px, py = self.point[self.dims[0]], self.point[self.dims[1]]
        (self.point_ring,) = ax.plot(
            [px],
            [py],
            "o",
            markersize=13,
            markerfacecolor="none",
            markeredgecolor="k",
            markeredgewidth=1.4,
            zorder=6,
        )
        label = f"x{str(self.point_index).translate(_SUBSCRIPTS)}"
        self.point_label = ax.annotate(
            label,
            (px, py),
            # below and to the left: the component's number is written above and to the right of its mean
            xytext=(-9, -7),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=11,
            fontweight="bold",
            zorder=6,
        )
        xlim, ylim = data_limits(x[:, self.dims])
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal", adjustable="box")
        ax.set_autoscale_on(False)  # (plot_points labelled the axes $x_i$, 1-based, as every picture)

        # Right: ln p(X) against σ.
        ax = self.ax_ll
        sig = 10.0**self._log10_grid
        (self.ll_curve_free,) = ax.plot(
            sig, self._ll_free, "-", color="0.72", linewidth=1.3, label="reg_covar = 0"
        )
        (self.ll_curve,) = ax.plot(sig, self._ll_free, "-", color="0.15", linewidth=1.8, label="ln p(X)")
        self.reference_line = ax.axhline(
            0.0, color="0.45", linestyle="--", linewidth=1, label=f"without the needle (K={k - 1})"
        )
        self.limit_line = ax.axhline(
            0.0, color=needle, linestyle=":", linewidth=1.3, label="its limit as σ → 0"
        )
        self.sigma_line = ax.axvline(self.sigma, color=needle, linewidth=0.9, alpha=0.6)
        (self.ll_marker,) = ax.plot(
            [], [], "o", color=needle, markersize=8, markerfacecolor="none", markeredgewidth=2, zorder=5
        )
        # What reg_covar does to the curve, as the panel's title (static: changes with reg_covar).
        self.ll_note = ax.set_title("", fontsize=8.5)
        ax.set_xscale("log")
        ax.set_xlim(sig[0], sig[-1])
        ax.set_xlabel("σ of the needle (log scale)")
        ax.set_ylabel("ln p(X)")
        Blitter.track(
            self.points,
            *self.ellipses,
            self.means.markers,
            *self.means.numbers,
            self.point_ring,
            self.point_label,
            self.headline,
            self.ll_marker,
            self.sigma_line,
        )

    def _curve(self, reg_covar: float) -> np.ndarray:
        return np.array(
            [log_likelihood(self.X, self.params_at(10.0**v, reg_covar)) for v in self._log10_grid]
        )

    def _disable(self, text: str) -> None:
        for w in (self.sigma_slider, self.reg_toggle, self.reg_slider):
            w.disabled = True
        self.ax_points.text(
            0.5,
            0.5,
            "nothing to show",
            ha="center",
            va="center",
            transform=self.ax_points.transAxes,
            color="0.5",
        )
        self.ax_ll.set_axis_off()
        self._blitter.draw_background()
        self._publish()
        self.show_message(text)

    # --- callbacks and drawing ----------------------------------------------------------------
    @callback
    def _on_change(self, change: dict) -> None:
        if self._batch:
            return
        if change["owner"] is self.sigma_slider:
            self._redraw()
        else:
            self._install_reg()

    def _install_reg(self) -> None:
        """reg_covar changed: new curve, ceiling and note (static parts), then the frame."""
        r = self.reg_covar
        self.reg_slider.disabled = not self.reg_toggle.value
        ll = self._ll_free if r == 0 else self._curve(r)
        self.ll_curve.set_ydata(ll)
        self.ll_curve_free.set_visible(r > 0)
        self._reference = log_likelihood(self.X, _plus_reg_covar(self.base, r))
        self.reference_line.set_ydata([self._reference] * 2)
        if r > 0:
            # σ = 0: the needle's variance is reg_covar alone; the curve levels off there.
            ceiling = log_likelihood(
                self.X, add_component(_plus_reg_covar(self.base, r), self.point, r, self.weight)
            )
            self.limit_line.set_ydata([ceiling] * 2)
            self.ll_note.set_text(
                f"reg_covar = {r:.0e}: the needle's variance ≥ {r:.0e},\n"
                f"so ln p(X) levels off at {ceiling:.1f}"
            )
        else:
            ceiling = None
            self.ll_note.set_text("reg_covar off: no ceiling,\nln p(X) → ∞ as σ → 0")
        self.limit_line.set_visible(ceiling is not None)
        self.ll_curve.set_label("ln p(X)" if r == 0 else f"ln p(X), reg_covar = {r:.0e}")
        values = np.concatenate([self._ll_free, ll, [self._reference]])
        lo, hi = float(values.min()), float(values.max())
        pad = 0.06 * max(hi - lo, 1.0)
        self.ax_ll.set_ylim(lo - pad, hi + pad)
        handles = [
            self.ll_curve,
            *([self.ll_curve_free, self.limit_line] if r > 0 else []),
            self.reference_line,
        ]
        self.ax_ll.legend(handles=handles, loc="upper right", fontsize="small", framealpha=0.9)
        self._blitter.draw_background()
        self._redraw()

    def _redraw(self) -> None:
        sigma, r = self.sigma, self.reg_covar
        params = self.params_at(sigma, r)
        resp, ll = em.e_step(self.X, params)  # (looked up on em: tests replace it)
        self._ll = ll
        gplot.update_points(self.points, resp, palette=self.palette)
        gplot.update_ellipses(self.ellipses, params, dims=self.dims, n_std=self.n_std)
        self.ll_marker.set_data([sigma], [ll])
        self.sigma_line.set_xdata([sigma, sigma])
        self.headline.set_text(
            f"needle on point {self.point_index}, σ = {sigma:.1e}"
            + (f", reg_covar = {r:.0e}" if r > 0 else "")
            + f":  ln p(X) = {ll:.2f}"
        )
        self._blitter.draw(
            None,
            [],
            [
                self.points,
                *self.ellipses,
                self.means.markers,
                *self.means.numbers,
                self.point_ring,
                self.point_label,
                self.headline,
                self.sigma_line,
                self.ll_marker,
            ],
        )
        self._publish()
        self.readout.value = self._readout_html(sigma, r, ll, float(resp[self.point_index, -1]))
        self.show_message("")

    def _readout_html(self, sigma: float, r: float, ll: float, gamma: float) -> str:
        ref = self._reference
        verdict = "<b>higher</b> than" if ll > ref else "lower than"
        return (
            f'<div style="{READOUT_STYLE}">σ = {sigma:.2e} · variance of the needle σ² + reg_covar = '
            f"{sigma**2 + r:.2e} · <b>ln p(X) = {ll:.2f}</b>, {verdict} without the needle "
            f"({ref:.2f}) · the needle's responsibility for point {self.point_index}: "
            f"γ = {gamma:.3f}</div>"
        )
