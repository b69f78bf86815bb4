"""The component palette is told apart by everyone: ΔE under simulated colour-vision deficiencies,
contrast on white, names and markers.

Every figure here is computed from ``gmmviz.palette``'s own colours with implementations written
in this file (sRGB -> CIELAB, CIE76 ΔE, Machado 2009 simulation, WCAG contrast), each anchored to
a published reference value, so the palette cannot be tuned to the test.

Every other colour with a meaning is named in ``gmmviz.palette`` too: the last tests read the other
modules' sources and fail on a colour written there (a hex literal, a named matplotlib colour).
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import get_named_colors_mapping, to_rgba_array

from gmmviz import palette as gpal

# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color
# vision deficiency", Table of simulation matrices, severity 1.0; applied to linear RGB.
MACHADO = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}
VISIONS = ["normal", *MACHADO]

# IEC 61966-2-1 sRGB (D65) linear RGB -> XYZ, and the D65 white point.
SRGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
)
D65 = np.array([0.95047, 1.0, 1.08883])


def to_linear(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb, dtype=float)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def linear_to_lab(lin: np.ndarray) -> np.ndarray:
    # Simulated colours can leave the gamut slightly; clip as a display would.
    xyz = SRGB_TO_XYZ @ np.clip(lin, 0.0, 1.0) / D65
    eps = (6 / 29) ** 3
    f = np.where(xyz > eps, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def lab_as_seen(rgb: np.ndarray, vision: str) -> np.ndarray:
    lin = to_linear(rgb[:3])
    if vision != "normal":
        lin = MACHADO[vision] @ lin
    return linear_to_lab(lin)


def delta_e76(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b))


def contrast_on_white(rgb: np.ndarray) -> float:
    """WCAG 2.2 contrast ratio (L_white + 0.05) / (L + 0.05) with relative luminance L."""
    lum = float(np.array([0.2126, 0.7152, 0.0722]) @ to_linear(rgb[:3]))
    return 1.05 / (lum + 0.05)


def min_delta_e(colours: np.ndarray, vision: str) -> tuple[float, int, int]:
    labs = [lab_as_seen(c, vision) for c in colours]
    return min((delta_e76(labs[i], labs[j]), i, j) for i, j in itertools.combinations(range(len(labs)), 2))


# --------------------------------------------------------------------------- the test's own maths
def test_the_tests_colour_maths_match_published_values():
    # sRGB red in CIELAB (D65): (53.24, 80.09, 67.20) in every reference table.
    np.testing.assert_allclose(lab_as_seen(np.array([1.0, 0, 0]), "normal"), [53.24, 80.09, 67.20], atol=0.02)
    np.testing.assert_allclose(lab_as_seen(np.ones(3), "normal"), [100, 0, 0], atol=1e-3)
    # WCAG's reference points: black on white 21:1, #767676 the lightest grey with 4.5:1.
    assert contrast_on_white(np.zeros(3)) == pytest.approx(21.0)
    assert contrast_on_white(np.full(3, 0x76 / 255)) == pytest.approx(4.54, abs=0.01)
    # A dichromat's simulation keeps greys grey (each Machado row sums to 1).
    for m in MACHADO.values():
        np.testing.assert_allclose(m.sum(axis=1), 1.0, atol=1e-5)


def test_the_check_would_catch_the_old_palette():
    # The former blue/red/green: red and green collapse under deuteranopia (issue 13: ~7 ΔE).
    old = to_rgba_array(["#1f77b4", "#d62728", "#2ca02c"])
    d, i, j = min_delta_e(old, "deuteranopia")
    assert d < 15 and {i, j} == {1, 2}


# --------------------------------------------------------------------------- the palette
@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_every_pair_is_at_least_15_delta_e_apart_for_k_up_to_5(k, vision):
    d, i, j = min_delta_e(gpal.component_colors(k), vision)
    names = gpal.component_color_names(k)
    assert d >= 15, f"{names[i]} and {names[j]} are only {d:.1f} ΔE apart under {vision}"


@pytest.mark.parametrize("k", [1, 5, 10, 11, 20, 25])
def test_every_colour_has_3_to_1_contrast_on_white(k):
    for name, c in zip(gpal.component_color_names(k), gpal.component_colors(k)):
        assert contrast_on_white(c) >= 3.0, f"{name} has {contrast_on_white(c):.2f}:1 on white"


def test_soft_blends_of_two_components_keep_3_to_1_contrast():
    # plot_points(certainty="blend") colours a point shared by two components with γ-weighted mixes.
    pal = gpal.component_colors(5)
    for i, j in itertools.combinations(range(5), 2):
        for g in np.linspace(0, 1, 11):
            mix = g * pal[i] + (1 - g) * pal[j]
            assert contrast_on_white(mix) >= 3.0, (i, j, g)


def test_the_palette_is_the_one_named_in_the_course():
    expected = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#882255"]
    np.testing.assert_allclose(gpal.component_colors(5), to_rgba_array(expected))
    assert gpal.component_color_names(5) == ["blue", "orange", "green", "pink", "purple"]
    assert [h for _, h in gpal.PALETTE[:5]] == expected


@pytest.mark.parametrize("k", [1, 3, 10, 11, 23])
def test_colours_names_and_markers_one_per_component(k):
    colours, names, markers = (
        gpal.component_colors(k),
        gpal.component_color_names(k),
        gpal.component_markers(k),
    )
    assert colours.shape == (k, 4) and np.all((0 <= colours) & (colours <= 1))
    assert np.all(colours[:, 3] == 1)
    assert len({tuple(c) for c in colours}) == k  # never the same colour twice
    assert len(set(names)) == k
    assert len(markers) == k and len(set(markers)) == min(k, 10)
    # Growing K never recolours the components already there: pen k stays colour k.
    np.testing.assert_array_equal(gpal.component_colors(k + 3)[:k], colours)
    assert gpal.component_color_names(k + 3)[:k] == names


@pytest.mark.parametrize(
    "bad, error", [(0, ValueError), (-2, ValueError), (2.5, TypeError), (True, TypeError), ("3", TypeError)]
)
def test_bad_n_components_is_explained(bad, error):
    for f in (gpal.component_colors, gpal.component_color_names, gpal.component_markers):
        with pytest.raises(error, match="n_components"):
            f(bad)


# --------------------------------------------------------------------------- colours with a role
def test_roles_in_pictures_take_colours_of_the_palette():
    # Safe for colour-blind readers as the components are; each role also has a label or a marker.
    first_five = [h for _, h in gpal.PALETTE[:5]]
    for role in ("ELBO_COLOR", "GAP_COLOR", "SAMPLED_COLOR", "CURRENT_COLOR"):
        assert getattr(gpal, role) in first_five, role


@pytest.mark.parametrize("vision", VISIONS)
def test_the_flagged_colour_is_no_component_colour_and_stands_apart(vision):
    # Notebook 09: "flagged" used to be orange, the colour of component 2.
    flagged = to_rgba_array([gpal.FLAGGED_COLOR])[0, :3]
    components = gpal.component_colors(5)[:, :3]
    assert not any(np.allclose(flagged, c) for c in gpal.component_colors(10)[:, :3])
    assert contrast_on_white(flagged) >= 3.0
    seen = lab_as_seen(flagged, vision)
    for name, c in zip(gpal.component_color_names(5), components):
        assert delta_e76(seen, lab_as_seen(c, vision)) >= 15, (name, vision)


def test_html_text_colours_have_4_5_to_1_contrast_on_their_backgrounds():
    def luminance(hex_colour: str) -> float:
        return float(np.array([0.2126, 0.7152, 0.0722]) @ to_linear(to_rgba_array([hex_colour])[0, :3]))

    pairs = [
        ("TEXT", "PAPER"),
        ("QUIET_TEXT", "PAPER"),
        ("ERROR_TEXT", "PAPER"),
        ("ERROR_TEXT", "ERROR_BACKGROUND"),
        ("NOTE_TEXT", "NOTE_BACKGROUND"),
        ("BADGE_TEXT", "START_BADGE"),
        ("BADGE_TEXT", "E_STEP_BADGE"),
        ("BADGE_TEXT", "M_STEP_BADGE"),
    ]
    for text, background in pairs:
        light, dark = sorted((luminance(getattr(gpal, text)), luminance(getattr(gpal, background))))[::-1]
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (text, background)


# --------------------------------------------------------------------------- colours come from here
# Every colour that means something is named in gmmviz.palette; the other modules use those names.
# Their sources are parsed (ast), so comments and docstrings, which may name colours, do not count.
PACKAGE = Path(__file__).resolve().parents[1] / "src" / "gmmviz"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "palette.py")
# "#rgb", "#rgba", "#rrggbb", "#rrggbbaa"; not an HTML entity (&#8203;) or a fragment (page#top).
HEX_COLOUR = re.compile(r"(?<![&\w])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3,4})(?![0-9a-zA-Z_])")
# matplotlib's named colours ("red", "tab:blue", "xkcd:teal", "r") and colour-cycle references ("C0").
NAMED_COLOURS = {name.lower() for name in get_named_colors_mapping()}
CYCLE_COLOUR = re.compile(r"C\d+")
# Neutral ink: no meaning, no name needed (matplotlib greys such as "0.4" are not names either).
NEUTRAL = {"black", "white", "k", "w", "grey", "gray", "none"}
# Where a string is a colour: keyword arguments and dict keys with these names, or containing "colo".
COLOUR_KEYS = {"c", "fc", "ec", "mfc", "mec", "fill", "outline", "foreground", "background"}
# A plot format string with a colour letter: "ro", "k--", "-.g".
PLOT_FORMAT = re.compile(r"(?=.*[bgrcmykw])[-.:,ov^<>1-4sp*hH+xXDd|_bgrcmykw]{1,4}")
CSS_COLOUR = re.compile(
    r"(?:^|[;\s\"'])(?:color|background(?:-color)?|border[-a-z]*|fill|stroke)\s*:\s*([^;\"']+)"
)


def is_colour_key(name: str | None) -> bool:
    return name is not None and (name.lower() in COLOUR_KEYS or "colo" in name.lower())


def means_a_colour(text: str) -> bool:
    """A named colour that is not neutral ink (single letters as matplotlib spells them)."""
    name = text.strip()
    if name.lower() in NEUTRAL:
        return False
    if len(name) == 1:
        return name in "bgrcmy"
    return name.lower() in NAMED_COLOURS or bool(CYCLE_COLOUR.fullmatch(name))


def strings_in(node: ast.AST) -> list[ast.Constant]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def colour_literals(source: str) -> list[tuple[int, str]]:
    """(line, literal) of every colour written in ``source`` outside comments and docstrings."""
    tree = ast.parse(source)
    # Docstrings and other bare strings (e.g. the docstring under a constant) are prose.
    prose = {
        id(s.value) for s in ast.walk(tree) if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
    }
    # The format spec of an f-string's field ("g" in f"{x:g}") is no colour either.
    prose |= {
        id(c)
        for f in ast.walk(tree)
        if isinstance(f, ast.FormattedValue) and f.format_spec is not None
        for c in strings_in(f.format_spec)
    }
    found: list[tuple[int, str]] = []
    for const in strings_in(tree):
        if id(const) in prose:
            continue
        found += [(const.lineno, m.group()) for m in HEX_COLOUR.finditer(const.value)]
        for m in CSS_COLOUR.finditer(const.value):  # HTML: style="color: red"
            found += [(const.lineno, word) for word in m.group(1).split() if means_a_colour(word)]
    colour_values: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and is_colour_key(node.arg):
            colour_values.append(node.value)
        elif isinstance(node, ast.Dict):
            colour_values += [
                v
                for k, v in zip(node.keys, node.values)
                if isinstance(k, ast.Constant) and isinstance(k.value, str) and is_colour_key(k.value)
            ]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
            if node.value is not None and any(is_colour_key(n) for n in names):
                colour_values.append(node.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "plot":
            found += [
                (a.lineno, a.value)
                for a in node.args
                if isinstance(a, ast.Constant)
                and isinstance(a.value, str)
                and PLOT_FORMAT.fullmatch(a.value)
                and re.search("[bgrcmy]", a.value)
            ]
    for value in colour_values:
        found += [
            (s.lineno, s.value) for s in strings_in(value) if id(s) not in prose and means_a_colour(s.value)
        ]
    return sorted(set(found))


@pytest.mark.parametrize(
    "source, found",
    [
        ('X = "#D55E00"', [(1, "#D55E00")]),
        ("html = f\"<b style='color:#fff'>{x}</b>\"", [(1, "#fff")]),
        ('ax.plot(x, y, color="red")', [(1, "red")]),
        ('ax.scatter(x, y, c=np.where(flag, "tab:orange", "0.2"))', [(1, "tab:orange")]),
        ('ax.text(0, 0, "", bbox={"fc": "C1", "ec": "none"})', [(1, "C1")]),
        ('_LINE_COLOUR = "crimson"', [(1, "crimson")]),
        ('ax.plot(x, y, "ro-")', [(1, "ro-")]),
        ("s = \"<span style='color: green'>\"", [(1, "green")]),
        # Not colours with a meaning: prose, labels, neutral ink, greys, a palette name.
        ('"""Orange is #D55E00."""\nx = 1  # red, #D55E00', []),
        ('ax.set(xlabel="red", ylabel="blue")', []),
        ('ax.plot(x, y, "k+", color="0.4", mec="white", markerfacecolor="none")', []),
        ('ax.plot(x, y, "o", color=GAP_COLOR)', []),
        ('np.load(path, mmap_mode="r"); t = "&#8203;"; ax.plot(x, y, color=f"{grey:g}")', []),
    ],
)
def test_the_colour_finder_finds_colours_and_only_colours(source, found):
    assert colour_literals(source) == found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_colours_with_a_meaning_come_from_the_palette(path):
    found = colour_literals(path.read_text(encoding="utf-8"))
    assert found == [], (
        f"{path.name} writes colours itself (line, literal): {found}. Name each by its role in "
        "gmmviz.palette (e.g. GAP_COLOR) and use the name; neutral ink may stay black, white or a grey."
    )
