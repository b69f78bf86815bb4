"""Work done ahead in the kernel's idle time, one piece per turn of its event loop.

A :class:`Prefetcher` asks its ``next_work`` for the most useful piece of work (a callable, or
None when there is nothing left) and runs it on the loop after the messages that came first, so a
key press waits for one piece at most. One chain of turns at a time: a poke while a turn is due
adds none. What the work is (draw the frames not yet sent, fit the other K) is the explorer's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._scheduling import Scheduler


class Prefetcher:
    """Runs ``next_work()``'s pieces of work, one per turn of ``scheduler``'s loop, in idle time.

    Parameters
    ----------
    scheduler : Scheduler
        Where and when the turns run (nothing runs when ``scheduler.ahead`` is False).
    next_work : callable
        ``next_work() -> callable | None``: the next piece of work, or None when all is done.
    on_error : callable
        ``on_error(exc)``: an exception raised by a piece of work (the chain then stops; the next
        poke starts it again).

    Attributes
    ----------
    enabled : bool
        False: nothing is done ahead (the benchmarks' "nothing prepared" path).
    pending : bool
        A turn is due on the loop.
    """

    def __init__(
        self,
        scheduler: Scheduler,
        next_work: Callable[[], Callable[[], Any] | None],
        on_error: Callable[[BaseException], None],
        *,
        enabled: bool = True,
    ) -> None:
        self.scheduler, self.next_work, self.on_error = scheduler, next_work, on_error
        self.enabled = enabled
        self.pending = False

    @property
    def idle(self) -> bool:
        """Nothing due and nothing left to do."""
        return not self.pending and (not self.enabled or self.next_work() is None)

    def poke(self) -> None:
        """Schedule a turn if there is work and none is due (call on the loop)."""
        if self.pending or not self.enabled or not self.scheduler.ahead or self.next_work() is None:
            return
        self.pending = True
        self.scheduler.later(self._turn)

    def _turn(self) -> None:
        self.pending = False
        work = self.next_work() if self.enabled else None  # (the learner may have moved on since)
        if work is None:
            return
        try:
            work()
        except Exception as exc:  # never raised out of the event loop
            self.on_error(exc)
            return
        self.poke()
