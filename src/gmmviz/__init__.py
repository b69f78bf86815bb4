"""gmmviz: the maths and the pictures of the gmm-course on Gaussian mixtures and EM.

The EM engine lives in :mod:`gmmviz.em` and its public names are re-exported here; pictures are in
:mod:`gmmviz.plot` and :mod:`gmmviz.animate`, interactive explorers in :mod:`gmmviz.widgets`, drawing
your own data in :mod:`gmmviz.sketch` and the course's data sets in :mod:`gmmviz.datasets`.
"""

from .em import (
    COVARIANCE_TYPES,
    INIT_METHODS,
    EMHistory,
    EmptyComponentWarning,
    Frame,
    GMMParams,
    add_component,
    e_step,
    fit_em,
    init_params,
    log_density,
    log_likelihood,
    m_step,
    weighted_log_prob,
)

__version__ = "0.1.0"

__all__ = [
    "COVARIANCE_TYPES",
    "INIT_METHODS",
    "EMHistory",
    "EmptyComponentWarning",
    "Frame",
    "GMMParams",
    "add_component",
    "e_step",
    "fit_em",
    "init_params",
    "log_density",
    "log_likelihood",
    "m_step",
    "weighted_log_prob",
]
