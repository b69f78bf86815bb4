"""The array types of gmmviz's type hints (NumPy's ``NDArray``), named once."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["BoolArray", "FloatArray", "IntArray"]

#: float64 arrays: data X, responsibilities γ, parameters π, μ, Σ.
FloatArray = npt.NDArray[np.float64]
#: Boolean masks (e.g. which components are empty).
BoolArray = npt.NDArray[np.bool_]
#: Integer arrays (labels, row indices).
IntArray = npt.NDArray[np.int64]
