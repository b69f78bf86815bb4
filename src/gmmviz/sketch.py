"""Where a sketch becomes points: drawings and pen strokes to labelled point clouds for EM.

This module is the conversion only: plain NumPy and Pillow, no widget, no browser, no IPython, so
a script or a test can use it. The drawing pads that feed it live in :mod:`gmmviz.pads`
(``SketchPad`` in the browser, ``IpysketchPad`` on the desktop).

* :func:`points_from_image`: a drawing (PNG, PIL image, data URL, array) to ``(X, labels)``.
* :func:`points_from_strokes`: pen strokes (:class:`Stroke`, or an ipysketch drawing) to
  ``(X, labels)``.
* :func:`load_isk`: the strokes of an ipysketch ``.isk`` file, read safely (``.isk`` files are
  pickles: only ipysketch's drawing classes are admitted, by name, and nothing else is run).
  :func:`load_isk_model` gives ipysketch's own ``SketchModel`` (needs ipysketch installed).
* :func:`render_strokes`: strokes drawn into an image with Pillow.
* :func:`example_sketch`: the course's ready-made drawing.

How points are spread
---------------------
:func:`points_from_image` and :func:`points_from_strokes` spread ``n_points`` over the ink.

* Coordinates: x to the right, y up, so that a scatter plot looks like the drawing. The longer
  side of the picture spans ``[0, box]`` (``box=10`` by default) and the other side keeps the
  aspect ratio: a 400x300 canvas gives x in [0, 10] and y in [0, 7.5]. An image keeps its whole
  canvas (where you drew on the page matters); strokes use their bounding box widened by the
  widest pen on every side.
* Labels: ``0 .. C-1``, one per pen colour, numbered in order of first appearance: drawing order
  for strokes, reading order (top row first, left to right) for images.
* Every colour gets at least one point and otherwise points in proportion to its ink (pixels for
  an image, stroke length times pen width for strokes), so the counts are deterministic.
* Paper is ignored: transparent pixels and white (a white pen is paper).
* On transparent paper (a browser canvas), a pixel's colour is its pen's and its alpha says how
  much of it the pen covers, so pens are told apart by colour alone, even a light pen and a dark
  one of the same hue. On opaque paper, anti-aliased edge pixels are a pen colour blended with
  white: they snap to the pen whose blend line they are nearest, and pens that differ only in
  lightness (black and grey, pink and purple) look alike there and merge.
"""

from __future__ import annotations

import base64
import io
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageColor, ImageDraw, UnidentifiedImageError

from ._validation import check_int, check_number, check_random_state
from .palette import INK

__all__ = [
    "BOX",
    "MAX_POINTS",
    "WHAT_TO_DRAW",
    "EmptySketchError",
    "UnsafeSketchError",
    "Stroke",
    "points_from_image",
    "points_from_strokes",
    "load_isk",
    "load_isk_model",
    "render_strokes",
    "example_sketch",
    "example_sketch_path",
]

BOX = 10.0
"""Length of the longer side of a sketch in data coordinates."""

MAX_POINTS = 5000
"""Cap on ``n_points``: EM animations stay quick and the ink is not oversampled."""

WHAT_TO_DRAW = (
    "draw a point cloud with one pen colour per cluster, for example three blobs of short "
    "scribbles in three colours"
)
"""What the error messages ask the learner to draw."""

ImageLike = Image.Image | str | os.PathLike | bytes | np.ndarray


class EmptySketchError(ValueError):
    """The sketch has no ink (or nothing has been drawn yet)."""


class UnsafeSketchError(ValueError):
    """An ``.isk`` file asked for something that is not part of an ipysketch drawing."""


# --------------------------------------------------------------------------------------------
# Strokes and colours
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Stroke:
    """One pen stroke.

    Parameters
    ----------
    points : ndarray, shape (m, 2)
        Vertices in canvas pixels, x to the right and y *down* (as the pad records them).
    color : str or tuple of int
        Pen colour: a name (``"red"``), ``"#rrggbb"`` or an RGB tuple.
    width : float
        Pen width in pixels.
    """

    points: np.ndarray
    color: Any = INK
    width: float = 2.0
    rgb: tuple[int, int, int] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        pts = np.asarray(self.points, dtype=float)
        if pts.ndim == 1 and pts.size == 2:
            pts = pts.reshape(1, 2)
        if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) == 0:
            raise ValueError(
                f"a stroke needs points of shape (m, 2) with m >= 1, got shape {np.shape(self.points)}"
            )
        if not np.all(np.isfinite(pts)):
            raise ValueError("a stroke's points must be finite numbers (no NaN or inf)")
        width = float(self.width)
        if not width > 0:
            raise ValueError(f"a stroke's pen width must be positive, got {self.width!r}")
        object.__setattr__(self, "points", pts)
        object.__setattr__(self, "width", width)
        object.__setattr__(self, "rgb", _parse_rgb(self.color))


def _parse_rgb(color: Any) -> tuple[int, int, int] | None:
    """RGB of a colour spec, or None for a name Pillow does not know (e.g. some Tk names)."""
    if isinstance(color, str):
        try:
            return tuple(ImageColor.getrgb(color)[:3])  # type: ignore[return-value]
        except ValueError:
            return None
    try:
        values = tuple(int(c) for c in color)[:3]
    except (TypeError, ValueError):
        raise TypeError(f"a pen colour must be a name, '#rrggbb' or an RGB tuple, got {color!r}") from None
    if len(values) != 3 or not all(0 <= v <= 255 for v in values):
        raise ValueError(f"an RGB pen colour needs three values in 0..255, got {color!r}")
    return values  # type: ignore[return-value]


def _color_key(stroke: Stroke) -> Any:
    # 'red' and '#ff0000' are one pen; an unknown name is only equal to itself.
    return stroke.rgb if stroke.rgb is not None else str(stroke.color).strip().lower()


def _as_strokes(strokes: Any) -> list[Stroke]:
    """Accept our Strokes, ipysketch's SketchModel or Paths, or (points, color[, width]) tuples."""
    if isinstance(strokes, (str, os.PathLike)):
        raise TypeError(
            "points_from_strokes() takes strokes, not a file name: use load_isk(path) to read an "
            ".isk file, or points_from_image(path) for a PNG"
        )
    if hasattr(strokes, "paths"):
        strokes = strokes.paths
    out = []
    for item in strokes:
        if isinstance(item, Stroke):
            out.append(item)
        elif hasattr(item, "pen") and hasattr(item, "points"):
            pts = [(float(p.x), float(p.y)) for p in item.points]
            if pts:
                out.append(Stroke(np.asarray(pts), item.pen.color, item.pen.width))
        elif isinstance(item, (tuple, list)) and len(item) in (2, 3):
            out.append(Stroke(*item))
        else:
            raise TypeError(
                "each stroke must be a gmmviz.sketch.Stroke, an ipysketch Path, or a tuple "
                f"(points, color) / (points, color, width); got {type(item).__name__}"
            )
    return out


# --------------------------------------------------------------------------------------------
# Safe .isk loading
# --------------------------------------------------------------------------------------------

# Everything an ipysketch 0.2.2 SketchModel pickle refers to by name; lists, dicts, str, float and
# None need no lookup. Nothing here runs code when built: pickle only sets their __dict__.
_ISK_CLASSES = frozenset({"SketchModel", "Path", "Pen", "Point", "Lasso", "Rectangle"})


class _IskRecord:
    """Stand-in for an ipysketch drawing class: pickle fills its ``__dict__``, nothing more.

    :func:`load_isk` needs only the attributes (``paths``, ``pen.color``, ``points[i].x``...),
    so it reads ``.isk`` files without importing ipysketch (whose package imports IPython).
    """


class _IskPoint(_IskRecord):
    """Stand-in for ipysketch's Point: it keeps ``xy = [x, y]``, ``x`` and ``y`` are properties."""

    @property
    def x(self) -> float:
        return self.xy[0]

    @property
    def y(self) -> float:
        return self.xy[1]


# Named as ipysketch names them, so that messages say "it holds a Point".
_ISK_STAND_INS = {
    name: type(name, (_IskPoint if name == "Point" else _IskRecord,), {}) for name in _ISK_CLASSES
}


def _ipysketch_class(name: str) -> Any:
    from ipysketch import model

    return getattr(model, name)


class _IskUnpickler(pickle.Unpickler):
    def __init__(self, file: Any, source: str, resolve: Any) -> None:
        super().__init__(file)
        self._source = source
        self._resolve = resolve

    def find_class(self, module: str, name: str) -> Any:
        if module == "ipysketch.model" and name in _ISK_CLASSES:
            return self._resolve(name)
        raise UnsafeSketchError(
            f"gmmviz refuses to load {self._source}: it is not an ipysketch drawing (it asks "
            f"for {module}.{name}, and a drawing only contains ipysketch.model classes). Loading "
            "it could run code; open only .isk files saved by the ipysketch pad."
        )


def _unpickle_isk(path: str | os.PathLike, resolve: Any) -> Any:
    """The object pickled in ``path``, with ipysketch's class names mapped by ``resolve``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no sketch file {str(path)!r}: draw in the ipysketch pad and save (the disk icon)"
        )
    with open(path, "rb") as f:
        try:
            model = _IskUnpickler(f, repr(str(path)), resolve).load()
        except UnsafeSketchError:
            raise
        except Exception as exc:  # a truncated or foreign file fails in many ways
            raise ValueError(
                f"cannot read {str(path)!r} as an ipysketch drawing ({type(exc).__name__}: {exc}); "
                "draw and save it again with the ipysketch pad"
            ) from None
    if type(model).__name__ != "SketchModel" or not hasattr(model, "paths"):
        raise ValueError(
            f"{str(path)!r} is not an ipysketch drawing: it holds a {type(model).__name__}, "
            "not a SketchModel; draw and save it again with the ipysketch pad"
        )
    return model


def load_isk_model(path: str | os.PathLike) -> Any:
    """ipysketch's own ``SketchModel`` saved in ``path``, loaded safely (needs ipysketch).

    For the desktop pad, which edits the drawing further. To read the strokes, use
    :func:`load_isk`, which needs neither ipysketch nor IPython.

    Raises
    ------
    UnsafeSketchError, ValueError, FileNotFoundError
        As :func:`load_isk`.
    """
    return _unpickle_isk(path, _ipysketch_class)


def load_isk(path: str | os.PathLike) -> list[Stroke]:
    """Read the strokes of an ipysketch ``.isk`` file, safely.

    Parameters
    ----------
    path : str or path-like
        The ``<name>.isk`` file the ipysketch pad saved.

    Returns
    -------
    list of Stroke
        In drawing order, with the exact pen colours, widths and vertex coordinates.

    Raises
    ------
    UnsafeSketchError
        The pickle asks for anything but ipysketch's drawing classes (it could run code); nothing
        it asked for is run.
    ValueError
        The file is not a readable ipysketch drawing.
    FileNotFoundError
        There is no such file.
    """
    return _as_strokes(_unpickle_isk(path, _ISK_STAND_INS.__getitem__))


# --------------------------------------------------------------------------------------------
# Sampling helpers
# --------------------------------------------------------------------------------------------


def _check_n_points(n_points: Any, max_points: int) -> int:
    n_points = check_int(n_points, "n_points", minimum=1)
    if n_points > max_points:
        raise ValueError(
            f"n_points={n_points} is more than the cap of {max_points}: ask for fewer points "
            "(a few hundred show EM well), or raise max_points"
        )
    return n_points


def _allocate(n_points: int, weights: np.ndarray) -> np.ndarray:
    """Split n_points over colours: one each, the rest in proportion (largest remainder)."""
    n_colors = len(weights)
    if n_points < n_colors:
        raise ValueError(
            f"n_points={n_points} is fewer than the {n_colors} pen colours in the sketch: ask for "
            f"at least {n_colors} points so that every colour gets one"
        )
    rest = n_points - n_colors
    share = rest * weights / weights.sum()
    counts = np.floor(share).astype(int)
    # Ties go to the earlier label (stable sort) so the split never depends on chance.
    order = np.argsort(-(share - counts), kind="stable")
    counts[order[: rest - counts.sum()]] += 1
    return counts + 1


def _check_distinct(n_distinct: int, n_components: int | None) -> None:
    if n_components is None:
        return
    if n_distinct < n_components:
        raise ValueError(
            f"the sketch has only {n_distinct} distinct ink position(s), fewer than the "
            f"{n_components} components asked for: {WHAT_TO_DRAW}"
        )


# --------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------


def _load_image(image: ImageLike) -> np.ndarray:
    """RGBA uint8 array (H, W, 4) of a PIL image, a path, PNG bytes, a data URL or an array."""
    if isinstance(image, np.ndarray):
        arr = image
        if arr.ndim == 2:
            arr = np.repeat(arr[..., None], 3, axis=2)
        if arr.ndim != 3 or arr.shape[2] not in (3, 4):
            raise ValueError(
                f"an image array must have shape (H, W), (H, W, 3) or (H, W, 4), got {arr.shape}"
            )
        if arr.dtype.kind == "f":
            if arr.size and (np.nanmin(arr) < 0 or np.nanmax(arr) > 1):
                raise ValueError("a float image array must hold values in [0, 1]; pass uint8 for 0..255")
            arr = np.round(np.nan_to_num(arr) * 255)
        arr = arr.astype(np.uint8)
        if arr.shape[2] == 3:
            arr = np.concatenate([arr, np.full(arr.shape[:2] + (1,), 255, np.uint8)], axis=2)
        return arr
    if isinstance(image, str) and image.startswith("data:"):
        try:
            image = base64.b64decode(image.split(",", 1)[1])
        except (IndexError, ValueError):
            raise ValueError("the data URL holds no base64 image data") from None
    if isinstance(image, (bytes, bytearray)):
        source, opener = "the image bytes", io.BytesIO(image)
    elif isinstance(image, (str, os.PathLike)):
        path = Path(image)
        if not path.is_file():
            raise FileNotFoundError(
                f"no sketch image {str(path)!r}: save a drawing as PNG first, or pass "
                "example_sketch() for the course's ready-made one"
            )
        source, opener = repr(str(path)), path
    elif isinstance(image, Image.Image):
        source, opener = None, None
    else:
        raise TypeError(
            "a sketch image must be a PIL image, a file path, PNG bytes, a data URL or an array, "
            f"got {type(image).__name__}"
        )
    if opener is not None:
        try:
            with Image.open(opener) as im:
                im.load()
                image = im.copy()
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise ValueError(f"cannot read {source} as an image ({exc}); save the drawing as a PNG") from None
    return np.asarray(image.convert("RGBA"))


def _segment_fit(ink: np.ndarray, pens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ink vectors (n,3) and pen ink vectors (k,3): distance to each pen's paper blend line
    and the blend amount t in [0, 1] along it (0 = paper, 1 = pure pen colour)."""
    t = (ink @ pens.T) / np.einsum("kc,kc->k", pens, pens)
    t = np.clip(t, 0.0, 1.0)
    residual = np.linalg.norm(ink[:, None, :] - t[:, :, None] * pens[None, :, :], axis=2)
    return residual, t


def _nearest_pen(ink: np.ndarray, pens: np.ndarray, blends: bool) -> tuple[np.ndarray, np.ndarray]:
    """Distance of each ink vector (n,3) to each pen (k,3), and the blend amount in [0, 1].

    ``blends``: the ink may be a pen blended with white paper, so the distance is to the pen's
    blend line and the amount is where along it (0 = paper, 1 = pure pen). Otherwise (straight
    colours from transparent paper) the distance is to the pen colour itself; the amount is 1.
    """
    if blends:
        return _segment_fit(ink, pens)
    distance = np.linalg.norm(ink[:, None, :] - pens[None, :, :], axis=2)
    return distance, np.ones_like(distance)


def _find_pens(
    ink: np.ndarray, tolerance: float, min_share: float, max_colors: int, blends: bool = True
) -> np.ndarray:
    """Pen colours of a drawing, as ink vectors (255 - RGB).

    A pen's stroke interior is its exact colour and therefore frequent. With ``blends`` (opaque
    paper) edge pixels are that colour blended with paper and lie on the line from paper to pen:
    frequent colours are taken strongest first, and a colour within ``tolerance`` of an earlier
    pen's blend line is that pen. Without (straight colours) the most frequent colours come first
    and a colour within ``tolerance`` of an earlier pen is that pen.
    """
    colors, counts = np.unique(np.round(ink).astype(np.int16), axis=0, return_counts=True)
    keep = counts >= max(3.0, min_share * len(ink))
    if not keep.any():
        keep = counts == counts.max()
    colors, counts = colors[keep].astype(float), counts[keep]
    order = -np.linalg.norm(colors, axis=1) if blends else -counts
    colors = colors[np.argsort(order, kind="stable")]
    pens: list[np.ndarray] = []
    for c in colors:
        if pens:
            distance, _ = _nearest_pen(c[None, :], np.asarray(pens), blends)
            if distance.min() <= tolerance:
                continue
        pens.append(c)
    if len(pens) > max_colors:
        raise ValueError(
            f"the image has {len(pens)} distinct ink colours, more than max_colors={max_colors}: "
            "a sketch should use a few pen colours, one per cluster. For another kind of image "
            "pass its pen colours as colors=[...]"
        )
    return np.asarray(pens)


def points_from_image(
    image: ImageLike,
    n_points: int = 300,
    *,
    random_state: int | np.random.Generator | None = None,
    box: float = BOX,
    colors: Iterable[Any] | None = None,
    n_components: int | None = None,
    ink_threshold: float = 0.5,
    color_tolerance: float = 60.0,
    min_color_share: float = 0.005,
    max_colors: int = 10,
    max_points: int = MAX_POINTS,
    return_colors: bool = False,
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample a labelled point cloud from a drawing.

    Points are spread uniformly over the ink (a random spot inside randomly chosen ink pixels, so
    the cloud is as wide as the brush), one label per pen colour.

    Parameters
    ----------
    image : PIL image, path, PNG bytes, data URL or array
        The drawing: coloured ink on transparent or white paper.
    n_points : int
        How many points to return in total (at most ``max_points``).
    random_state : int, Generator or None
        Seed for reproducible points.
    box : float
        Length of the picture's longer side in data coordinates (see the module docstring).
    colors : sequence of colour specs, optional
        The pen colours, if known (names, ``"#rrggbb"`` or RGB tuples). By default they are found
        in the image. Labels still follow first appearance; pens without ink are dropped.
    n_components : int, optional
        The number of mixture components you will fit: fewer distinct ink pixels is an error.
    ink_threshold : float
        How much of a pixel the pen must cover (0..1) for it to count as ink.
    color_tolerance : float
        RGB distance under which two colours are one pen (paper blends included).
    min_color_share : float
        Colours covering less than this share of the ink are blends, not pens.
    max_colors : int
        More pen colours than this is an error (the image is not a sketch).
    max_points : int
        Cap on ``n_points``.
    return_colors : bool
        Also return the pen colours, (C, 3) uint8 RGB, row ``c`` for label ``c``.

    Returns
    -------
    X : ndarray, shape (n_points, 2)
        Float coordinates, x right and y up, in ``[0, box]``.
    labels : ndarray of int, shape (n_points,)
        ``0 .. C-1``, numbered by first appearance in reading order.

    Raises
    ------
    EmptySketchError
        There is no ink.
    ValueError, TypeError, FileNotFoundError
        Unreadable input or impossible request, with what to do instead.
    """
    n_points = _check_n_points(n_points, max_points)
    rng = check_random_state(random_state)
    box = check_number(box, "box (the length of the longer side)", minimum=0, strict=True)
    ink_threshold = check_number(ink_threshold, "ink_threshold", minimum=0, maximum=1)
    if ink_threshold == 0:
        raise ValueError(
            "ink_threshold must be in (0, 1], got 0: pass a fraction of full opacity such as 0.5."
        )
    rgba = _load_image(image)
    height, width = rgba.shape[:2]
    alpha = rgba[..., 3:4] / 255.0
    # Seen on white paper, a pixel is its colour blended with white by its alpha.
    ink = (255.0 - (rgba[..., :3] * alpha + 255.0 * (1.0 - alpha))).reshape(-1, 3)
    # Transparent paper (a browser canvas) keeps each pixel's own colour and its coverage apart.
    blends = not bool((rgba[..., 3] == 0).any())
    straight = (255.0 - rgba[..., :3]).reshape(-1, 3).astype(float)
    # A faint tint is paper, not ink (scanner or compression noise).
    candidate = np.flatnonzero(ink.max(axis=1) >= 0.1 * 255)
    if candidate.size == 0:
        raise EmptySketchError(f"the sketch is empty (no ink, only paper): {WHAT_TO_DRAW}")
    cand_ink = ink[candidate] if blends else straight[candidate]
    cand_alpha = alpha.reshape(-1)[candidate]

    if colors is not None:
        rgb = [_parse_rgb(c) for c in colors]
        if any(c is None for c in rgb):
            bad = [c for c, v in zip(colors, rgb) if v is None]
            raise ValueError(f"unknown colour name(s) {bad}: use '#rrggbb' or RGB tuples")
        pens = 255.0 - np.asarray(rgb, dtype=float).reshape(-1, 3)
        if len(pens) == 0:
            raise ValueError("colors is empty: give at least one pen colour, or leave it out")
        if np.any(np.linalg.norm(pens, axis=1) < 1):
            raise ValueError("white cannot be a pen colour: it is the paper; draw in another colour")
    else:
        # Pens are found among well-covered pixels: faint edges of a canvas carry rounded colours.
        found_in = cand_ink if blends else cand_ink[cand_alpha >= ink_threshold]
        if found_in.size == 0:
            raise EmptySketchError(f"the sketch is empty (only faint marks): {WHAT_TO_DRAW}")
        pens = _find_pens(found_in, float(color_tolerance), float(min_color_share), int(max_colors), blends)

    distance, t = _nearest_pen(cand_ink, pens, blends)
    pen_of = distance.argmin(axis=1)
    coverage = t[np.arange(len(pen_of)), pen_of] if blends else cand_alpha
    is_ink = coverage >= ink_threshold
    pixels, pen_of = candidate[is_ink], pen_of[is_ink]
    if pixels.size == 0:
        raise EmptySketchError(f"the sketch is empty (only faint marks): {WHAT_TO_DRAW}")
    _check_distinct(pixels.size, n_components)

    # Label pens by where they first appear in reading order (pixels are in raster order).
    present, first = np.unique(pen_of, return_index=True)
    present = present[np.argsort(first)]
    relabel = np.full(len(pens), -1)
    relabel[present] = np.arange(len(present))
    pixel_label = relabel[pen_of]
    pixel_counts = np.bincount(pixel_label, minlength=len(present))
    counts = _allocate(n_points, pixel_counts.astype(float))

    chosen, labels = [], []
    for label, k in enumerate(counts):
        own = pixels[pixel_label == label]
        chosen.append(rng.choice(own, size=k, replace=k > own.size))
        labels.append(np.full(k, label))
    chosen_idx = np.concatenate(chosen)
    labels_arr = np.concatenate(labels)
    rows, cols = np.divmod(chosen_idx, width)
    scale = box / max(width, height)
    offsets = rng.random((len(chosen_idx), 2))
    X = np.column_stack([(cols + offsets[:, 0]) * scale, (height - rows - offsets[:, 1]) * scale])
    order = rng.permutation(len(X))
    X, labels_arr = X[order], labels_arr[order].astype(np.int64)
    if return_colors:
        return X, labels_arr, (255.0 - pens[present]).round().astype(np.uint8)
    return X, labels_arr


# --------------------------------------------------------------------------------------------
# Strokes
# --------------------------------------------------------------------------------------------


def points_from_strokes(
    strokes: Any,
    n_points: int = 300,
    *,
    random_state: int | np.random.Generator | None = None,
    box: float = BOX,
    jitter: float = 0.5,
    n_components: int | None = None,
    max_points: int = MAX_POINTS,
    return_colors: bool = False,
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample a labelled point cloud along pen strokes.

    Points are spread evenly along the strokes of each colour (systematic sampling from a random
    start), then moved by Gaussian jitter whose standard deviation is ``jitter`` times the pen
    width, so that a stroke becomes a band of points as wide as the ink.

    Parameters
    ----------
    strokes : list of Stroke, ipysketch SketchModel, ipysketch Paths or (points, color[, width])
        Points in canvas pixels with y down, as :func:`load_isk` returns them.
    n_points : int
        How many points to return in total (at most ``max_points``).
    random_state : int, Generator or None
        Seed for reproducible points.
    box : float
        Length of the longer side of the strokes' padded bounding box in data coordinates.
    jitter : float
        Standard deviation of the jitter in pen widths (0 puts points on the stroke lines).
    n_components : int, optional
        The number of mixture components you will fit: fewer distinct ink pixels is an error.
    max_points : int
        Cap on ``n_points``.
    return_colors : bool
        Also return the pen colours, (C, 3) uint8 RGB, row ``c`` for label ``c`` (the same type
        as :func:`points_from_image` gives). A pen colour name Pillow does not know is an error.

    Returns
    -------
    X : ndarray, shape (n_points, 2)
        Float coordinates, x right and y up, in ``[0, box]``.
    labels : ndarray of int, shape (n_points,)
        ``0 .. C-1`` in order of each colour's first stroke.
    """
    n_points = _check_n_points(n_points, max_points)
    rng = check_random_state(random_state)
    box = check_number(box, "box (the length of the longer side)", minimum=0, strict=True)
    jitter = check_number(jitter, "jitter (in pen widths)", minimum=0)
    strokes = _as_strokes(strokes)
    if not strokes:
        raise EmptySketchError(f"the sketch is empty (no strokes): {WHAT_TO_DRAW}")

    keys: list[Any] = []
    names: list[Any] = []
    # Per segment: start, end, weight (ink area), pen width, label.
    starts, ends, weights, widths, seg_label = [], [], [], [], []
    for s in strokes:
        key = _color_key(s)
        if key not in keys:
            keys.append(key)
            names.append(s.color)
        label = keys.index(key)
        p = s.points
        if len(p) == 1 or np.allclose(p, p[0]):
            # A dot: as much ink as a stroke one pen width long.
            a, b, length = p[:1], p[:1], np.array([s.width])
        else:
            a, b = p[:-1], p[1:]
            length = np.linalg.norm(b - a, axis=1)
        starts.append(a)
        ends.append(b)
        weights.append(length * s.width)
        widths.append(np.full(len(a), s.width))
        seg_label.append(np.full(len(a), label))
    a, b = np.concatenate(starts), np.concatenate(ends)
    w, pen_w, seg_label_arr = np.concatenate(weights), np.concatenate(widths), np.concatenate(seg_label)

    # Distinct ink pixels the strokes pass through, at one-pixel steps along every segment.
    steps = np.maximum(np.ceil(np.linalg.norm(b - a, axis=1)).astype(int), 1)
    fractions = np.concatenate([np.linspace(0, 1, k + 1) for k in steps])
    repeat = steps + 1
    trace = np.repeat(a, repeat, axis=0) + fractions[:, None] * np.repeat(b - a, repeat, axis=0)
    _check_distinct(len(np.unique(np.round(trace).astype(np.int64), axis=0)), n_components)

    color_weight = np.bincount(seg_label_arr, weights=w, minlength=len(keys))
    counts = _allocate(n_points, color_weight)
    samples, labels = [], []
    for label, k in enumerate(counts):
        own = np.flatnonzero(seg_label_arr == label)
        cum = np.cumsum(w[own])
        # Systematic sampling: evenly spaced along the ink, so a stroke is covered without clumps.
        u = (np.arange(k) + rng.random()) / k * cum[-1]
        seg = own[np.minimum(np.searchsorted(cum, u, side="right"), len(own) - 1)]
        before = np.concatenate([[0.0], cum[:-1]])[np.searchsorted(own, seg)]
        frac = np.clip((u - before) / np.maximum(w[seg], 1e-12), 0.0, 1.0)
        pts = a[seg] + frac[:, None] * (b[seg] - a[seg])
        pts = pts + rng.normal(size=pts.shape) * (jitter * pen_w[seg])[:, None]
        samples.append(pts)
        labels.append(np.full(k, label))
    P = np.concatenate(samples)
    labels_arr = np.concatenate(labels).astype(np.int64)

    vertices = np.concatenate([s.points for s in strokes])
    pad = max(s.width for s in strokes)
    lo = vertices.min(axis=0) - pad
    hi = vertices.max(axis=0) + pad
    scale = box / (hi - lo).max()
    X = np.column_stack([(P[:, 0] - lo[0]) * scale, (hi[1] - P[:, 1]) * scale])
    X = np.clip(X, 0.0, (hi - lo) * scale)
    order = rng.permutation(len(X))
    X, labels_arr = X[order], labels_arr[order]
    if return_colors:
        return X, labels_arr, _rgb_array(names)
    return X, labels_arr


def _rgb_array(colors: list[Any]) -> np.ndarray:
    """Pen colours as a (C, 3) uint8 RGB array, as :func:`points_from_image` returns them."""
    rgb = [_parse_rgb(c) for c in colors]
    unknown = [c for c, v in zip(colors, rgb) if v is None]
    if unknown:
        raise ValueError(
            f"unknown pen colour name(s) {unknown}: Pillow cannot turn them into RGB; draw with "
            "'#rrggbb' colours or call without return_colors"
        )
    return np.asarray(rgb, dtype=np.uint8).reshape(-1, 3)


def render_strokes(
    strokes: Any,
    *,
    margin: int = 20,
    background: Any = (255, 255, 255, 255),
    color_to_rgb: Any = None,
    supersample: int = 4,
) -> Image.Image:
    """Draw strokes into an RGBA image with Pillow, cropped to them plus ``margin`` pixels.

    Parameters
    ----------
    strokes : as for :func:`points_from_strokes`
    margin : int
        Paper around the strokes' bounding box, in pixels (ipysketch uses 20).
    background : colour
        Paper colour; ``(0, 0, 0, 0)`` for transparent.
    color_to_rgb : callable, optional
        Maps a pen colour to an RGB tuple, for names Pillow does not know (the launcher passes
        Tk's own lookup).
    supersample : int
        Draw this many times larger, then shrink: anti-aliased edges.

    Returns
    -------
    PIL.Image.Image
    """
    strokes = _as_strokes(strokes)
    if not strokes:
        raise EmptySketchError(f"there are no strokes to draw: {WHAT_TO_DRAW}")
    vertices = np.concatenate([s.points for s in strokes])
    lo = np.floor(vertices.min(axis=0)) - margin
    size = np.ceil(vertices.max(axis=0) - lo + margin).astype(int) + 1
    ss = int(supersample)
    big = Image.new("RGBA", tuple(int(v) * ss for v in size), background)
    pen = ImageDraw.Draw(big)
    for s in strokes:
        rgb = color_to_rgb(s.color) if color_to_rgb is not None else s.rgb
        if rgb is None:
            raise ValueError(f"unknown pen colour {s.color!r}: pass color_to_rgb= to translate colour names")
        fill = tuple(int(v) for v in rgb[:3]) + (255,)
        xy = [tuple(p) for p in (s.points - lo) * ss]
        r = s.width * ss / 2
        if len(xy) > 1:
            pen.line(xy, fill=fill, width=max(int(round(s.width * ss)), 1), joint="curve")
        for x, y in (xy[0], xy[-1]):
            pen.ellipse((x - r, y - r, x + r, y + r), fill=fill)
    return big.resize(tuple(int(v) for v in size), Image.Resampling.LANCZOS)


# --------------------------------------------------------------------------------------------
# The ready-made drawing
# --------------------------------------------------------------------------------------------


def example_sketch_path() -> Path:
    """Path of the ready-made drawing (three clusters in blue, orange and green: pens 1, 2, 3; 400x300 PNG)."""
    return Path(str(resources.files("gmmviz") / "data" / "example_sketch.png"))


def example_sketch() -> Image.Image:
    """The ready-made drawing as an RGBA image, for notebooks run without a browser.

    Made by ``scripts/make_example_sketch.py``: three clusters of scribbles in three colours on
    a transparent 400x300 canvas, like a learner's drawing in :class:`SketchPad`.
    """
    with Image.open(example_sketch_path()) as im:
        im.load()
        return im.convert("RGBA")
