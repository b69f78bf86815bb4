"""Agg figures to PNG bytes, drawing only what moves: :func:`render_png` and :class:`Blitter`."""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image as PILImage


def render_png(canvas: FigureCanvasAgg) -> bytes:
    """PNG bytes of what ``canvas`` has drawn so far (no re-draw).

    RGB and zlib level 1: a figure has no transparency to keep, and level 1 encodes several times
    faster than the default for a file only slightly larger, which matters once per frame.
    """
    width, height = canvas.get_width_height(physical=True)
    # frombuffer: no copy of the Agg buffer; convert drops alpha in C (a numpy slice would copy twice).
    image = PILImage.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    with io.BytesIO() as buf:
        image.convert("RGB").save(buf, format="png", compress_level=1)
        return buf.getvalue()


class Blitter:
    """Draw a figure's static parts once, then only its animated artists per frame.

    Artists registered with :meth:`track` are marked animated, so a full draw leaves them out of
    the background. ``layers`` lets a caller cache the picture after drawing some artists
    (e.g. 5000 points) and reuse it while only the others (ellipses) change; with
    ``layer_region`` (an Axes whose artists are clipped to it) a layer keeps only that region,
    so it stays valid while the rest of the figure's background changes.

    When one Axes' static content changes (a new ln p(X) curve) and the rest does not,
    :meth:`redraw_background` draws only that Axes over a cached picture of the rest
    (:meth:`draw_background` would redraw every axis, tick and label).
    """

    def __init__(self, figure: Figure, max_cached_layers: int = 4, layer_region: Any = None) -> None:
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self._background = None
        self._base: Any = None  # the figure without the Axes redraw_background redraws
        self._layers: OrderedDict[Any, Any] = OrderedDict()
        self._max_layers = max_cached_layers
        self.layer_region = layer_region
        self._stamps: dict[Any, Any] = {}

    @staticmethod
    def track(*artists: Any) -> None:
        for a in artists:
            a.set_animated(True)

    def draw_background(self) -> None:
        """Full draw without animated artists; call after limits, ticks or static data change."""
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._base = None
        self._layers.clear()
        self._stamps.clear()

    def redraw_background(self, ax: Any) -> Any:
        """New background after only ``ax`` changed: ``ax`` drawn over the rest, kept from before.

        The pixels are those of :meth:`draw_background` (a figure draws its Axes one after the
        other, and ``ax`` is drawn last here: it must not overlap another Axes). Layers and
        stamps are kept: the caller keys those that lie on ``ax`` by what it shows. Returns the
        background, for :meth:`use_background`.
        """
        if self._base is None:
            ax.set_visible(False)
            try:
                self.canvas.draw()
            finally:
                ax.set_visible(True)
            self._base = self.canvas.copy_from_bbox(self.figure.bbox)
        self.canvas.restore_region(self._base)
        self.figure.draw_artist(ax)  # leaves out its animated artists, as a full draw does
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        return self._background

    def use_background(self, background: Any) -> None:
        """Draw frames on ``background`` (one :meth:`redraw_background` returned) from now on."""
        self._background = background

    def _layer_box(self) -> Any:
        if self.layer_region is None:
            return self.figure.bbox
        # Two pixels more than the Axes: Agg rounds the clip box outwards; the margin is background.
        return Bbox.intersection(Bbox(self.layer_region.bbox.get_points()).padded(2), self.figure.bbox)

    def draw(
        self,
        layer_key: Any,
        layer_artists: Sequence[Any],
        top_artists: Sequence[Any],
        stamps: Sequence[tuple[Any, Sequence[Any]]] = (),
    ) -> None:
        """Restore the background (and the cached ``layer_key`` layer), paste the ``stamps``
        (``(key, artists)`` pairs, see :meth:`stamp`), then draw ``top_artists`` on top."""
        if self._background is None:
            self.draw_background()
        self.canvas.restore_region(self._background)
        cached = self._layers.get(layer_key) if layer_key is not None else None
        if cached is not None:
            self.canvas.restore_region(cached)
            self._layers.move_to_end(layer_key)
        else:
            for a in layer_artists:
                self.figure.draw_artist(a)
            if layer_key is not None:
                self._layers[layer_key] = self.canvas.copy_from_bbox(self._layer_box())
                while len(self._layers) > self._max_layers:
                    self._layers.popitem(last=False)
        for key, artists in stamps:
            self.stamp(key, artists)
        for a in top_artists:
            self.figure.draw_artist(a)

    def stamp(self, key: Any, artists: Sequence[Any]) -> None:
        """Draw ``artists`` (text, typically) from a cached bitmap of their pixels under ``key``.

        Agg renders text glyph by glyph, about 0.08 ms per character: a sentence per frame
        would cost more than the points. Text that looks the same on many frames (a headline
        per half-step kind) is drawn once per fit and pasted afterwards. Call this right after
        :meth:`draw` restored the background, before drawing anything else that may overlap
        the artists' area, so that a stamp holds only background and the artists.
        """
        cached = self._stamps.get(key)
        if cached is not None:
            self.canvas.restore_region(cached)
            return
        renderer = self.canvas.get_renderer()
        boxes = []
        for a in artists:
            self.figure.draw_artist(a)
            boxes.append(a.get_window_extent(renderer))
            patch = a.get_bbox_patch() if hasattr(a, "get_bbox_patch") else None
            if patch is not None:
                boxes.append(patch.get_window_extent(renderer))
        box = Bbox.intersection(Bbox.union(boxes).padded(3), self.figure.bbox)
        if box is None:
            return
        if len(self._stamps) >= 512:
            self._stamps.clear()
        self._stamps[key] = self.canvas.copy_from_bbox(box)

    def png(self) -> bytes:
        return render_png(self.canvas)
