"""Pictures of a Bernoulli mixture (notebook 11): its μ_k as images.

Like :mod:`gmmviz.plot`, a function takes the axes first and returns the artists it made. The maths is
:mod:`gmmviz.bernoulli`'s; the grid of grey images is :func:`gmmviz.figures.plot_image_grid`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.image import AxesImage

from .bernoulli import BernoulliParams
from .figures import plot_image_grid

__all__ = ["plot_bernoulli_means"]


def plot_bernoulli_means(
    axes: Any,
    params: BernoulliParams,
    *,
    shape: tuple[int, int] = (8, 8),
    titles: Sequence[str] | None = None,
) -> list[AxesImage]:
    """Each μ_k as an image, one per axes: pixel i as dark as μ_ki = p(x_i = 1 | k), on one scale, 0 to 1.

    Parameters
    ----------
    axes : K matplotlib Axes (any array shape, read in row order), one per component
    params : BernoulliParams
    shape : (rows, columns), default (8, 8)
        How the D values of μ_k form an image (rows × columns = D).
    titles : K strings, optional
        Default "k: π = 0.12", the component's number (1..K, as everywhere) and weight.

    Returns
    -------
    list of AxesImage
        One per component; ``fig.colorbar(images[0], ax=axes)`` adds the scale.
    """
    if not isinstance(params, BernoulliParams):
        raise TypeError(f"params must be a BernoulliParams, got {type(params).__name__}.")
    axes = list(np.ravel(axes))
    k = params.n_components
    if len(axes) != k:
        raise ValueError(
            f"give one axes per component: K = {k}, got {len(axes)} axes (e.g. plt.subplots(2, {-(-k // 2)}))."
        )
    if shape[0] * shape[1] != params.n_features:
        raise ValueError(
            f"shape {shape} holds {shape[0] * shape[1]} pixels but μ_k has {params.n_features}: "
            f"give rows × columns = {params.n_features}."
        )
    if titles is None:
        titles = [f"{j + 1}: π = {w:.2f}" for j, w in enumerate(params.weights)]
    elif len(titles) != k:
        raise ValueError(f"give one title per component: K = {k}, got {len(titles)}.")
    images = plot_image_grid(axes, params.means, shape=shape)
    for ax, image, title in zip(axes, images, titles):
        image.set_clim(0.0, 1.0)  # the same scale for every component: a probability
        ax.set_title(title, fontsize="small")
    return images
