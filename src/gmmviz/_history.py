"""The record of one EM run, for the course's pictures: :class:`EMHistory` and its :class:`Frame` s.

:func:`gmmviz.fit_em` returns an :class:`EMHistory`; both classes are re-exported by
:mod:`gmmviz.em` and :mod:`gmmviz`. A frame knows what it shows: the parameters (and, for an
M frame, the parameters before the step), the responsibilities, ln p(X) and where it sits in the
history, so titles and pictures are built from its fields. What a frame says in words is
:func:`frame_text`'s, the one place every caption (figure titles, the animation, the explorer's
readout) takes it from.

The history does not compute: the engine that ran the fit hands it the E-step that recomputes γ
(``responsibilities_of``), so this module imports neither the engine nor matplotlib.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._types import FloatArray
from .params import GMMParams

if TYPE_CHECKING:
    import dask.array as da

__all__ = ["EMHistory", "Frame", "FrameText", "frame_text"]

#: What each kind of half-step did, and what it changed in the picture.
_WHAT = {
    "E": "γ recomputed: the colours change, the ellipses stay",
    "M": "π, μ, Σ re-estimated: the ellipses move (dashed: where they were)",
}
_LABEL = {"init": "Start", "E": "E-step", "M": "M-step"}


@dataclass(frozen=True, eq=False)
class Frame:
    """One picture of the EM animation: the initialisation, or one half-step of an iteration.

    Attributes
    ----------
    index : int
        Position in the sequence init, E1, M1, E2, M2, ...
    kind : {'init', 'E', 'M'}
    iteration : int
        0 for the initialisation, t for the E and M frames of iteration t.
    params : GMMParams
        The parameters shown: before the M-step for an E frame, after it for an M frame.
    previous_params : GMMParams or None
        For an M frame, the parameters before its step (those of the E frame before it);
        None for the init and E frames.
    resp : ndarray of shape (n_samples, K) or None
        The responsibilities computed by this iteration's E-step (the ones its M-step used);
        None for the initialisation, where no point has been assigned yet.
    log_likelihood : float
        ln p(X) under ``params``.
    params_index : int
        Where ``params`` sits in ``history.params`` and ``history.log_likelihoods``: 0 for the
        init frame, t − 1 for the E frame of iteration t, t for its M frame.
    init : str
        How the run started ('kmeans', 'kmeans++', 'random', 'given', or 'placed': means the learner
        placed in an explorer, with π_k = 1/K, Σ_k = I), as ``EMHistory.init``.
    """

    index: int
    kind: str
    iteration: int
    params: GMMParams
    previous_params: GMMParams | None
    resp: FloatArray | None
    log_likelihood: float
    params_index: int
    init: str = "given"

    @property
    def start(self) -> str:
        """How the run started, in words, from ``init``: "given parameters" or, e.g.,
        "kmeans means, π_k = 1/K, Σ_k = I" (plain text, for printing)."""
        return self._start("π_k", "Σ_k")

    @property
    def start_label(self) -> str:
        """:attr:`start` for a figure: the subscripts typeset (matplotlib mathtext), as in the readout."""
        return self._start(r"$\pi_k$", r"$\Sigma_k$")

    def _start(self, pi: str, sigma: str) -> str:
        if self.init == "given":
            return "given parameters"
        means = "your means" if self.init == "placed" else f"{self.init} means"
        return f"{means}, {pi} = 1/K, {sigma} = I"

    @property
    def description(self) -> str:
        """One line for a title: ``str(frame_text(frame))``, e.g. "E-step, iteration 3: γ recomputed: …"."""
        return str(frame_text(self))


@dataclass(frozen=True)
class FrameText:
    """What a frame says in words: every caption of a frame formats these three parts.

    Attributes
    ----------
    label : str
        "Start", "E-step" or "M-step".
    when : str
        "before iteration 1" for the start, else "iteration t" (or "iteration t of n").
    what : str
        What the half-step did and what it changed in the picture, e.g.
        "γ recomputed: the colours change, the ellipses stay"; for the start, how it was chosen.
    """

    label: str
    when: str
    what: str

    def __str__(self) -> str:
        return f"{self.label}, {self.when}: {self.what}"


def frame_text(frame: Frame, n_iter: int | None = None, *, mathtext: bool = False) -> FrameText:
    """The words of a frame's caption, from its ``kind``, ``iteration`` and ``init``.

    Parameters
    ----------
    frame : Frame
    n_iter : int, optional
        Total iterations of the run, to say "iteration 3 of 11".
    mathtext : bool, default=False
        Typeset π_k and Σ_k for matplotlib (``$\\pi_k$``) instead of plain text.

    Returns
    -------
    FrameText
    """
    if frame.kind == "init":
        start = frame.start_label if mathtext else frame.start
        return FrameText(_LABEL["init"], "before iteration 1", f"{start}; points grey: no γ yet")
    if frame.kind not in _WHAT:
        raise ValueError(f"unknown frame kind {frame.kind!r}; expected 'init', 'E' or 'M'.")
    of = f" of {n_iter}" if n_iter is not None else ""
    return FrameText(_LABEL[frame.kind], f"iteration {frame.iteration}{of}", _WHAT[frame.kind])


class EMHistory:
    """Every state of one EM run: the parameters after initialisation and after each M-step.

    Only parameters and ln p(X) are stored, so memory is O(iterations · K · d²); responsibilities
    are recomputed from ``X`` when a frame or :meth:`responsibilities` asks for them.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        (the Dask array itself in a :class:`gmmviz.chunked.ChunkedEMHistory`)
    params : tuple of GMMParams, length n_iter + 1
        ``params[0]`` is the start, ``params[t]`` the parameters after the M-step of iteration t.
    log_likelihoods : ndarray of shape (n_iter + 1,)
        Total ln p(X) under ``params[t]``.
    converged : bool
    n_iter : int
    init : str
        How the start was chosen ('kmeans', 'kmeans++', 'random', 'given' or 'placed': the
        learner's means with π_k = 1/K, Σ_k = I; an explorer sets it on such a fit).
    reg_covar : float
        The ``reg_covar`` of the M-steps.

    Parameters
    ----------
    responsibilities_of : callable
        γ of all of ``X`` under given parameters, shape (n_samples, K): the E-step of the engine
        that ran the fit (:func:`gmmviz.fit_em` passes it).
    """

    def __init__(
        self,
        X: FloatArray | da.Array,
        params: Sequence[GMMParams],
        log_likelihoods: Sequence[float],
        converged: bool,
        *,
        responsibilities_of: Callable[[GMMParams], FloatArray],
        init: str = "given",
        reg_covar: float = 1e-6,
    ) -> None:
        self.X = X
        self.params = tuple(params)
        self.log_likelihoods: FloatArray = np.asarray(log_likelihoods, dtype=np.float64)
        self.log_likelihoods.setflags(write=False)
        self.converged = bool(converged)
        self.init = init
        self.reg_covar = reg_covar
        self._responsibilities_of = responsibilities_of
        self._resp_cache: dict[int, FloatArray] = {}

    @property
    def n_iter(self) -> int:
        return len(self.params) - 1

    @property
    def covariance_type(self) -> str:
        return self.params[0].covariance_type

    @property
    def n_components(self) -> int:
        return self.params[0].n_components

    @property
    def final(self) -> GMMParams:
        return self.params[-1]

    @property
    def n_frames(self) -> int:
        return 1 + 2 * self.n_iter

    def __len__(self) -> int:
        return self.n_frames

    def __repr__(self) -> str:
        return (
            f"EMHistory(K={self.n_components}, covariance_type={self.covariance_type!r}, n_iter={self.n_iter}, "
            f"converged={self.converged}, ln p(X)={self.log_likelihoods[-1]:.4f})"
        )

    def responsibilities(self, t: int) -> FloatArray:
        """γ under ``params[t]``, shape (n_samples, K) (recomputed; the last few are cached)."""
        t = range(self.n_iter + 1)[t]  # IndexError for out-of-range t, and negative t works
        if t not in self._resp_cache:
            if len(self._resp_cache) >= 4:
                self._resp_cache.pop(next(iter(self._resp_cache)))
            resp = self._responsibilities_of(self.params[t])
            resp.setflags(write=False)
            self._resp_cache[t] = resp
        return self._resp_cache[t]

    def frame(self, i: int) -> Frame:
        """The i-th frame: 0 is the start, then E and M of iteration 1, E and M of iteration 2, ..."""
        i = range(self.n_frames)[i]  # IndexError for out-of-range i, and negative i works
        if i == 0:
            return Frame(
                0, "init", 0, self.params[0], None, None, float(self.log_likelihoods[0]), 0, self.init
            )
        t = (i + 1) // 2
        resp = self.responsibilities(t - 1)  # γ of iteration t's E-step, computed under params[t − 1]
        if i % 2 == 1:
            return Frame(
                i,
                "E",
                t,
                self.params[t - 1],
                None,
                resp,
                float(self.log_likelihoods[t - 1]),
                t - 1,
                self.init,
            )
        return Frame(
            i, "M", t, self.params[t], self.params[t - 1], resp, float(self.log_likelihoods[t]), t, self.init
        )

    def frames(self) -> Iterator[Frame]:
        """All frames in order: init, E1, M1, E2, M2, ..."""
        for i in range(self.n_frames):
            yield self.frame(i)

    __iter__ = frames
