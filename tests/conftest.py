"""Shared test set-up.

Figures in the unit tests are drawn off screen. The backend is chosen here, in the pytest process,
rather than through MPLBACKEND in the environment, because nbval's notebook kernels inherit the
environment and must keep their own inline backend (their saved figure outputs depend on it).
"""
import matplotlib

matplotlib.use("Agg")
