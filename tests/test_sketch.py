"""Sketches become labelled point clouds: images, strokes, safe .isk loading and SketchPad."""

from __future__ import annotations

import base64
import io
import os
import pickle
import re
import runpy
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from gmmviz import fit_em, pads, sketch
from gmmviz.pads import SketchPad
from gmmviz.sketch import (
    BOX,
    MAX_POINTS,
    EmptySketchError,
    Stroke,
    UnsafeSketchError,
    example_sketch,
    load_isk,
    points_from_image,
    points_from_strokes,
)
from widget_checks import contrast, controls, png_of_bundle

ROOT = Path(__file__).resolve().parents[1]
RED = (220, 20, 60)
BLUE = (30, 60, 200)
SS = 4  # supersampling factor: shrinking with a box filter gives exact anti-aliased coverage


def two_stroke_image(background=(0, 0, 0, 0)) -> Image.Image:
    """400x300: a red bar (200x10 px of ink) near the top, a blue bar (10x100 px) lower right.

    Edges sit at .25 pixel so that edge pixels are anti-aliased: rows/columns covered 75 % count
    as ink (threshold 0.5), those covered 25 % do not, which makes the ink areas exact.
    """
    big = Image.new("RGBA", (400 * SS, 300 * SS), background)
    draw = ImageDraw.Draw(big)

    def bar(x0, y0, x1, y1, colour):
        # Pillow's rectangle includes both corners: stop one supersampled pixel short.
        draw.rectangle((x0 * SS, y0 * SS, x1 * SS - 1, y1 * SS - 1), fill=colour + (255,))

    bar(40.25, 50.25, 240.25, 60.25, RED)
    bar(300.25, 150.25, 310.25, 250.25, BLUE)
    return big.resize((400, 300), Image.Resampling.BOX)


def png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


# ------------------------------------------------------------------------------ images


def test_fixture_really_is_anti_aliased():
    alpha = np.asarray(two_stroke_image())[..., 3]
    assert set(np.unique(alpha)) >= {0, 255}
    partial = alpha[(alpha > 0) & (alpha < 255)]
    assert partial.size > 100  # soft edges all round both bars


@pytest.mark.parametrize("background", [(0, 0, 0, 0), (255, 255, 255, 255)], ids=["transparent", "white"])
def test_two_strokes_give_two_labels_with_right_counts_orientation_and_bounds(tmp_path, background):
    path = tmp_path / "two.png"
    image = two_stroke_image(background)
    if background[3] == 255:
        image = image.convert("RGB")  # an opaque drawing: the edges are blends with white
    image.save(path)
    X, labels, colours = points_from_image(path, 300, random_state=1, return_colors=True)

    assert X.shape == (300, 2) and X.dtype == np.float64
    assert labels.dtype.kind == "i"
    # 2000 red ink pixels and 1000 blue: one point each, the other 298 split 2:1.
    np.testing.assert_array_equal(np.bincount(labels), [200, 100])
    # Red is first in reading order (it is higher up): label 0. Its colour is the pen's exactly.
    np.testing.assert_array_equal(colours, [RED, BLUE])
    scale = BOX / 400
    red, blue = X[labels == 0], X[labels == 1]
    # Red bar: columns 40..239, rows 50..59; blue bar: columns 300..309, rows 150..249.
    assert red[:, 0].min() >= 40 * scale and red[:, 0].max() <= 240 * scale
    assert red[:, 1].min() >= (300 - 60) * scale and red[:, 1].max() <= (300 - 50) * scale
    assert blue[:, 0].min() >= 300 * scale and blue[:, 0].max() <= 310 * scale
    assert blue[:, 1].min() >= (300 - 250) * scale and blue[:, 1].max() <= (300 - 150) * scale
    # Spread along the ink, not bunched: the red bar is covered from end to end.
    assert red[:, 0].max() - red[:, 0].min() > 0.9 * 200 * scale
    # y is up: the bar drawn at the top of the picture has the larger y.
    assert red[:, 1].mean() > blue[:, 1].mean()


def test_points_are_reproducible_and_the_box_is_adjustable():
    image = two_stroke_image()
    X1, y1 = points_from_image(image, 120, random_state=3)
    X2, y2 = points_from_image(image, 120, random_state=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, y3 = points_from_image(image, 120, random_state=3, box=1.0)
    np.testing.assert_allclose(X3, X1 / BOX)
    assert X3[:, 0].max() <= 1.0 and X3[:, 1].max() <= 0.75


def test_edge_pixels_snap_to_their_pen_not_to_a_new_colour():
    # A thin anti-aliased diagonal has many distinct edge shades, all blends of one pen.
    big = Image.new("RGBA", (200 * SS, 200 * SS), (0, 0, 0, 0))
    ImageDraw.Draw(big).line((10 * SS, 20 * SS, 190 * SS, 170 * SS), fill=(0, 0, 0, 255), width=3 * SS)
    image = big.resize((200, 200), Image.Resampling.BOX)
    X, labels = points_from_image(image, 200, random_state=0)
    assert set(labels.tolist()) == {0}
    # Points follow the line (slope -150/180 in y-up coordinates).
    slope = np.polyfit(X[:, 0], X[:, 1], 1)[0]
    assert slope == pytest.approx(-150 / 180, abs=0.05)


def test_given_colours_override_detection_and_absent_pens_are_dropped():
    X, labels, colours = points_from_image(
        two_stroke_image(), 90, random_state=0, colors=["#1e3cc8", (0, 200, 0), RED], return_colors=True
    )
    np.testing.assert_array_equal(colours, [RED, BLUE])  # first appearance, green has no ink
    np.testing.assert_array_equal(np.bincount(labels), [60, 30])


def test_blank_png_raises_a_clear_error(tmp_path):
    for name, colour in [("transparent.png", (0, 0, 0, 0)), ("white.png", (255, 255, 255, 255))]:
        path = tmp_path / name
        Image.new("RGBA", (64, 48), colour).save(path)
        with pytest.raises(
            EmptySketchError, match="empty.*draw a point cloud with one pen colour per cluster"
        ):
            points_from_image(path, 50)


def test_unreadable_and_missing_files_say_so(tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    with pytest.raises(ValueError, match="cannot read .*notes.png.* as an image"):
        points_from_image(bad, 10)
    with pytest.raises(FileNotFoundError, match="no sketch image .*missing.png"):
        points_from_image(tmp_path / "missing.png", 10)
    with pytest.raises(TypeError, match="PIL image, a file path"):
        points_from_image(12345, 10)


def test_fewer_distinct_ink_pixels_than_components_is_an_error():
    image = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    image.putpixel((3, 4), (0, 0, 0, 255))
    image.putpixel((10, 12), (0, 0, 0, 255))
    X, _ = points_from_image(image, 10, n_components=2, random_state=0)
    assert len(X) == 10
    with pytest.raises(ValueError, match="only 2 distinct ink position.*3 components.*draw"):
        points_from_image(image, 10, n_components=3)


def test_n_points_is_checked_and_capped():
    image = two_stroke_image()
    with pytest.raises(ValueError, match=f"cap of {MAX_POINTS}"):
        points_from_image(image, MAX_POINTS + 1)
    assert len(points_from_image(image, 600, max_points=600)[0]) == 600
    with pytest.raises(ValueError, match="at least 1"):
        points_from_image(image, 0)
    with pytest.raises(TypeError, match="integer"):
        points_from_image(image, 10.5)
    with pytest.raises(ValueError, match="fewer than the 2 pen colours"):
        points_from_image(image, 1)


def test_random_state_box_and_jitter_are_checked_as_everywhere_in_gmmviz():
    """random_state is None, an int >= 0 or a Generator, as in fit_em; a Generator continues its stream."""
    image = two_stroke_image()
    strokes = [Stroke(np.array([[0.0, 0.0], [40.0, 30.0]]), "red", 3)]
    for convert, source in ((points_from_image, image), (points_from_strokes, strokes)):
        with pytest.raises(ValueError, match="random_state must be a non-negative integer, got -1"):
            convert(source, 20, random_state=-1)
        with pytest.raises(TypeError, match="random_state must be None, an int or a numpy Generator"):
            convert(source, 20, random_state=1.5)
        with pytest.raises(ValueError, match="box .* must be positive"):
            convert(source, 20, box=0)
        first = convert(source, 20, random_state=np.random.default_rng(7))[0]
        rng = np.random.default_rng(7)
        again = convert(source, 20, random_state=rng)[0]
        np.testing.assert_array_equal(first, again)
        assert not np.array_equal(convert(source, 20, random_state=rng)[0], again)  # the stream moved on
    with pytest.raises(ValueError, match="jitter .* must be non-negative"):
        points_from_strokes(strokes, 20, jitter=-1)
    with pytest.raises(TypeError, match="jitter"):
        points_from_strokes(strokes, 20, jitter="wide")


def test_images_from_bytes_data_urls_and_arrays_agree():
    image = two_stroke_image()
    raw = png_bytes(image)
    url = "data:image/png;base64," + base64.b64encode(raw).decode()
    expected = points_from_image(image, 50, random_state=5)
    for source in (raw, url, np.asarray(image), np.asarray(image) / 255.0):
        X, labels = points_from_image(source, 50, random_state=5)
        np.testing.assert_allclose(X, expected[0])
        np.testing.assert_array_equal(labels, expected[1])


def test_a_photo_like_image_is_not_taken_for_a_sketch():
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 200, size=(60, 60, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="distinct ink colours.*colors="):
        points_from_image(noise, 50)


# ------------------------------------------------------------------------------ strokes


def test_strokes_become_labelled_points_along_the_ink():
    strokes = [
        Stroke(np.array([[0.0, 0.0], [100.0, 0.0]]), "red", 4),  # at the top of the canvas
        Stroke(np.array([[50.0, 100.0], [50.0, 150.0]]), "blue", 4),  # below it
        Stroke(np.array([[0.0, 10.0], [100.0, 10.0]]), "#ff0000", 4),  # red again, by hex
    ]
    X, labels, colours = points_from_strokes(strokes, 252, random_state=0, jitter=0, return_colors=True)
    # The same type as from an image: (C, 3) uint8 RGB, one row per label (CSS red and blue).
    assert isinstance(colours, np.ndarray) and colours.dtype == np.uint8
    np.testing.assert_array_equal(colours, [[255, 0, 0], [0, 0, 255]])
    # Ink: red 2 x 100 px, blue 50 px (same width): 1 each + 250 split 4:1.
    np.testing.assert_array_equal(np.bincount(labels), [201, 51])
    # Box: vertices span x 0..100, y 0..150, widened by the pen width (4) on every side.
    scale = BOX / 158
    red, blue = X[labels == 0], X[labels == 1]
    np.testing.assert_allclose(np.unique(np.round(red[:, 1] / scale, 6)), [158 - 4 - 10, 158 - 4])
    np.testing.assert_allclose(blue[:, 0], (50 + 4) * scale)
    assert blue[:, 1].max() < red[:, 1].min()  # drawn lower, so smaller y
    assert X.min() >= 0 and X[:, 0].max() <= 108 * scale + 1e-9 and X[:, 1].max() <= BOX + 1e-9
    # Evenly spread: each red line is covered end to end without gaps wider than a few px.
    xs = np.sort(red[:, 0]) / scale
    assert xs.min() < 4 + 2 and xs.max() > 104 - 2 and np.diff(xs).max() < 3


def test_stroke_jitter_is_on_the_order_of_the_pen_width():
    line = [Stroke(np.array([[0.0, 0.0], [400.0, 0.0]]), "black", 8)]
    X, _ = points_from_strokes(line, 2000, random_state=0, jitter=0.5)
    px = BOX / (400 + 16)
    spread = X[:, 1].std() / px
    assert 3.0 < spread < 5.0  # sd = 0.5 x 8 px


def test_empty_or_wrong_strokes_get_clear_errors():
    with pytest.raises(EmptySketchError, match="no strokes"):
        points_from_strokes([], 10)
    with pytest.raises(TypeError, match="load_isk"):
        points_from_strokes("gmm.isk", 10)
    with pytest.raises(ValueError, match=r"shape \(m, 2\)"):
        Stroke(np.zeros((3, 3)), "red")
    with pytest.raises(ValueError, match="only 1 distinct ink position.*2 components"):
        points_from_strokes([Stroke(np.array([[5.0, 5.0]]), "red", 2)], 10, n_components=2)


# ------------------------------------------------------------------------------ .isk files


def ipysketch_model():
    from ipysketch.model import Pen, Point, SketchModel

    model = SketchModel()
    model.start_path(Point(10, 20), Pen(width=2, color="red"))
    for x in range(12, 60, 4):
        model.continue_path(Point(x, 20 + x // 2))
    model.finish_path(Point(60, 50))
    model.start_path(Point(200, 150), Pen(width=8, color="#0000ff"))
    model.finish_path(Point(260, 90))
    return model


def test_isk_written_by_ipysketch_classes_round_trips(tmp_path):
    model = ipysketch_model()
    path = tmp_path / "gmm.isk"
    with open(path, "wb") as f:
        pickle.dump(model, f)  # exactly what ipysketch's save does
    strokes = load_isk(path)
    assert [(s.color, s.width) for s in strokes] == [("red", 2.0), ("#0000ff", 8.0)]
    for stroke, orig in zip(strokes, model.paths):
        np.testing.assert_array_equal(stroke.points, [[p.x, p.y] for p in orig.points])
    X, labels = points_from_strokes(strokes, 100, random_state=0)
    assert set(labels.tolist()) == {0, 1} and X.shape == (100, 2)


class _RunsAShellCommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


class _OpensAFile:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


@pytest.mark.parametrize("attack", [_RunsAShellCommand, _OpensAFile])
@pytest.mark.parametrize("where", ["whole file", "inside a real drawing"])
def test_a_malicious_isk_is_refused_and_nothing_it_asked_for_runs(tmp_path, attack, where):
    marker = tmp_path / "pwned"
    payload = attack(marker)
    if where == "inside a real drawing":
        model = ipysketch_model()
        model.paths[1].pen.color = payload
        payload = model
    path = tmp_path / "evil.isk"
    path.write_bytes(pickle.dumps(payload))
    with pytest.raises(UnsafeSketchError, match="refuses to load .*evil.isk.*not an ipysketch drawing"):
        load_isk(path)
    assert not marker.exists()


def test_an_isk_of_the_wrong_shape_or_truncated_is_a_clear_error(tmp_path):
    from ipysketch.model import Point

    wrong = tmp_path / "point.isk"
    wrong.write_bytes(pickle.dumps(Point(1, 2)))
    with pytest.raises(ValueError, match="not an ipysketch drawing: it holds a Point"):
        load_isk(wrong)
    cut = tmp_path / "cut.isk"
    cut.write_bytes(pickle.dumps(ipysketch_model())[:50])
    with pytest.raises(ValueError, match="cannot read .*cut.isk.* as an ipysketch drawing"):
        load_isk(cut)
    with pytest.raises(FileNotFoundError, match="no sketch file"):
        load_isk(tmp_path / "none.isk")


# ------------------------------------------------------------------------------ example sketch


def test_example_sketch_is_three_colours_on_transparent_paper():
    image = example_sketch()
    assert image.size == (400, 300) and image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0
    X, labels = points_from_image(image, 300, random_state=0, n_components=3)
    assert sorted(set(labels.tolist())) == [0, 1, 2]
    assert np.bincount(labels).min() > 50


def test_example_sketch_matches_its_script():
    script = runpy.run_path(str(ROOT / "scripts" / "make_example_sketch.py"))
    np.testing.assert_array_equal(np.asarray(script["draw"]()), np.asarray(example_sketch()))


def test_example_sketch_points_fit_em_to_the_drawn_clusters():
    from sklearn.metrics import adjusted_rand_score

    from gmmviz import em

    X, labels = points_from_image(example_sketch(), 300, random_state=0)
    history = fit_em(X, 3, random_state=0)
    resp, _ = em.e_step(X, history.final)
    assert adjusted_rand_score(labels, resp.argmax(axis=1)) > 0.9


# ------------------------------------------------------------------------------ SketchPad


def test_sketchpad_does_not_display_itself_and_renders_once(capsys):
    pad = SketchPad()
    # Outside IPython, display() prints: a pad that displayed itself would show up here.
    assert capsys.readouterr().out == ""
    bundle = pad._repr_mimebundle_()
    assert bundle["text/plain"] == "SketchPad(width=400, height=300)"
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == pad.widget.model_id


def test_the_canvas_is_the_pads_own_and_styled_only_inside_the_pad():
    # gmmviz's own widget: its script and CSS are files beside gmmviz.pads, work offline (no
    # import from a URL, no element ids two pads could share) and style only the pad.
    here = Path(pads.__file__).parent
    script = (here / "pad_canvas.js").read_text()
    css = (here / "pad_canvas.css").read_text()
    assert "http" not in script and not re.search(r"^\s*import\b", script, re.M)
    assert ".id =" not in script and "getElementById" not in script
    body = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    selectors = [
        s.strip() for block in body.split("}") if "{" in block for s in block.split("{")[0].split(",")
    ]
    assert selectors and all(s.startswith(".gmmviz-sketchpad") for s in selectors), selectors
    pad, other = SketchPad(), SketchPad(width=300, height=200)
    assert (pad.canvas.width, pad.canvas.height, other.canvas.width, other.canvas.height) == (
        400,
        300,
        300,
        200,
    )
    assert pad.canvas.data_url == "" and pad.canvas.brush_size == 4


def test_sketchpad_without_a_browser_needs_a_fallback():
    pad = SketchPad()
    assert pad.data == "" and pad.image() is None
    with pytest.raises(EmptySketchError, match="nothing has been drawn.*fallback=example_sketch"):
        pad.points(100)
    X, labels = pad.points(100, random_state=0, fallback=example_sketch())
    assert pad.source == "fallback" and X.shape == (100, 2) and len(set(labels.tolist())) == 3
    assert "fallback" in pad.status.value


def _send_drawing(pad, image):
    # What the browser does when a stroke ends: the canvas as a PNG data URL.
    pad.canvas.data_url = "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode()


def pen_rgb(k):
    """RGB of the pad's pen k (1-based)."""
    colour = pads.pen_colors()[k - 1][1]
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def pen_drawing(*blobs, size=(400, 300)):
    """A canvas as the browser sends it: discs in pen colours on transparent paper, anti-aliased.

    ``blobs``: ``(pen, (x, y, radius))`` in pixels, pen k 1-based, or an RGB tuple for ink that is
    no pen's colour.
    """
    big = Image.new("RGBA", (size[0] * SS, size[1] * SS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    for pen, (x, y, r) in blobs:
        rgb = pen_rgb(pen) if isinstance(pen, int) else pen
        draw.ellipse(((x - r) * SS, (y - r) * SS, (x + r) * SS, (y + r) * SS), fill=rgb + (255,))
    return big.resize(size, Image.Resampling.BOX)


TWO_PENS = ((1, (120, 100, 35)), (2, (290, 200, 35)))  # pen 1 top left, pen 2 bottom right


def test_sketchpad_reads_the_canvas_drawing():
    pad = SketchPad()
    _send_drawing(pad, pen_drawing(*TWO_PENS))
    X, labels = pad.points(300, random_state=1)
    expected = points_from_image(pen_drawing(*TWO_PENS), 300, random_state=1)
    np.testing.assert_allclose(X, expected[0])
    np.testing.assert_array_equal(labels, expected[1])  # pens 1 and 2 come first in reading order too
    assert pad.source == "canvas"
    assert pad.image().size == (400, 300)


def test_points_from_the_canvas_replace_the_fallback_message():
    # Run All before drawing: the fallback is used and the pad says so...
    pad = SketchPad()
    pad.points(100, random_state=0, fallback=example_sketch())
    assert pad.source == "fallback" and "Nothing drawn yet" in pad.status.value
    # ... then the learner draws and runs the cell again: the pad must not still say "fallback".
    _send_drawing(pad, pen_drawing(*TWO_PENS))
    pad.points(100, random_state=0, fallback=example_sketch())
    assert pad.source == "canvas"
    text = pad.status.value
    assert "fallback" not in text and "Nothing drawn" not in text, text
    assert "Using your drawing: 100 points, pens 1 blue, 2 orange." in text


def test_labels_are_the_pads_pen_numbers_whichever_pens_were_used():
    # Pens 3 (green, top left: first in reading order) and 1 (blue, bottom right).
    pad = SketchPad()
    _send_drawing(pad, pen_drawing((3, (100, 80, 40)), (1, (300, 220, 40))))
    X, labels, colours = pad.points(200, random_state=0, return_colors=True)
    assert sorted(set(labels.tolist())) == [0, 2]  # label k - 1 for pen k: pen 1 -> 0, pen 3 -> 2
    green, blue = X[labels == 2], X[labels == 0]
    assert (green[:, 0] < 5).all() and (green[:, 1] > 3.75).all()  # top left (x2 points up)
    assert (blue[:, 0] > 5).all() and (blue[:, 1] < 3.75).all()
    assert colours.dtype == np.uint8 and colours.shape == (3, 3)  # row c: the colour of label c
    assert [tuple(colours[c]) for c in (0, 2)] == [pen_rgb(1), pen_rgb(3)]
    assert "pens 1 blue, 3 green" in pad.status.value
    # Ink near a pen's colour (another encoder, a colour picked elsewhere) counts for that pen.
    _send_drawing(pad, pen_drawing(((10, 150, 110), (100, 80, 40)), ((10, 110, 170), (300, 220, 40))))
    assert sorted(set(pad.points(50, random_state=0)[1].tolist())) == [0, 2]


def test_the_example_drawing_keeps_its_points_and_pens_1_2_3():
    # What notebook 05 shows without a browser: the example drawing's pens are pens 1, 2 and 3,
    # and its points and labels are exactly those of points_from_image.
    X, labels = SketchPad().points(300, random_state=0, fallback=example_sketch())
    expected_X, expected_labels = points_from_image(example_sketch(), 300, random_state=0)
    np.testing.assert_array_equal(X, expected_X)
    np.testing.assert_array_equal(labels, expected_labels)
    assert sorted(set(labels.tolist())) == [0, 1, 2]


def test_a_blank_canvas_is_empty_unless_a_fallback_is_given():
    pad = SketchPad()
    _send_drawing(pad, Image.new("RGBA", (400, 300), (0, 0, 0, 0)))
    with pytest.raises(EmptySketchError, match="empty"):
        pad.points(50)
    pad.points(50, fallback=sketch.example_sketch_path())
    assert pad.source == "fallback"


@pytest.fixture
def fake_explorer(monkeypatch):
    calls = []

    class EMExplorer:
        def __init__(self, X, n_components=3, **kwargs):
            calls.append((np.array(X), n_components, kwargs))

    module = types.ModuleType("gmmviz.widgets")
    module.EMExplorer = EMExplorer
    monkeypatch.setitem(sys.modules, "gmmviz.widgets", module)
    return calls


def test_fit_button_hands_the_points_to_emexplorer(fake_explorer):
    pad = SketchPad(n_components=2, n_points=120)
    _send_drawing(pad, two_stroke_image())
    pad.fit_button.click()
    assert len(fake_explorer) == 1
    X, k, _ = fake_explorer[0]
    assert X.shape == (120, 2) and k == 2
    assert "K=2" in pad.status.value


def test_fit_button_on_an_empty_pad_tells_the_learner_what_to_draw(fake_explorer):
    pad = SketchPad()
    pad.fit_button.click()
    assert fake_explorer == []
    assert "draw a point cloud" in pad.status.value


def test_fit_one_liner_uses_one_component_per_colour(fake_explorer):
    pad = SketchPad()
    explorer = pad.fit(n_points=90, fallback=example_sketch(), random_state=0)
    assert pad.explorer is explorer
    X, k, _ = fake_explorer[0]
    assert k == 3 and X.shape == (90, 2)


def test_fit_button_shows_a_real_explorer_under_the_pad(monkeypatch):
    from gmmviz.widgets import EMExplorer

    shown = []
    monkeypatch.setattr(pads, "display", shown.append)
    pad = SketchPad(n_components=2, n_points=120)
    _send_drawing(pad, two_stroke_image())
    pad.fit_button.click()
    assert isinstance(pad.explorer, EMExplorer)
    assert shown == [pad.explorer]  # the explorer is displayed, not only built
    assert pad.explorer.history.n_components == 2


# ------------------------------------------------------------------------------ the split


def test_the_conversion_imports_without_widgets_ipysketch_or_ipython(tmp_path):
    # A script's view: with anywidget, ipysketch, ipywidgets and IPython impossible to
    # import, gmmviz.sketch still converts images, strokes and .isk files.
    isk = tmp_path / "gmm.isk"
    isk.write_bytes(pickle.dumps(ipysketch_model()))
    code = (
        "import sys\n"
        "for name in ('anywidget', 'ipysketch', 'ipywidgets', 'IPython'):\n"
        "    sys.modules[name] = None\n"
        "import numpy as np\n"
        "from gmmviz.sketch import (Stroke, example_sketch, load_isk, points_from_image,\n"
        "                           points_from_strokes, render_strokes)\n"
        "X, y = points_from_image(example_sketch(), 90, random_state=0)\n"
        "strokes = load_isk(sys.argv[1])\n"
        "X2, y2, rgb = points_from_strokes(strokes, 50, random_state=0, return_colors=True)\n"
        "image = render_strokes([Stroke(np.array([[0, 0], [30, 30]]), 'red', 3)])\n"
        "loaded = [m for m in ('anywidget', 'ipysketch', 'ipywidgets', 'IPython')\n"
        "          if sys.modules.get(m) is not None]\n"
        "print(X.shape, len(set(y.tolist())), len(strokes), X2.shape, rgb.dtype, image.mode, loaded)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(isk)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["(90,", "2)", "3", "2", "(50,", "2)", "uint8", "RGBA", "[]"]


def test_a_light_and_a_dark_pen_of_one_hue_stay_apart_on_a_transparent_canvas():
    # Pink #cc79a7 lies on purple #882255's blend line with white (a paler purple): on opaque
    # paper they would merge. A browser canvas keeps colour and coverage apart: two pens.
    big = Image.new("RGBA", (200 * SS, 100 * SS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    draw.ellipse((10 * SS, 10 * SS, 90 * SS, 90 * SS), fill="#cc79a7")
    draw.ellipse((110 * SS, 10 * SS, 190 * SS, 90 * SS), fill="#882255")
    image = big.resize((200, 100), Image.Resampling.BOX)  # anti-aliased edges
    X, labels, colours = points_from_image(image, 200, random_state=0, return_colors=True)
    np.testing.assert_array_equal(colours, [[0xCC, 0x79, 0xA7], [0x88, 0x22, 0x55]])
    assert (X[labels == 0, 0] < 5).all() and (X[labels == 1, 0] > 5).all()


# ------------------------------------------------------------------ pads: pens, keyboard path, pictures


def test_pen_k_is_component_k_named_by_word():
    from gmmviz.palette import component_color_names, component_colors

    pad = SketchPad()
    expected = [
        "#{:02x}{:02x}{:02x}".format(*(int(round(255 * v)) for v in c[:3]))
        for c in component_colors(pads.MAX_PENS)
    ]
    assert [value for _, value in pad.pens.options] == expected
    names = component_color_names(pads.MAX_PENS)
    for k, (label, _) in enumerate(pad.pens.options):
        assert label == f"{k + 1} {names[k]}"
        assert names[k].replace(" ", "").isalpha()  # a word, not a hex code
    # The first three are the course palette's blue, orange and green.
    assert [label for label, _ in pad.pens.options[:3]] == ["1 blue", "2 orange", "3 green"]
    assert expected[:3] == ["#0072b2", "#d55e00", "#009e73"]
    # Choosing a pen sets the canvas's brush colour: in the kernel, and in the page through a
    # link between the pen buttons and the canvas (no trip to the kernel).
    pad.pens.value = expected[1]
    assert pad.canvas.pen_color == expected[1]
    assert pad._pen_link.source == (pad.pens, "index") and pad._pen_link.target == (pad.canvas, "pen_index")
    assert pad.canvas.pen_colors == expected


def test_pad_arguments_are_checked_as_everywhere_in_gmmviz():
    with pytest.raises(ValueError, match="random_state must be a non-negative integer"):
        SketchPad(random_state=-1)
    with pytest.raises(TypeError, match="random_state must be None, an int or a numpy Generator"):
        SketchPad(random_state="zero")
    with pytest.raises(TypeError, match="n_components must be an integer"):
        SketchPad(n_components=1.5)
    with pytest.raises(ValueError, match=r"width \(pixels\) must be from 50 to 2000, got 10"):
        SketchPad(width=10)
    pad = SketchPad(n_components=2, random_state=np.random.default_rng(0))  # a Generator is accepted
    with pytest.raises(ValueError, match="dots_per_cluster must be at least 1"):
        pad.random_clusters(dots_per_cluster=0)


def test_random_clusters_give_labelled_clusters_without_a_mouse():
    from sklearn.metrics import adjusted_rand_score
    from sklearn.mixture import GaussianMixture

    pad = SketchPad(n_components=4, n_points=200)
    assert pad.random_button.description == "Random clusters"
    assert "random clusters" in pad.random_button.tooltip.lower()
    assert pad.data == ""
    sent = []
    pad.canvas.send = sent.append  # what goes to the page
    pad.random_button.click()  # what Enter or Space on the focused button does
    assert "Drew 4 random clusters (pens 1 blue, 2 orange, 3 green, 4 pink)" in pad.status.value
    # The page gets the same picture to draw on its canvas.
    assert sent == [{"type": "picture", "url": pad.canvas.data_url}]
    X, labels, colours = pad.points(return_colors=True)
    assert X.shape == (200, 2) and len(np.unique(labels)) == 4
    # Each cluster is one pen's colour: the first four pens, each once.
    pen_rgb = {tuple(int(v[i : i + 2], 16) for i in (1, 3, 5)) for _, v in pad.pens.options[:4]}
    assert {tuple(c) for c in colours} == pen_rgb
    # ... and the clusters are clusters: an independent fit finds them.
    predicted = GaussianMixture(4, random_state=0, n_init=3).fit(X).predict(X)
    assert adjusted_rand_score(labels, predicted) > 0.9
    # Seeded: a new pad with the same seed draws the same clusters; the next press new ones.
    again = SketchPad(n_components=4, n_points=200)
    again.random_button.click()
    np.testing.assert_array_equal(again.points()[0], X)
    again.random_button.click()
    assert not np.array_equal(again.points()[0], X)


def test_random_clusters_then_fit_em(fake_explorer):
    pad = SketchPad(n_components=3, n_points=150)
    pad.random_button.click()
    pad.fit_button.click()
    X, k, _ = fake_explorer[0]
    assert k == 3 and X.shape == (150, 2)


def test_a_pad_output_carries_a_picture_of_the_drawing_beside_the_widget():
    pad = SketchPad(width=300, height=200, n_components=2)
    bundle = pad._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "application/vnd.jupyter.widget-view+json", "image/png"}
    blank = np.asarray(png_of_bundle(bundle))
    assert blank.shape == (200, 300, 3) and (blank[5:-5, 5:-5] == 255).all()  # white paper
    pad.random_clusters(random_state=1)
    picture = np.asarray(png_of_bundle(pad._repr_mimebundle_()))
    for _, colour in pad.pens.options[:2]:
        rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        assert (picture == rgb).all(axis=2).sum() > 100  # each pen's dots are in the picture


def test_the_desktop_pad_output_carries_its_saved_drawing(tmp_path):
    from gmmviz.pads import IpysketchPad

    pad = IpysketchPad("gmm", directory=tmp_path)
    assert png_of_bundle(pad._repr_mimebundle_()).size == (200, 60)  # nothing saved: an empty frame
    two_stroke_image((255, 255, 255, 255)).save(tmp_path / "gmm.png")
    pad.refresh()
    assert png_of_bundle(pad._repr_mimebundle_()).size == (400, 300)


def test_every_pad_control_is_labelled(tmp_path):
    from gmmviz.pads import IpysketchPad

    for pad in (SketchPad(), IpysketchPad("gmm", directory=tmp_path)):
        found = controls(pad.widget)
        assert len(found) >= 4
        for control in found:
            name = (control.description or "").strip() or (getattr(control, "tooltip", "") or "").strip()
            assert name and name not in {"▶", "⏵"}, f"{type(control).__name__} has no label"
            assert (getattr(control, "tooltip", "") or "").strip(), f"{control.description} has no tooltip"


def test_contrast_helper_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near-miss


def test_pad_messages_meet_the_text_contrast():
    import re

    pad = SketchPad()
    pad.fit_button.click()  # an error: nothing drawn
    for html_text in (SketchPad().status.value, pad.status.value):
        colour = re.search(r"(?:^|[;\"])color:\s*(#[0-9a-fA-F]{6})", html_text).group(1)
        background = re.search(r"background:\s*(#[0-9a-fA-F]{6})", html_text).group(1)
        assert contrast(colour, background) >= 4.5, html_text


# ------------------------------------------------------------------ pads: in order, K, a new drawing


def test_fit_em_fits_one_component_per_pen_drawn(fake_explorer):
    pad = SketchPad()  # K not given: it follows the pens
    assert pad.auto_k.value and pad.auto_k.description == "K = number of pens"
    _send_drawing(pad, pen_drawing((1, (100, 80, 40)), (3, (300, 220, 40))))
    assert pad.k_control.value == 2  # the slider follows the drawing before Fit EM
    assert "pens 1 blue, 3 green" in pad.status.value and "K=2, one component per pen" in pad.status.value
    pad.fit_button.click()
    assert [k for _, k, _ in fake_explorer] == [2]
    text = pad.status.value
    assert "Fitted EM with K=2 (one component per pen drawn" in text and "pens 1 blue, 3 green" in text


def test_k_follows_the_drawing_until_the_learner_sets_it(fake_explorer):
    pad = SketchPad()
    _send_drawing(pad, pen_drawing(*TWO_PENS))
    assert pad.k_control.value == 2 and pad.auto_k.value
    pad.k_control.value = 4  # the learner moves K: on purpose
    assert not pad.auto_k.value
    _send_drawing(pad, pen_drawing((1, (100, 80, 40)), (2, (300, 220, 40)), (3, (200, 150, 30))))
    assert pad.k_control.value == 4 and "K=4, the K you set" in pad.status.value
    pad.fit_button.click()
    assert fake_explorer[-1][1] == 4 and "the K you set" in pad.status.value
    pad.auto_k.value = True  # ticked again: K follows the 3 pens drawn
    assert pad.k_control.value == 3
    pad.fit_button.click()
    assert fake_explorer[-1][1] == 3
    # K given to the pad is K set on purpose, too.
    fixed = SketchPad(n_components=4)
    _send_drawing(fixed, pen_drawing(*TWO_PENS))
    assert not fixed.auto_k.value and fixed.k_control.value == 4


@pytest.fixture
def shown_explorers(monkeypatch):
    """Fit EM's real explorers, with what the pad displays and clears under itself recorded."""
    shown = []
    monkeypatch.setattr(pads, "display", shown.append)
    return shown


def fitted_pad(shown, monkeypatch):
    pad = SketchPad(n_points=120)
    cleared = []
    monkeypatch.setattr(pad.output, "clear_output", lambda *a, **k: cleared.append(True))
    _send_drawing(pad, pen_drawing(*TWO_PENS))
    pad.fit_button.click()
    assert pad.explorer is not None and shown == [pad.explorer]
    return pad, cleared


@pytest.mark.parametrize("change", ["a new stroke", "clear", "undo", "Random clusters"])
def test_a_new_drawing_removes_the_fit_of_the_old_one(shown_explorers, monkeypatch, change):
    pad, cleared = fitted_pad(shown_explorers, monkeypatch)
    if change == "a new stroke":
        _send_drawing(pad, pen_drawing(*TWO_PENS, (3, (200, 250, 20))))
    elif change == "clear":
        _send_drawing(pad, Image.new("RGBA", (400, 300), (0, 0, 0, 0)))
    elif change == "undo":
        _send_drawing(pad, pen_drawing(TWO_PENS[0]))
    else:
        pad.random_button.click()
    assert pad.explorer is None and cleared, f"the fit of the old drawing stays on show after {change}"
    if change != "Random clusters":
        assert "the fit of the previous one is removed" in pad.status.value


def test_the_pages_copy_of_a_picture_is_not_a_new_drawing(shown_explorers, monkeypatch):
    # Random clusters: Python has the picture at once, the page draws it and sends its own PNG
    # of it back, which may arrive after Fit EM. Same pixels: the fit stays.
    pad = SketchPad(n_points=120)
    image = pad.random_clusters(random_state=3)
    pad.fit_button.click()
    explorer = pad.explorer
    with io.BytesIO() as buf:
        image.save(buf, format="PNG", compress_level=1)  # another encoder's bytes
        pad.canvas.data_url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    assert pad.explorer is explorer
    # A blank canvas sent when the page first shows the pad is no new drawing either.
    blank = SketchPad()
    blank.points(50, fallback=example_sketch())
    _send_drawing(blank, Image.new("RGBA", (400, 300), (0, 0, 0, 0)))
    assert "Nothing drawn yet" in blank.status.value


def test_a_new_saved_drawing_removes_the_desktop_pads_fit(tmp_path, fake_explorer):
    from gmmviz.pads import IpysketchPad

    pad = IpysketchPad("gmm", directory=tmp_path)
    two_stroke_image((255, 255, 255, 255)).save(tmp_path / "gmm.png")
    pad.refresh()
    pad.fit_button.click()
    assert pad.explorer is not None and fake_explorer[-1][1] == 2  # one component per pen colour
    pad.refresh()  # the same drawing: the fit stays
    assert pad.explorer is not None
    pen_drawing(*TWO_PENS, (3, (200, 250, 20))).save(tmp_path / "gmm.png")
    pad.refresh()
    assert pad.explorer is None


def test_fit_em_on_an_empty_canvas_says_there_is_nothing_to_fit(fake_explorer):
    """The notebook's cells may use the example drawing when nothing is drawn; Fit EM fits the
    canvas only, and says so in the pad's words (not the converter's "the sketch is empty")."""
    pad = SketchPad()
    pad.points(fallback=example_sketch())  # as notebook 05's next cell does
    pad.fit_button.click()
    assert fake_explorer == [] and pad.explorer is None
    text = pad.status.value
    assert "Nothing drawn yet, so Fit EM has nothing to fit: draw a point cloud" in text, text
    assert "Random clusters" in text and "sketch is empty" not in text
