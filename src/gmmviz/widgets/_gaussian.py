"""GaussianExplorer: one 2-D Gaussian and its sliders (notebook 01)."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from .. import plot as gplot
from .._validation import check_int, check_n_std, check_random_state
from ..palette import (
    RULE,
)
from ..params import GMMParams
from ._blit import Blitter
from ._box import (
    PAPER,
    TEXT,
    FigureBox,
    callback,
)


class GaussianExplorer(FigureBox):
    """One 2-D Gaussian: sliders for μ = (μ₁, μ₂), σ₁, σ₂ and ρ; samples, ellipses and Σ.

    The sliders are named as the course names the coordinates, x₁ and x₂ (the axes of the picture):
    μ₁, μ₂ the mean, σ₁, σ₂ the standard deviations along x₁ and x₂, ρ their correlation, so that
    Σ = [[σ₁², ρσ₁σ₂], [ρσ₁σ₂, σ₂²]]. The keywords ``sigma_x`` and ``sigma_y`` set σ₁ and σ₂.

    The samples are ``μ + L z`` for fixed standard-normal draws ``z`` (``L`` the Cholesky factor
    of Σ), so moving a slider stretches the same cloud instead of drawing a new one.

    Parameters
    ----------
    mean : pair of float
        Starting μ.
    sigma_x, sigma_y : float
        Starting standard deviations σ₁, σ₂ along x₁ and x₂ (> 0).
    rho : float
        Starting correlation, strictly between -1 and 1.
    n_samples : int
        Number of sample points.
    n_std : sequence of float
        Ellipse radii in standard deviations.
    random_state : int
        Seed of the fixed draws.
    figsize, dpi
        Size of the rendered figure.

    Attributes
    ----------
    mu_x_slider, mu_y_slider, sigma_x_slider, sigma_y_slider, rho_slider : FloatSlider
    matrix : HTML
        The covariance matrix Σ.
    points : PathCollection
    ellipses : list of Ellipse
    """

    LIMIT = 6.0

    def __init__(
        self,
        mean: Sequence[float] = (0.0, 0.0),
        sigma_x: float = 1.0,
        sigma_y: float = 1.0,
        rho: float = 0.0,
        *,
        n_samples: int = 500,
        n_std: Sequence[float] = (1, 2, 3),
        random_state: int = 0,
        figsize: tuple[float, float] = (4.2, 4.2),
        dpi: float = 90,
    ) -> None:
        super().__init__()
        mean = np.asarray(mean, dtype=float).ravel()
        self._check(mean, sigma_x, sigma_y, rho)
        n_samples = check_int(n_samples, "n_samples", minimum=1)
        rng = check_random_state(random_state)
        self.add_class("gmmviz-gaussian-explorer")
        self.n_std = check_n_std(n_std)
        self._batch = False
        self._z = rng.standard_normal((n_samples, 2))
        self._init_figure(figsize, dpi, "gmmviz-gaussian-explorer")
        ax = self.ax = self.figure.add_axes((0.14, 0.11, 0.82, 0.85))
        ax.set_xlim(-self.LIMIT, self.LIMIT)
        ax.set_ylim(-self.LIMIT, self.LIMIT)
        ax.set_aspect("equal")
        ax.set_autoscale_on(False)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.grid(True, color="0.92")
        params = self.params_for(mean, sigma_x, sigma_y, rho)
        # One component owning every point: the soft colour is simply its colour.
        self.points = gplot.plot_points(ax, self._samples(params), np.ones((n_samples, 1)), size=8, alpha=0.6)
        self.ellipses = gplot.plot_ellipses(ax, params, n_std=self.n_std)
        (self.center,) = ax.plot([mean[0]], [mean[1]], "+", color="k", markersize=10)
        # "1σ", "2σ", ... where each ring crosses its major axis: the rings are Mahalanobis
        # distances, which the notebook's text talks about.
        ring_color = self.ellipses[0].get_edgecolor()
        self.ring_labels = [
            ax.text(
                0,
                0,
                f"{s:g}σ",
                fontsize=9,
                color=ring_color[:3],
                ha="center",
                va="center",
                zorder=6,
                bbox={"fc": "white", "ec": "none", "alpha": 0.7, "pad": 0.5},
            )
            for s in self.n_std
        ]
        Blitter.track(self.points, *self.ellipses, self.center, *self.ring_labels)

        def slider(
            value: float, lo: float, hi: float, label: str, css: str, what: str
        ) -> widgets.FloatSlider:
            s = widgets.FloatSlider(
                value=value,
                min=lo,
                max=hi,
                step=0.05,
                description=label,
                readout_format=".2f",
                style={"description_width": "initial"},
                tooltip=f"{label}: {what}",
            )
            s.add_class(css)
            s.observe(self._on_change, names="value")
            return s

        self.mu_x_slider = slider(mean[0], -3, 3, "μ₁", "gmmviz-mu-x", "x₁ of the mean μ")
        self.mu_y_slider = slider(mean[1], -3, 3, "μ₂", "gmmviz-mu-y", "x₂ of the mean μ")
        self.sigma_x_slider = slider(sigma_x, 0.1, 3, "σ₁", "gmmviz-sigma-x", "standard deviation along x₁")
        self.sigma_y_slider = slider(sigma_y, 0.1, 3, "σ₂", "gmmviz-sigma-y", "standard deviation along x₂")
        self.rho_slider = slider(rho, -0.95, 0.95, "ρ", "gmmviz-rho", "correlation of x₁ and x₂")
        self.matrix = widgets.HTML()
        self.matrix.add_class("gmmviz-covariance-matrix")
        self.children = [
            widgets.HBox(
                [
                    widgets.VBox(
                        [
                            self.mu_x_slider,
                            self.mu_y_slider,
                            self.sigma_x_slider,
                            self.sigma_y_slider,
                            self.rho_slider,
                            self.matrix,
                        ]
                    ),
                    self.image,
                ]
            ),
            self.message,
            self.keyboard_scope,
        ]
        self._blitter.draw_background()
        self._redraw()

    # --- public API ---------------------------------------------------------------------------
    @staticmethod
    def params_for(mean: Sequence[float], sigma_x: float, sigma_y: float, rho: float) -> GMMParams:
        """The one-component GMMParams with μ = mean and Σ from σ₁ = sigma_x, σ₂ = sigma_y and ρ."""
        cov = np.array([[sigma_x**2, rho * sigma_x * sigma_y], [rho * sigma_x * sigma_y, sigma_y**2]])
        return GMMParams(np.ones(1), np.asarray(mean, dtype=float).reshape(1, 2), cov[None])

    @property
    def covariance(self) -> np.ndarray:
        """Σ currently shown, shape (2, 2)."""
        return self._params().covariances[0]

    def set_params(
        self,
        *,
        mean: Sequence[float] | None = None,
        sigma_x: float | None = None,
        sigma_y: float | None = None,
        rho: float | None = None,
    ) -> None:
        """Move the sliders (and so the picture) to these values; omitted ones stay.

        Raises
        ------
        ValueError
            For σ ≤ 0, |ρ| ≥ 1 or values outside the sliders' ranges (also shown in the widget).
        """
        new = {
            self.mu_x_slider: None if mean is None else float(np.ravel(mean)[0]),
            self.mu_y_slider: None if mean is None else float(np.ravel(mean)[1]),
            self.sigma_x_slider: sigma_x,
            self.sigma_y_slider: sigma_y,
            self.rho_slider: rho,
        }
        try:
            self._check(
                np.array(
                    [s.value if new[s] is None else new[s] for s in (self.mu_x_slider, self.mu_y_slider)]
                ),
                *(
                    s.value if new[s] is None else new[s]
                    for s in (self.sigma_x_slider, self.sigma_y_slider, self.rho_slider)
                ),
            )
            for s, v in new.items():
                if v is not None and not s.min <= v <= s.max:
                    raise ValueError(
                        f"{s.description}={v} is outside the slider's range "
                        f"[{s.min}, {s.max}]; choose a value inside it."
                    )
        except ValueError as exc:
            self.show_message(str(exc))
            raise
        self._batch = True  # one redraw for the whole change, not one per slider
        try:
            for s, v in new.items():
                if v is not None:
                    s.value = float(v)
        finally:
            self._batch = False
        self._redraw()

    def __repr__(self) -> str:
        return "GaussianExplorer()"

    # --- internals ----------------------------------------------------------------------------
    @staticmethod
    def _check(mean: np.ndarray, sigma_x: float, sigma_y: float, rho: float) -> None:
        if mean.shape != (2,):
            raise ValueError(f"mean must be two numbers (μ₁, μ₂), got shape {mean.shape}.")
        if not (sigma_x > 0 and sigma_y > 0):
            raise ValueError(f"σ₁ and σ₂ (sigma_x, sigma_y) must be positive, got {sigma_x} and {sigma_y}.")
        if not -1 < rho < 1:
            raise ValueError(
                f"ρ must be strictly between -1 and 1 (|ρ| = 1 is a degenerate, flat Gaussian), got {rho}."
            )

    def _params(self) -> GMMParams:
        return self.params_for(
            (self.mu_x_slider.value, self.mu_y_slider.value),
            self.sigma_x_slider.value,
            self.sigma_y_slider.value,
            self.rho_slider.value,
        )

    def _samples(self, params: GMMParams) -> np.ndarray:
        return params.means[0] + self._z @ np.linalg.cholesky(params.covariances[0]).T

    @callback
    def _on_change(self, change: dict) -> None:
        if not self._batch:
            self._redraw()

    def _redraw(self) -> None:
        params = self._params()
        self.points.set_offsets(self._samples(params))
        gplot.update_ellipses(self.ellipses, params, n_std=self.n_std)
        self.center.set_data([params.means[0, 0]], [params.means[0, 1]])
        self._place_ring_labels(params)
        self._blitter.draw(None, [], [self.points, *self.ellipses, self.center, *self.ring_labels])
        self._publish()
        self.matrix.value = self._matrix_html(params.covariances[0])
        self.show_message("")

    def _place_ring_labels(self, params: GMMParams) -> None:
        cov = params.covariances[0]
        _, _, angle = gplot.ellipse_geometry(cov, 1.0)
        vals = np.linalg.eigvalsh(cov)
        major = float(np.sqrt(max(vals[-1], 0.0)))
        a = np.radians(angle)
        direction = np.array([np.cos(a), np.sin(a)])
        if direction[1] < 0 or (direction[1] == 0 and direction[0] < 0):
            direction = -direction  # label the upper end of the major axis
        center = params.means[0]
        # Rings closer than ~0.6 (data units) apart would print their labels on top of each
        # other: then only the outermost ring is labelled.
        crowded = major * np.min(np.diff((0.0, *self.n_std))) < 0.6
        for k, (label, s) in enumerate(zip(self.ring_labels, self.n_std)):
            x, y = center + s * major * direction
            inside = -self.LIMIT < x < self.LIMIT and -self.LIMIT < y < self.LIMIT
            label.set_position((x, y))
            label.set_visible(bool(inside and (not crowded or k == len(self.n_std) - 1)))

    @staticmethod
    def _matrix_html(cov: np.ndarray) -> str:
        cells = "".join(
            "<tr>"
            + "".join(f'<td style="padding:2px 8px;text-align:right">{v:.2f}</td>' for v in row)
            + "</tr>"
            for row in cov
        )
        return (
            '<div style="display:flex;align-items:center;gap:6px;font-family:monospace;'
            f'color:{TEXT};background:{PAPER}">'
            f'<span>Σ =</span><table style="border-left:2px solid {RULE};border-right:2px solid {RULE}">'
            f"{cells}</table></div>"
        )
