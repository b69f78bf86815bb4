"""Shared test set-up.

Figures in the unit tests are drawn off screen. The backend is chosen here, in the pytest process,
rather than through MPLBACKEND in the environment, because nbval's notebook kernels inherit the
environment and must keep their own inline backend (their saved figure outputs depend on it).

`make check` (the fast lane) runs `-m "not slow and not browser and not desktop"`. The tests below take
seconds each (measured: they start `python -m gmmviz` or a launcher in a subprocess, encode a GIF, or fit
many models); they are marked `slow` here, in one list, so that their modules need not know about it.
A test module may also mark a test `@pytest.mark.slow` itself.
"""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

# (module file name, test function name) of the tests `make check` leaves out; parametrized ids included.
SLOW = {
    ("test_cli.py", "test_python_m_writes_a_readable_gif"),
    ("test_cli.py", "test_bad_file_through_python_m_has_no_traceback"),
    ("test_cli.py", "test_csv_with_header_columns_and_1d"),
    ("test_cli.py", "test_html_is_offline_and_holds_every_frame"),
    ("test_datasets.py", "test_elongated_defeats_kmeans_but_not_full_gmm"),
    ("test_animate.py", "test_save_gif_has_one_image_per_frame"),
    ("test_animate.py", "test_save_html_is_a_standalone_page"),
    ("test_animate.py", "test_offline_jshtml_embeds_every_frame_without_network"),
    ("test_ipysketch_pad.py", "test_launcher_makes_ipysketch_importable_without_pkg_resources"),
    ("test_ipysketch_pad.py", "test_the_launcher_refuses_to_start_without_a_display"),
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        name = getattr(item, "originalname", None) or item.name.split("[")[0]
        if (item.path.name, name) in SLOW:
            item.add_marker(pytest.mark.slow)
