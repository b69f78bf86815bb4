"""Where an explorer's work runs: on one event loop, whichever thread a callback arrives in.

ipykernel 7 may run a widget's callbacks in a subshell's thread (JupyterLab sends widget messages
there, so that widgets answer while a cell runs), while the cells and the work done in idle time run
on the kernel's main event loop. An explorer's figure, artists and caches describe one frame at a
time: rather than lock them, every change to them happens on that one loop. A callback that arrives
in another thread hands its work over with ``add_callback``, the one method tornado documents as
safe to call from another thread.

A scheduler has two methods: ``run(fn, *args)`` (now, if called on the loop; else handed over to
it, in order) and ``later(fn, *args)`` (on the loop, after the messages that came first: idle time);
``ahead`` says whether ``later`` runs anything at all (without a loop nothing is done ahead).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

#: Seconds between two turns of idle-time work: messages that arrived meanwhile go first.
IDLE_DELAY = 0.01


class Scheduler(Protocol):
    """What an explorer needs of an event loop (see the module's docstring)."""

    ahead: bool

    def run(self, fn: Callable[..., Any], *args: Any) -> None: ...

    def later(self, fn: Callable[..., Any], *args: Any) -> None: ...


class Inline:
    """No event loop (plain Python, tests): every piece of work runs now; nothing is done ahead."""

    ahead = False

    def run(self, fn: Callable[..., Any], *args: Any) -> None:
        fn(*args)

    def later(self, fn: Callable[..., Any], *args: Any) -> None:
        """Nothing: without a loop there is no idle time to fill."""


class OnLoop:
    """Work on one tornado loop (the kernel's ``io_loop``): run there, handed over from elsewhere."""

    ahead = True

    def __init__(self, loop: Any) -> None:
        self.loop = loop

    def on_loop(self) -> bool:
        """Whether the caller runs on this loop (a cell, a callback in the main shell)."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:  # a thread without a running loop: a plain thread
            return False
        return running is getattr(self.loop, "asyncio_loop", None)

    def run(self, fn: Callable[..., Any], *args: Any) -> None:
        if self.on_loop():
            fn(*args)
        else:
            self.loop.add_callback(fn, *args)

    def later(self, fn: Callable[..., Any], *args: Any) -> None:
        # add_callback first: call_later may only be called on the loop's own thread.
        self.loop.add_callback(self.loop.call_later, IDLE_DELAY, fn, *args)


def kernel_scheduler() -> Scheduler:
    """The scheduler of the IPython kernel this runs in (its main loop, where its cells run), or
    :class:`Inline` outside a kernel.

    Not ``IOLoop.current()``: called from a subshell's thread, that would be the subshell's loop.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return Inline()
    shell = get_ipython()
    loop = getattr(getattr(shell, "kernel", None), "io_loop", None)
    return Inline() if loop is None else OnLoop(loop)
