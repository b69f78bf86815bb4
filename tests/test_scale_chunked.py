"""EM on Dask arrays (gmmviz.chunked) against the in-memory engine, on both Dask schedulers.

The reference for every number is the in-memory ``gmmviz.fit_em`` / ``e_step`` / ``m_step`` (itself
checked against scikit-learn in test_em_sklearn.py) or a hand-written sum over points.

"Relative" below is normwise per parameter array, max |a − b| / max |b|: elementwise it is
ill-posed for entries near 0 (off-diagonal covariances), which differ by ~1e-10 relative even
between two *in-memory* fits of the same points in another order when the data sit at 10⁴.
"""

from __future__ import annotations

import threading
import time

import dask.array as da  # the "scale" extra, which `make test` installs: a missing dask fails here, not skips
import numpy as np
import pytest

import gmmviz
from gmmviz import COVARIANCE_TYPES, EmptyComponentWarning, e_step, fit_em, init_params, m_step
from gmmviz.animate import animate_em
from gmmviz.bound import em_bound_trace
from gmmviz.chunked import (
    ChunkedEMHistory,
    ChunkedEngine,
    SufficientStatistics,
    from_npy,
    params_from_statistics,
    plot_sufficient_statistics,
    sufficient_statistics,
)

UNEQUAL_CHUNKS = (1000, 2500, 1, 1999, 1000)  # 6,500 points, one chunk of a single point


def make_data(offset: float = 0.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = np.concatenate(
        [
            rng.normal([0, 0, 0], 1, (3000, 3)),
            rng.normal([4, 1, -2], [1, 2, 0.5], (2000, 3)),
            rng.normal([-3, 3, 1], 0.7, (1500, 3)),
        ]
    )
    rng.shuffle(X)
    return X + offset


def rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def assert_same_history(chunked, in_memory, tol=1e-10):
    assert chunked.n_iter == in_memory.n_iter and chunked.converged == in_memory.converged
    for t, (pc, pm) in enumerate(zip(chunked.params, in_memory.params)):
        for name in ("weights", "means", "covariances"):
            r = rel(getattr(pc, name), getattr(pm, name))
            assert r < tol, f"iteration {t}: {name} differ by {r:.2e} relative"
    assert rel(chunked.log_likelihoods, in_memory.log_likelihoods) < tol


# ---------------------------------------------------------------------------------------------
# Same numbers as in memory
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [0.0, 1e4])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_same_fit_as_in_memory_from_the_same_start(covariance_type, offset):
    X = make_data(offset)
    # a poor start (random data points as means), so the first steps are big
    start = init_params(X, 3, init="random", covariance_type=covariance_type, random_state=1)
    in_memory = fit_em(X, 3, covariance_type=covariance_type, params=start, max_iter=25, tol=0)
    chunked = gmmviz.fit_em(
        da.from_array(X, chunks=(UNEQUAL_CHUNKS, 3)),
        3,
        covariance_type=covariance_type,
        params=start,
        max_iter=25,
        tol=0,
    )
    assert_same_history(chunked, in_memory)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_same_stopping_rule(covariance_type):
    X = make_data()
    start = init_params(X, 3, init="kmeans++", covariance_type=covariance_type, random_state=2)
    in_memory = fit_em(X, 3, covariance_type=covariance_type, params=start, tol=1e-4)
    chunked = gmmviz.fit_em(
        da.from_array(X, chunks=(UNEQUAL_CHUNKS, 3)),
        3,
        covariance_type=covariance_type,
        params=start,
        tol=1e-4,
    )
    assert in_memory.converged and 2 < in_memory.n_iter < 100
    assert_same_history(chunked, in_memory)


def test_fit_em_dispatches_dask_arrays():
    X = make_data()
    start = init_params(X, 3, init="random", random_state=1)
    history = gmmviz.fit_em(da.from_array(X, chunks=2000), 3, params=start, max_iter=5, tol=0)
    assert isinstance(history, ChunkedEMHistory) and isinstance(history, gmmviz.EMHistory)
    assert_same_history(history, fit_em(X, 3, params=start, max_iter=5, tol=0))


def test_float32_and_1d_dask_arrays():
    X = make_data()[:, :1]
    start = init_params(X, 2, init="random", random_state=0)
    h1 = gmmviz.fit_em(da.from_array(X[:, 0], chunks=1000), 2, params=start, max_iter=5, tol=0)
    assert_same_history(h1, fit_em(X, 2, params=start, max_iter=5, tol=0))
    X32 = X.astype(np.float32)
    h32 = gmmviz.fit_em(da.from_array(X32, chunks=(1000, 1)), 2, params=start, max_iter=5, tol=0)
    assert_same_history(h32, fit_em(X32.astype(float), 2, params=start, max_iter=5, tol=0))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_sufficient_statistics_add_up_over_chunks(covariance_type):
    X = make_data(offset=50.0)
    params = init_params(X, 3, init="random", covariance_type=covariance_type, random_state=3)
    resp, ll = e_step(X, params)
    bounds = np.cumsum((0,) + UNEQUAL_CHUNKS)
    parts = [sufficient_statistics(X[a:b], params) for a, b in zip(bounds[:-1], bounds[1:])]
    total = sum(parts[1:], parts[0])
    assert isinstance(total, SufficientStatistics) and total.n_points == len(X)
    # the sums over points, written out by hand
    c = params.means
    diffs = X[np.newaxis] - c[:, np.newaxis]  # (K, N, d)
    scatter = np.einsum("nk,kni,knj->kij", resp, diffs, diffs)
    if covariance_type in ("diag", "spherical"):
        scatter = np.einsum("kii->ki", scatter)
    assert rel(total.nk, resp.sum(axis=0)) < 1e-12
    assert rel(total.sum_x, resp.T @ X) < 1e-12
    assert rel(total.scatter, scatter) < 1e-12
    assert abs(total.log_likelihood - ll) < 1e-12 * abs(ll)
    # and the M-step on the totals is the in-memory M-step
    new = params_from_statistics(total, covariance_type, reg_covar=1e-6)
    ref = m_step(X, resp, covariance_type, reg_covar=1e-6)
    for name in ("weights", "means", "covariances"):
        assert rel(getattr(new, name), getattr(ref, name)) < 1e-10


def test_statistics_under_different_parameters_do_not_add():
    X = make_data()
    a = sufficient_statistics(X[:100], init_params(X, 3, init="random", random_state=0))
    b = sufficient_statistics(X[100:], init_params(X, 3, init="random", random_state=1))
    with pytest.raises(ValueError, match="same parameters"):
        a + b
    with pytest.raises(ValueError, match="diagonal scatter"):
        diag = init_params(X, 3, init="random", covariance_type="diag", random_state=0)
        params_from_statistics(sufficient_statistics(X, diag), "full")


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_empty_component_rule_as_in_memory(covariance_type):
    X = make_data(offset=100.0)
    good = init_params(X, 2, init="kmeans", covariance_type=covariance_type, random_state=0)
    far = np.vstack([good.means, [[1e4, 1e4, 1e4]]])  # a third mean no point is near
    start = gmmviz.em._identity_params(far, covariance_type)
    with pytest.warns(EmptyComponentWarning, match=r"^Component 3 received no responsibility"):
        in_memory = fit_em(X, 3, covariance_type=covariance_type, params=start, max_iter=3, tol=0)
    with pytest.warns(EmptyComponentWarning, match=r"^Component 3 received no responsibility"):
        chunked = gmmviz.fit_em(
            da.from_array(X, chunks=(UNEQUAL_CHUNKS, 3)),
            3,
            covariance_type=covariance_type,
            params=start,
            max_iter=3,
            tol=0,
        )
    assert_same_history(chunked, in_memory)
    # parked on the data's mean (and, but for 'tied', its covariance), independently computed
    assert np.allclose(chunked.params[1].means[2], X.mean(axis=0), rtol=1e-12)
    if covariance_type == "full":
        assert np.allclose(
            chunked.params[1].covariances[2], np.cov(X.T, bias=True) + 1e-6 * np.eye(3), rtol=1e-10
        )
    assert chunked.params[1].weights[2] < 1e-12


# ---------------------------------------------------------------------------------------------
# Initialisation on a sample
# ---------------------------------------------------------------------------------------------


def test_kmeans_start_on_a_seeded_sample():
    X = make_data()
    Xd = da.from_array(X, chunks=(UNEQUAL_CHUNKS, 3))
    a = gmmviz.fit_em(Xd, 3, max_iter=0, random_state=7)
    b = gmmviz.fit_em(Xd, 3, max_iter=0, random_state=7)
    start = a.params[0]
    assert a.init == "kmeans" and np.array_equal(start.means, b.params[0].means)
    assert np.allclose(start.weights, 1 / 3) and np.allclose(start.covariances, np.eye(3))
    # the k-means centres land near the three clusters' true centres
    truth = np.array([[0, 0, 0], [4, 1, -2], [-3, 3, 1]], float)
    dist = np.linalg.norm(start.means[:, np.newaxis] - truth[np.newaxis], axis=2)
    assert sorted(dist.argmin(axis=1)) == [0, 1, 2] and dist.min(axis=1).max() < 0.2
    assert a.log_likelihoods[0] == pytest.approx(gmmviz.log_likelihood(X, start), rel=1e-12)


def test_full_fit_from_kmeans_matches_scikit_learn_quality():
    from sklearn.mixture import GaussianMixture

    X = make_data()
    h = gmmviz.fit_em(da.from_array(X, chunks=1500), 3, random_state=0, tol=1e-6)
    gm = GaussianMixture(3, tol=1e-6, random_state=0).fit(X)
    assert h.converged
    assert h.log_likelihoods[-1] / len(X) == pytest.approx(gm.score(X), abs=1e-4)


# ---------------------------------------------------------------------------------------------
# The history keeps no responsibilities for all N
# ---------------------------------------------------------------------------------------------


def test_history_is_lazy_and_responsibilities_on_demand():
    from dask.callbacks import Callback

    X = make_data()
    Xd = da.from_array(X, chunks=(UNEQUAL_CHUNKS, 3))
    start = init_params(X, 3, init="random", random_state=1)
    h = gmmviz.fit_em(Xd, 3, params=start, max_iter=4, tol=0)
    assert h.X is Xd or isinstance(h.X, da.Array)

    computed = []

    class Count(Callback):
        def _start(self, dsk):
            computed.append(len(dsk))

    with Count():
        lazy = h.responsibilities(2)  # a Dask array: nothing computed until asked
        # Frames, animations and the bound trace would need all N × K numbers in memory: refused,
        # with the way to a picture (a sample), before anything is computed.
        with pytest.raises(ValueError, match=r"6,500 × 3 responsibilities.*history.sample"):
            h.frame(3)
        with pytest.raises(ValueError, match="history.sample"):
            list(h.frames())
        with pytest.raises(ValueError, match="history.sample"):
            animate_em(h)
        with pytest.raises(ValueError, match="history.sample"):
            em_bound_trace(h)
    assert computed == [] and h.n_frames == 9
    assert isinstance(lazy, da.Array) and lazy.shape == (len(X), 3)
    assert rel(lazy.compute(), e_step(X, h.params[2])[0]) < 1e-12
    pts, resp = h.sample(t=2, size=500, random_state=0)
    assert pts.shape == (500, 3) and resp.shape == (500, 3)
    rows = [np.flatnonzero((X == p).all(axis=1))[0] for p in pts[:20]]  # real points of X
    assert rel(resp[:20], e_step(X[rows], h.params[2])[0]) < 1e-12
    assert np.array_equal(pts, h.sample(t=2, size=500, random_state=0)[0])


# ---------------------------------------------------------------------------------------------
# dask.distributed
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def client():
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_same_fit_on_a_local_cluster(client):
    X = make_data(offset=1e4)
    start = init_params(X, 3, init="random", covariance_type="full", random_state=1)
    from distributed import get_task_stream

    with get_task_stream(client) as stream:
        h = gmmviz.fit_em(da.from_array(X, chunks=(UNEQUAL_CHUNKS, 3)), 3, params=start, max_iter=10, tol=0)
    assert_same_history(h, fit_em(X, 3, params=start, max_iter=10, tol=0))
    ran = [t["key"] for t in stream.data if "_chunk_statistics" in str(t["key"])]
    assert len(ran) == 11 * len(UNEQUAL_CHUNKS)  # the cluster's workers ran every chunk of every pass
    assert client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0


def test_nan_in_one_chunk_on_a_cluster_names_the_rows_and_leaves_nothing_running(client):
    X = make_data()
    X[4321, 1] = np.nan  # in the chunk of rows 3501..5499
    start = init_params(make_data(), 3, init="random", random_state=1)
    with pytest.raises(ValueError, match=r"chunk starting at row 3501 \(first bad row: 4321\)"):
        gmmviz.fit_em(da.from_array(X, chunks=(UNEQUAL_CHUNKS, 3)), 3, params=start)
    deadline = time.time() + 10
    while (
        client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) and time.time() < deadline
    ):
        time.sleep(0.05)
    assert client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


def test_nan_in_one_chunk_on_the_local_scheduler():
    X = make_data()
    X[2000, 0] = np.inf
    start = init_params(make_data(), 3, init="random", random_state=1)
    threads = []
    for _ in range(3):  # failing fits leave no thread behind: Dask's thread pool is reused, not grown
        with pytest.raises(ValueError, match=r"row 1000 \(first bad row: 2000\).*drop or impute"):
            gmmviz.fit_em(da.from_array(X, chunks=(UNEQUAL_CHUNKS, 3)), 3, params=start)
        threads.append(threading.active_count())
    assert threads[2] == threads[1]
    # found already in the initialisation's sample, and named by its row in X
    X[:, 2] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite values \(row \d+\)"):
        gmmviz.fit_em(da.from_array(X, chunks=(UNEQUAL_CHUNKS, 3)), 3)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (
            lambda: da.from_array(make_data(), chunks=(1000, 2)),
            ValueError,
            r"chunked along the features.*rechunk\(\{1: -1\}\)",
        ),
        (lambda: da.zeros((0, 3), chunks=10), ValueError, "empty"),
        (lambda: da.zeros((5, 0), chunks=10), ValueError, "empty"),
        (lambda: da.zeros((5, 3, 2), chunks=10), ValueError, "2-D"),
        (lambda: da.from_array(np.array(["a", "b"])), TypeError, "real numbers"),
        (lambda: ChunkedEngine(make_data()), TypeError, "dask.array.Array.*gmmviz.fit_em"),
        (
            lambda: (lambda A: A[A[:, 0] > 0])(da.from_array(make_data(), chunks=1000)),
            ValueError,
            "compute_chunk_sizes",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(make, error, match):
    with pytest.raises(error, match=match):
        gmmviz.fit_em(make(), 2)


def test_bad_arguments():
    Xd = da.from_array(make_data(), chunks=1000)
    with pytest.raises(ValueError, match="6500 points but K=7000"):
        gmmviz.fit_em(Xd, 7000)
    with pytest.raises(ValueError, match="Unknown covariance_type"):
        gmmviz.fit_em(Xd, 2, covariance_type="round")
    with pytest.raises(ValueError, match="Unknown init"):
        gmmviz.fit_em(Xd, 2, init="magic")
    with pytest.raises(ValueError, match="make them agree"):
        gmmviz.fit_em(Xd, 2, params=init_params(make_data(), 3, init="random", random_state=0))
    with pytest.raises(ValueError, match="tol"):
        gmmviz.fit_em(Xd, 2, tol=-1)
    with pytest.raises(ValueError, match="distinct"):
        gmmviz.fit_em(da.ones((100, 2), chunks=10), 2)


# ---------------------------------------------------------------------------------------------
# Files on disk and the picture
# ---------------------------------------------------------------------------------------------


def test_from_npy_reads_the_file_in_chunks(tmp_path):
    X = make_data()
    path = tmp_path / "x.npy"
    np.save(path, X)
    Xd = from_npy(path, rows_per_chunk=2000)
    assert Xd.chunks == ((2000, 2000, 2000, 500), (3,))
    assert np.array_equal(Xd.compute(), X)
    with pytest.raises(ValueError, match="rows_per_chunk"):
        from_npy(path, rows_per_chunk=0)
    np.save(tmp_path / "v.npy", np.arange(5.0))
    with pytest.raises(ValueError, match=r"shape \(5,\)"):
        from_npy(tmp_path / "v.npy")


def test_plot_sufficient_statistics_stacks_chunks_to_the_totals():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X = make_data()
    params = init_params(X, 3, init="random", random_state=0)
    parts = [sufficient_statistics(X[a : a + 2000], params) for a in range(0, len(X), 2000)]
    fig, ax = plt.subplots()
    bars = plot_sufficient_statistics(ax, parts)
    tops = [rect.get_y() + rect.get_height() for rect in bars[-1]]
    assert len(bars) == 4 and np.allclose(tops, e_step(X, params)[0].sum(axis=0))
    from matplotlib.colors import to_rgba

    greys = ["0.1", "0.3", "0.5", "0.7"]
    bars = plot_sufficient_statistics(ax, parts, palette=greys)
    assert [to_rgba(b.patches[0].get_facecolor()) for b in bars] == [to_rgba(g) for g in greys]
    plt.close(fig)
