"""The component palette is told apart by everyone: ΔE under simulated colour-vision deficiencies,
contrast on white, names and markers.

Every figure here is computed from ``gmmviz.palette``'s own colours with implementations written
in this file (sRGB -> CIELAB, CIE76 ΔE, Machado 2009 simulation, WCAG contrast), each anchored to
a published reference value, so the palette cannot be tuned to the test.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib.colors import to_rgba_array

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
    # The explorer colours a point shared by two components with γ-weighted mixes of their colours.
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
