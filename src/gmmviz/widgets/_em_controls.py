"""The EM explorer's controls: K, start, seed, Σ type, reg_covar and the half-step.

Values given to the explorer are used as given; what cannot be used is said, never replaced
silently (:meth:`EMControls.set_initial` returns the problems and notes to show).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np

from .._validation import as_seed, check_int, check_reg_covar
from ..em import COVARIANCE_TYPES, INIT_METHODS
from ._fit_cache import FitKey

SEED_MAX = 2**32 - 1
"""Largest seed: the k-means start hands the seed to scikit-learn, which takes 0 .. 2**32 - 1."""

_REG_STEPS = (0.0, *(float(f"1e{e}") for e in range(-9, 1)))
_STYLE = {"description_width": "initial"}


class EMControls:
    """The explorer's ipywidgets controls, made with the starting K (a bad K is kept as
    ``k_problem``: the slider starts at 1, and the problem is shown, never silently replaced).

    Attributes
    ----------
    k_slider, init_dropdown, seed_input, cov_dropdown, reg_slider, step_slider, status
        The widgets (``status`` says "fitting K=…" while a fit runs).
    fit_controls : tuple
        The controls whose change refits.
    """

    def __init__(self, n_components: Any, max_components: int) -> None:
        try:
            k0, self.k_problem = check_int(n_components, "K (n_components)", minimum=1), ""
        except (TypeError, ValueError) as exc:
            k0, self.k_problem = 1, str(exc)
        self.k_slider = _classed(
            widgets.IntSlider(
                value=k0,
                min=1,
                max=max(int(max_components), k0),
                description="K",
                continuous_update=False,
                style=_STYLE,
                tooltip="K: number of mixture components (refits)",
            ),
            "gmmviz-k-slider",
        )
        self.init_dropdown = _classed(
            widgets.Dropdown(
                options=list(INIT_METHODS),
                description="start",
                style=_STYLE,
                layout=widgets.Layout(width="170px"),
                tooltip="start: how EM's first parameters are chosen",
            ),
            "gmmviz-init",
        )
        self.seed_input = _classed(
            widgets.BoundedIntText(
                value=0,
                min=0,
                max=SEED_MAX,
                description="seed",
                style=_STYLE,
                layout=widgets.Layout(width="150px"),
                tooltip="seed: random_state of the start (refits)",
            ),
            "gmmviz-seed",
        )
        self.cov_dropdown = _classed(
            widgets.Dropdown(
                options=list(COVARIANCE_TYPES),
                description="Σ type",
                style=_STYLE,
                layout=widgets.Layout(width="170px"),
                tooltip="Σ type: covariance type of the components (full, tied, diag, spherical)",
            ),
            "gmmviz-covariance-type",
        )
        # A choice of values, not a log slider: reg_covar = 0 is valid and must stay 0.
        self.reg_slider = _classed(
            widgets.SelectionSlider(
                options=reg_options(1e-6),
                value=1e-6,
                description="reg_covar",
                continuous_update=False,
                style=_STYLE,
                tooltip="reg_covar: added to every variance at each M-step (refits)",
            ),
            "gmmviz-reg-covar",
        )
        self.step_slider = _classed(
            widgets.IntSlider(
                value=0,
                min=0,
                max=0,
                description="half-step",
                style=_STYLE,
                layout=widgets.Layout(width="420px"),
                tooltip="half-step: which frame of the fit is shown (0 = start, then E and M of each iteration)",
            ),
            "gmmviz-step-slider",
        )
        self.status = _classed(widgets.HTML(value=""), "gmmviz-status")  # empty, it takes no room
        self.fit_controls = (
            self.k_slider,
            self.init_dropdown,
            self.seed_input,
            self.cov_dropdown,
            self.reg_slider,
        )

    def rows(self) -> list[widgets.Widget]:
        """The controls laid out: K, start, seed / Σ type, reg_covar, status / half-step."""
        return [
            widgets.HBox([self.k_slider, self.init_dropdown, self.seed_input]),
            widgets.HBox([self.cov_dropdown, self.reg_slider, self.status]),
            self.step_slider,
        ]

    def key(self) -> FitKey:
        """The fit the controls ask for."""
        return FitKey(
            int(self.k_slider.value),
            self.init_dropdown.value,
            self.cov_dropdown.value,
            float(self.reg_slider.value),
            int(self.seed_input.value),
        )

    def k_range(self) -> range:
        return range(self.k_slider.min, self.k_slider.max + 1)

    def disable(self) -> None:
        for w in (*self.fit_controls, self.step_slider):
            w.disabled = True

    def set_initial(
        self, init: Any, covariance_type: Any, random_state: Any, reg_covar: Any
    ) -> tuple[list[str], list[str]]:
        """Set the controls to the explorer's arguments; returns (problems, notes) to show."""
        problems: list[str] = []
        notes: list[str] = []
        for widget, value, name in (
            (self.init_dropdown, init, "init"),
            (self.cov_dropdown, covariance_type, "covariance_type"),
        ):
            if value not in widget.options:
                problems.append(
                    f"Unknown {name} {value!r}: use one of {', '.join(map(repr, widget.options))}."
                )
            else:
                widget.value = value
        if problems:  # (said alone: the rest may be fine)
            return problems, notes
        try:
            seed, drawn = seed_from(random_state)
            self.seed_input.value = seed
            if drawn:
                notes.append(
                    f"random_state={random_state!r}: drew seed {seed} at random (it is "
                    f"in the seed box; pass random_state={seed} to repeat this fit)."
                )
        except (TypeError, ValueError) as exc:
            problems.append(str(exc))
        try:
            reg = check_reg_covar(reg_covar)
            self.reg_slider.options = reg_options(reg)
            self.reg_slider.value = reg
        except (TypeError, ValueError) as exc:
            problems.append(str(exc))
        return problems, notes


def _classed(widget: widgets.Widget, css: str) -> Any:
    widget.add_class(css)
    return widget


def seed_from(random_state: Any) -> tuple[int, bool]:
    """The seed box's value for ``random_state``, and whether it was drawn at random.

    The shared rule (:func:`gmmviz._validation.as_seed`): None (fresh randomness: a seed is
    drawn and shown in the box), an int >= 0, or a NumPy Generator (a seed drawn from it).
    """
    drawn = random_state is None or isinstance(random_state, np.random.Generator)
    seed = as_seed(random_state)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (SEED_MAX + 1))
    if seed > SEED_MAX:
        raise ValueError(
            f"random_state must be a whole number from 0 to {SEED_MAX} here (the "
            f"k-means start passes it to scikit-learn), got {random_state!r}."
        )
    return seed, drawn


def reg_options(reg_covar: float) -> list[tuple[str, float]]:
    """The reg_covar choices: 0, the powers of ten 1e-9 .. 1, and ``reg_covar`` itself."""
    values = sorted({*_REG_STEPS, float(reg_covar)})
    return [("0" if v == 0 else f"{v:.0e}" if float(f"{v:.0e}") == v else f"{v:.4e}", v) for v in values]
