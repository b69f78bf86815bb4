"""gmmviz: the maths and the pictures of the gmm-course on Gaussian mixtures and EM.

The EM engine lives in :mod:`gmmviz.em` and its public names are re-exported here; pictures are in
:mod:`gmmviz.plot` and :mod:`gmmviz.animate`, interactive explorers in :mod:`gmmviz.widgets`, drawing
your own data in :mod:`gmmviz.sketch` (the conversion) and :mod:`gmmviz.pads` (the drawing pads), and
the course's data sets in :mod:`gmmviz.datasets`.

Where things are:

- the parameters θ = (π, μ, Σ): :class:`gmmviz.params.GMMParams`.
- the E-step (γ_nk by log-sum-exp, ln p(X)): :func:`gmmviz.em.e_step`, on
  :func:`gmmviz.em.weighted_log_prob`; the M-step (N_k, π_k, μ_k, Σ_k): :func:`gmmviz.em.m_step`;
  BIC and AIC: :func:`gmmviz.em.bic`, :func:`gmmviz.em.aic`.
- the loop that keeps every half-step, for arrays in memory and Dask arrays alike:
  :func:`gmmviz.fit.fit_em` (the chunked engine: :mod:`gmmviz.chunked`).
- what depends on the covariance type ('full', 'tied', 'diag', 'spherical'): ``gmmviz._covariance``;
  the input checks: ``gmmviz._validation``; the speed (blocked, single-thread BLAS loops):
  ``gmmviz._fast``; what a frame shows and says (:class:`Frame`, :class:`EMHistory`,
  :func:`frame_text`): ``gmmviz._history``.
- where ellipses are drawn: :func:`gmmviz.plot.plot_ellipses` (their axes and angle from Σ_k:
  :func:`gmmviz.plot.ellipse_geometry`); a whole half-step: :func:`gmmviz.plot.plot_frame`.
- where a sketch becomes points: :func:`gmmviz.sketch.points_from_image` (a picture) and
  :func:`gmmviz.sketch.points_from_strokes` (pen strokes).
- the colours of components: :mod:`gmmviz.palette`.
"""

from ._history import EMHistory, Frame, FrameText, frame_text
from .em import (
    COVARIANCE_TYPES,
    INIT_METHODS,
    EmptyComponentWarning,
    add_component,
    aic,
    bic,
    e_step,
    init_params,
    log_density,
    log_likelihood,
    m_step,
    n_parameters,
    weighted_log_prob,
)
from .fit import fit_best, fit_em
from .params import GMMParams

__version__ = "0.1.0"  # the only place the version is written: pyproject.toml reads it from here

__all__ = [
    "COVARIANCE_TYPES",
    "INIT_METHODS",
    "EMHistory",
    "EmptyComponentWarning",
    "Frame",
    "FrameText",
    "GMMParams",
    "add_component",
    "aic",
    "bic",
    "e_step",
    "fit_best",
    "fit_em",
    "frame_text",
    "init_params",
    "log_density",
    "log_likelihood",
    "m_step",
    "n_parameters",
    "weighted_log_prob",
]
