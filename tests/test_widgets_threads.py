"""EMExplorer driven as in JupyterLab with ipykernel 7: random sequences of the learner's moves
(K, start, seed, Σ type, reg_covar, half-step, Play, drag a mean, add and remove points, Reset
start, Reset data) arrive in a second thread, the explorer's work
runs on the main loop (with its idle-time work between), and after every move the picture shown
equals the one a fresh explorer shows on the same controls.

A hypothesis ``RuleBasedStateMachine``; ``STEPS`` is how many moves it makes in all (printed).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import IPython
import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from gmmviz.widgets import EMExplorer
from widget_checks import KernelLoop

rng = np.random.default_rng(5)
X = np.concatenate([rng.normal(c, 0.6, (40, 2)) for c in ([0, 0], [3, 0.5], [1, 3])])
MAX_K = 5
REG = [0.0, 1e-6, 1e-3, 1e-1]
SETTINGS = settings(
    max_examples=12,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MOVES = []  # one entry per move made, over every run: the report's step count


def fresh_picture(key, step, data, added):
    """What an explorer made afresh on these controls (and the learner's data and start, set with
    the public ``set_data`` and ``set_start``) shows at ``step`` (PNG bytes, readout)."""
    k, init, cov, reg, seed, start, version = key
    fresh = EMExplorer(
        X,
        k,
        init=init,
        covariance_type=cov,
        reg_covar=reg,
        random_state=seed,
        max_components=MAX_K,
        prefetch=False,
    )
    assert fresh.message_text == "", fresh.message_text
    if version != 0:
        fresh.set_data(data, added)
    if start is not None:
        fresh.set_start(start)
    assert fresh.message_text == "", fresh.message_text
    fresh.set_step(step)
    return bytes(fresh.image.value), fresh.readout


class LearnerInASubshell(RuleBasedStateMachine):
    """The learner's moves come from this thread (the subshell's); the explorer lives on ``main``."""

    main: KernelLoop
    expected: dict = {}

    def __init__(self) -> None:
        super().__init__()
        self.ex = self.main.call(EMExplorer, X, 3, random_state=0, max_components=MAX_K)
        self.main.call(self.ex.on_page, {"event": "shown"})  # on a page: K ± 1 prepared in idle time

    def learner(self, control: str, name: str, value) -> None:
        """A move in the page: its own message, then the control's new value (ipywidgets' set_state)."""
        MOVES.append(name)
        self.ex.on_page({"event": "learner", "control": name})
        getattr(self.ex, control).set_state({"value": value})

    def n_frames(self) -> int:
        return self.main.call(lambda: self.ex.history.n_frames)

    @rule(k=st.integers(1, MAX_K))
    def k(self, k):
        self.learner("k_slider", "k", k)

    @rule(init=st.sampled_from(["kmeans", "kmeans++", "random"]))
    def start(self, init):
        self.learner("init_dropdown", "init", init)

    @rule(seed=st.integers(0, 3))
    def seed(self, seed):
        self.learner("seed_input", "seed", seed)

    @rule(cov=st.sampled_from(["full", "tied", "diag", "spherical"]))
    def covariance_type(self, cov):
        self.learner("cov_dropdown", "covariance_type", cov)

    @rule(reg=st.sampled_from(REG))
    def reg_covar(self, reg):
        # (the page sends the index of the option chosen)
        index = [v for _, v in self.ex.reg_slider.options].index(reg)
        self.learner("reg_slider", "reg_covar", index)

    @rule(data=st.data())
    def half_step(self, data):
        self.learner("step_slider", "step", data.draw(st.integers(0, self.n_frames() - 1)))

    @rule(steps=st.integers(1, 6))
    def play(self, steps):
        """Play in the page: it moves the half-step on, one after the other (the slider follows)."""
        MOVES.append("play")
        self.ex.on_page({"event": "learner", "control": "play"})
        self.ex.image.set_state({"playing": True})
        n, at = self.n_frames(), self.main.call(lambda: self.ex.step)
        for i in range(at + 1, min(at + steps, n - 1) + 1):
            self.ex.step_slider.set_state({"value": i})

    @rule(component=st.integers(1, MAX_K), x=st.floats(-1, 4), y=st.floats(-1, 4))
    def drag(self, component, x, y):
        """Drag a mean in the page: its message (a component the fit may no longer have is refused)."""
        MOVES.append("drag")
        self.ex.on_page({"event": "move_mean", "component": component, "x": x, "y": y})

    @rule(x=st.floats(-1, 4), y=st.floats(-1, 4), remove=st.booleans())
    def click(self, x, y, remove):
        """Click (add a point) or Shift+click (remove the nearest) in the page."""
        MOVES.append("shift-click" if remove else "click")
        self.ex.on_page({"event": "remove_point" if remove else "add_point", "x": x, "y": y})

    @rule(which=st.sampled_from(["reset_start_button", "reset_data_button"]))
    def reset(self, which):
        MOVES.append(which)
        self.ex.hands.__getattribute__(which).click()

    @invariant()
    def shows_what_a_fresh_explorer_shows(self):
        # Read on the main loop, behind the moves handed over so far (a cell would see this).
        key, step, png, index, readout, message, data, added = self.main.call(
            lambda ex=self.ex: (
                tuple(ex.current_fit.key),
                ex.step,
                bytes(ex.image.value),
                ex.image.value_index,
                ex.readout,
                ex.message_text,
                ex.X.copy(),
                ex.added.copy(),
            )
        )
        assert "rror" not in message, message
        controls = self.main.call(lambda ex=self.ex: tuple(ex.controls.key()))
        assert key[:5] == controls[:5] and index == step
        data_key = (key, data.tobytes(), added.tobytes())  # (each data version is new: keyed by content)
        if (data_key, step) not in self.expected:  # (made on the loop too: matplotlib is not thread-safe)
            self.expected[data_key, step] = self.main.call(fresh_picture, key, step, data, added)
        want_png, want_readout = self.expected[data_key, step]
        assert readout == want_readout
        assert png == want_png, f"the picture of {key} at half-step {step} differs from a fresh explorer's"


@pytest.fixture
def kernel_loop(monkeypatch):
    with KernelLoop() as main:
        # In a kernel, an explorer finds the kernel's main loop through IPython's get_ipython.
        monkeypatch.setattr(IPython, "get_ipython", main.shell)
        yield main


def test_an_explorer_driven_from_a_second_thread_shows_what_a_fresh_one_shows(kernel_loop):
    LearnerInASubshell.main = kernel_loop
    LearnerInASubshell.expected = {}
    MOVES.clear()
    LearnerInASubshell.TestCase.settings = SETTINGS
    LearnerInASubshell.TestCase().runTest()
    kernel_loop.call(lambda: None)  # the idle-time work left raises nothing either
    print(
        f"\nstateful test: {len(MOVES)} moves in all ({', '.join(f'{m} {MOVES.count(m)}' for m in sorted(set(MOVES)))})"
    )
    assert len(MOVES) >= 100
