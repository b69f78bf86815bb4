"""An explorer's half-step pictures, rendered ahead in a background thread and served from a cache.

Scrubbing an :class:`~gmmviz.widgets.EMExplorer` costs an Agg draw and a PNG encode per key press
(tens of milliseconds for 5,000 points). After each fit, :class:`FrameCache` renders every
half-step's PNG in a background thread; when the learner moves to a frame already rendered, the
explorer still updates its artists and its readout as before, but skips the draw and the encode
and sends the cached PNG instead.

Why the pictures are the same: the background thread runs the explorer's own drawing method
(``_show_frame``) on a *copy* of its figure and artists (pickled once the kernel is idle after
the fit's first frame is shown), with a stand-in object (:class:`_Shadow`) in place of the explorer. So there is one
drawing code, and tests compare the decoded pixels of both paths.

Thread safety: matplotlib figures are not thread-safe. The thread never touches the explorer's
figure, only its own copy with its own ``FigureCanvasAgg``; a new fit (K, seed, ...) stops the
running thread (it checks between frames) and its pictures are discarded (the cache is keyed by
fit number and half-step). An error in the thread never reaches the learner: it is kept in
:attr:`FrameCache.errors` and the explorer simply draws as it did before.

``GMMVIZ_FRAME_CACHE=0`` in the environment, or ``explorer._frames.enabled = False``, turns the
cache off (the benchmark compares both paths).
"""

from __future__ import annotations

import atexit
import inspect
import os
import pickle
import threading
import time
import weakref
from collections.abc import Iterable
from typing import Any

from matplotlib.artist import Artist
from matplotlib.figure import Figure

__all__ = ["FrameCache"]

ENV_VAR = "GMMVIZ_FRAME_CACHE"
# When the kernel last worked for the learner (a frame shown, a fit), in any explorer: one kernel,
# one GIL, so every explorer's thread holds off.
_ACTIVITY = [time.monotonic()]


class FrameCache:
    """Pre-rendered PNGs of the half-steps of an explorer's current fit.

    Parameters
    ----------
    explorer : EMExplorer
        Its ``_blitter`` is wrapped so that a frame served from the cache skips the draw.
    max_bytes : int
        Stop rendering ahead once the cached pictures of a fit take this much memory; later
        frames are drawn as before.
    idle : float
        Seconds without a frame shown or a fit (in any explorer of the kernel) before the
        thread draws its next picture. The
        thread shares the kernel's GIL: while the learner scrubs, plays or changes K, it waits,
        so it never slows what the learner sees (a frame it is drawing delays the kernel by at
        most that one draw).
    """

    def __init__(self, explorer: Any, max_bytes: int = 48 * 2**20, idle: float = 0.3) -> None:
        self.enabled = os.environ.get(ENV_VAR, "1").strip().lower() not in ("0", "false", "no", "off")
        self.max_bytes = int(max_bytes)
        self.idle = float(idle)
        _ACTIVITY[0] = time.monotonic()
        self.errors: list[BaseException] = []
        self.hits = 0  # frames served from the cache (for tests and the benchmark)
        self._explorer = explorer
        self._lock = threading.Lock()
        self._fit = 0
        self._history: Any = None
        self._frames: dict[tuple[int, int], bytes] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._blitter = explorer._blitter = _ServingBlitter(explorer._blitter)
        _LIVE.add(self)

    # --- the explorer's hooks -----------------------------------------------------------------
    def start(self, history: Any) -> None:
        """A new fit is on screen (its frame 0 drawn): drop the old pictures, render the new ones."""
        self._stop.set()  # the previous thread stops after its current frame
        _ACTIVITY[0] = time.monotonic()
        with self._lock:
            self._fit += 1
            self._history = history
            self._frames.clear()
        if not self.enabled:
            return
        # The plain attributes are taken here; the artists are pickled by the thread, once the
        # kernel is idle (a pickle is 10-40 ms for 5,000 points: not on the learner's time).
        snapshot = _snapshot(self._explorer, history)
        self._stop = stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(self._fit, history, snapshot, stop),
                                        name="gmmviz-frame-cache", daemon=True)
        self._thread.start()

    def busy(self) -> None:
        """The kernel is working for the learner (e.g. a refit starts): the thread holds off."""
        _ACTIVITY[0] = time.monotonic()

    def serve(self, history: Any, step: int) -> bool:
        """Before drawing frame ``step``: if its picture is ready, the next draw is skipped and
        the next PNG is that picture. Returns whether it was."""
        _ACTIVITY[0] = time.monotonic()
        png = self.get(history, step)
        self._blitter.pending = png
        if png is not None:
            self.hits += 1
        return png is not None

    # --- queries ------------------------------------------------------------------------------
    def get(self, history: Any, step: int) -> bytes | None:
        """The cached PNG of half-step ``step`` of ``history``, or None (not rendered yet, another
        fit, or the cache off)."""
        if not self.enabled or history is None or history is not self._history:
            return None
        return self._frames.get((self._fit, int(step)))

    @property
    def n_ready(self) -> int:
        """How many half-steps of the current fit are rendered."""
        fit = self._fit
        return sum(1 for key in list(self._frames) if key[0] == fit)

    @property
    def ready(self) -> bool:
        """Every half-step of the current fit is rendered."""
        h = self._history
        return h is not None and self.n_ready == h.n_frames

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (it ends after the picture it is drawing) and wait for it."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until the current fit's rendering thread ends; returns :attr:`ready`."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.ready

    # --- the background thread ----------------------------------------------------------------
    def _run(self, fit: int, history: Any, snapshot: tuple, stop: threading.Event) -> None:
        try:
            shadow = None
            for attempt in range(5):
                if not self._wait_idle(stop):
                    return
                try:
                    shadow = _Shadow.restore(*snapshot)
                    break
                except RuntimeError:  # the kernel drew meanwhile (a dict changed size): again
                    if attempt == 4:
                        raise
            total = 0
            for i in range(history.n_frames):
                if not self._wait_idle(stop):
                    return
                png = shadow.render(i)
                total += len(png)
                with self._lock:
                    if fit != self._fit:
                        return
                    self._frames[(fit, i)] = png
                if total > self.max_bytes:
                    return
        except Exception as exc:  # never reaches the learner: the explorer draws as before
            self.errors.append(exc)

    def _wait_idle(self, stop: threading.Event) -> bool:
        """Wait until the kernel has shown no frame for :attr:`idle` seconds; False if stopped."""
        while not stop.is_set():
            quiet = time.monotonic() - _ACTIVITY[0]
            if quiet >= self.idle:
                return True
            stop.wait(self.idle - quiet + 0.005)
        return False


_LIVE: weakref.WeakSet[FrameCache] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    # A daemon thread still inside Agg's C++ code when the interpreter finalises aborts the
    # process ("terminate called without an active exception"): stop them all first.
    for cache in list(_LIVE):
        cache.stop()


class _ServingBlitter:
    """Wraps the explorer's ``_Blitter``: while ``pending`` holds a cached PNG, ``draw`` is only
    remembered and ``png`` returns that PNG. The remembered draw is done when someone reads the
    canvas (e.g. the static picture of a saved notebook), so the canvas never shows a stale frame.
    """

    def __init__(self, blitter: Any) -> None:
        self._inner = blitter
        self.pending: bytes | None = None
        self._deferred: tuple | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def canvas(self) -> Any:
        self.flush()
        return self._inner.canvas

    def draw(self, *args: Any, **kwargs: Any) -> None:
        if self.pending is not None:
            self._deferred = (args, kwargs)
            return
        self._deferred = None
        self._inner.draw(*args, **kwargs)

    def draw_background(self) -> None:
        self.pending = self._deferred = None
        self._inner.draw_background()

    def png(self) -> bytes:
        if self.pending is not None:
            png, self.pending = self.pending, None
            return png
        self.flush()
        return self._inner.png()

    def flush(self) -> None:
        """Do the draw skipped for a cached frame (the artists still hold that frame)."""
        if self._deferred is not None:
            args, kwargs = self._deferred
            self._deferred = None
            self._inner.draw(*args, **kwargs)


# --------------------------------------------------------------------------------------------
# The stand-in explorer of the background thread
# --------------------------------------------------------------------------------------------
def _holds_artists(value: Any) -> bool:
    if isinstance(value, (Artist, Figure)):
        return True
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, (list, tuple)):
        return False
    return any(_holds_artists(v) for v in value)


def _snapshot(explorer: Any, history: Any) -> tuple:
    """What the thread needs to draw like ``explorer``: its class, its artists (to be copied by
    :meth:`_Shadow.restore`), its other plain attributes, and the class of its blitter. Widgets
    are replaced by sinks (the thread must not touch them)."""
    from ipywidgets import Widget

    artists, plain = {}, {}
    for name, value in vars(explorer).items():
        if name.startswith("_trait") or name in ("_blitter", "_frames", "comm"):
            continue
        if isinstance(value, Widget) or (isinstance(value, (list, tuple)) and value
                                          and all(isinstance(v, Widget) for v in value)):
            plain[name] = _Sink()
        elif _holds_artists(value):
            artists[name] = value
        else:
            plain[name] = value
    plain["history"] = history
    blitter = explorer._blitter._inner
    # The fit's static background, just drawn for the explorer: the same pixels the thread would
    # draw, so it reuses them instead of a full draw (~100 ms of GIL). Never changed in place.
    plain["_background_pixels"] = getattr(blitter, "_background", None)
    return type(explorer), artists, plain, type(blitter)


class _Shadow:
    """Stands in for the explorer in its own drawing code, on its own copy of the figure.

    Attributes are the explorer's (artists copied, widgets replaced by :class:`_Sink`); methods
    are the explorer class's, bound to the shadow, so ``_show_frame`` runs unchanged.
    """

    def __init__(self, cls: type, attrs: dict[str, Any], blitter_cls: type) -> None:
        self.__dict__.update(attrs)
        self.__dict__["_cls"] = cls
        self._frames = _NoCache()
        self._blitter = blitter_cls(self.figure)  # its own FigureCanvasAgg
        if attrs.get("_background_pixels") is not None and hasattr(self._blitter, "_background"):
            self._blitter._background = attrs["_background_pixels"]

    @classmethod
    def restore(cls, explorer_cls: type, artists: dict[str, Any], plain: dict[str, Any],
                blitter_cls: type) -> _Shadow:
        """A shadow drawing on copies of ``artists`` (pickled together: one pickle keeps the
        references between them; Agg figures pickle by design)."""
        copies = pickle.loads(pickle.dumps(artists, protocol=pickle.HIGHEST_PROTOCOL))
        return cls(explorer_cls, {**plain, **copies}, blitter_cls)

    def __getattr__(self, name: str) -> Any:
        attr = inspect.getattr_static(self.__dict__["_cls"], name)
        return attr.__get__(self, type(self)) if hasattr(attr, "__get__") else attr

    def render(self, step: int) -> bytes:
        """The PNG the explorer publishes for frame ``step``."""
        self.image = _Sink()
        self._show_frame(step)
        png = self.image.__dict__.get("value")
        if not isinstance(png, bytes):
            raise RuntimeError(f"drawing frame {step} published no PNG")
        return png


class _Sink:
    """Accepts any attribute write (the widgets' values), returns sinks on reads."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        sink = _Sink()
        self.__dict__[name] = sink
        return sink

    def __iter__(self) -> Iterable:
        return iter(())


class _NoCache:
    """The shadow's ``_frames``: the drawing code's hooks do nothing there."""

    def serve(self, history: Any, step: int) -> bool:
        return False

    def busy(self) -> None:
        pass

    def start(self, history: Any) -> None:
        pass
