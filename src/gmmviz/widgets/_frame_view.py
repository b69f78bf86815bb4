"""The EM explorer's picture and player, in the page: frames kept and swapped there (``frame_view.js``)."""

from __future__ import annotations

import pathlib

import anywidget
import ipywidgets as widgets
import traitlets


class FrameView(anywidget.AnyWidget):
    """The EM explorer's picture and its player: Play, a speed, the picture, the readout.

    The kernel draws each frame as PNG bytes with its readout (HTML: iteration, half-step, ln p(X),
    the π_k). Every frame the kernel sends (the ``value`` it shows, and the frames it draws ahead,
    sent as binary custom messages) is kept in the page, per fit, picture and readout together:
    what the page shows of a frame, it shows whole, so the text always agrees with the picture. The
    half-step slider is linked to ``index`` in the page (``jslink``), so a frame already in the
    page is shown on the key press itself, with no trip to the kernel and back. A ``value`` that
    arrives for a half-step the learner has already left (``value_index != index``) is kept but
    not shown: a late reply never covers a newer picture.

    Play lives here, in the page, because only here is it known which frames have arrived: it
    moves to the next half-step ``interval`` ms after the picture of the current one is shown, and
    waits for a frame that the kernel is still drawing. So it shows every half-step, in order, at
    the speed the learner picks, however slow the kernel.

    Traits: ``value`` (the PNG shown, as on an Image), ``value_index`` (its half-step),
    ``readout`` (its readout, HTML), ``index`` (the half-step the slider wants), ``n_frames``,
    ``fit`` (a new number per fit: the page forgets the old frames), ``playing``, ``interval``
    (ms between two half-steps while playing), ``speeds`` (the choices offered: label, ms),
    ``cache`` (False: show the kernel's pictures only, as an Image does; for benchmarks).

    The learner's hands: ``handles`` (the means of the frame shown, ``[number, x, y, colour]``,
    kept with each frame as its readout is), ``axes`` (where the points' panel lies in the
    picture, as fractions from its top left, and its data limits) and ``editable`` (what the
    picture lets the learner do: ``move`` a mean, ``add`` and ``remove`` points). The page turns
    a drag, a click or keys into a message (``{"event": "move_mean", "component", "x", "y"}``,
    ``"add_point"``, ``"remove_point"`` with ``x``, ``y`` in data units).
    """

    _esm = pathlib.Path(__file__).with_name("frame_view.js")
    value = traitlets.Bytes(b"").tag(sync=True)
    value_index = traitlets.Int(0).tag(sync=True)
    readout = traitlets.Unicode("").tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)
    n_frames = traitlets.Int(1).tag(sync=True)
    fit = traitlets.Int(0).tag(sync=True)
    playing = traitlets.Bool(False).tag(sync=True)
    interval = traitlets.Int(250).tag(sync=True)
    speeds = traitlets.List(traitlets.Tuple(traitlets.Unicode(), traitlets.Int())).tag(sync=True)
    cache = traitlets.Bool(True).tag(sync=True)
    css = traitlets.Unicode("").tag(sync=True)
    handles = traitlets.List().tag(sync=True)
    axes = traitlets.Dict().tag(sync=True)
    editable = traitlets.Dict().tag(sync=True)
    width = traitlets.Unicode("").tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)

    def __init__(self, css: str, width: str, alt: str = "", interval: int = 250) -> None:
        super().__init__(
            css=css,
            width=width,
            alt=alt,
            interval=int(interval),
            speeds=speeds(int(interval)),
            layout=widgets.Layout(max_width="100%"),
        )
        self.format = "png"  # as on an ipywidgets.Image: the bytes in .value are a PNG

    @traitlets.observe("interval")
    def _offer_interval(self, change: dict) -> None:
        # An interval set in the kernel is one of the speeds offered, so the menu can show it.
        if change["new"] not in (ms for _, ms in self.speeds):
            self.speeds = speeds(change["new"])

    def show(self, i: int, png: bytes, readout: str = "", handles: list | None = None) -> None:
        """Show frame ``i`` (``png``, its ``readout`` and its means' ``handles``): the page keeps
        them and shows them if its slider is at ``i``."""
        with self.hold_sync():
            self.value_index = int(i)
            self.readout = readout
            self.handles = [] if handles is None else handles
            self.value = png

    def new_fit(self, n_frames: int) -> None:
        """A new fit of ``n_frames`` half-steps: the page forgets the frames it keeps, Play stops."""
        self.playing = False
        self.n_frames = int(n_frames)
        self.fit += 1

    def send_frame(self, i: int, png: bytes, readout: str = "", handles: list | None = None) -> None:
        """Give the page frame ``i`` to keep (drawn ahead; not shown unless its slider is at ``i``)."""
        message = {"frame": int(i), "fit": int(self.fit), "readout": readout, "handles": handles or []}
        self.send(message, [png])


# Play's speeds: half-steps a second, as the learner picks them (label, ms between half-steps).
SPEEDS = ((1, 1000), (2, 500), (4, 250), (8, 125), (16, 60))


def speeds(interval: int) -> list[tuple[str, int]]:
    """Play's choices of speed, with ``interval`` (ms between half-steps) among them."""
    choices = {ms: f"{n} half-step{'s' if n > 1 else ''} a second" for n, ms in SPEEDS}
    choices.setdefault(interval, f"one every {interval} ms")
    return [(choices[ms], ms) for ms in sorted(choices, reverse=True)]
