"""Memory stays bounded by the chunk size: a fit on a file ~3× larger than its worker may use.

2×10⁷ points in 3-D (458 MiB as a ``.npy``) are fitted by one ``dask.distributed`` worker process
whose memory limit is 144 MiB, including the ~80 MiB a Python process with NumPy, SciPy and Dask
needs before reading any data. The worker's nanny terminates it above 95% of its limit, so a fit
that completes stayed below it; the peak resident memory, polled every 20 ms, is printed and
checked too. 2×10⁷ points, K=4 and two iterations (three reads of the file) keep the test near
80 s on a busy 2-core machine; it is marked ``slow``: CI runs it, ``-m "not slow"`` leaves it out locally.
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

N_POINTS = 20_000_000
MEMORY_LIMIT_MIB = 144


@pytest.fixture
def big_path(tmp_path):
    path = tmp_path / "big.npy"
    yield path
    path.unlink(missing_ok=True)  # pytest keeps recent tmp_path folders: do not leave 458 MiB behind


@pytest.mark.slow
def test_fit_on_a_memmap_larger_than_the_worker_memory(big_path):
    import dask
    import psutil
    from distributed import Client, LocalCluster
    from numpy.lib.format import open_memmap

    from gmmviz import fit_em
    from gmmviz.chunked import from_npy
    from gmmviz.em import _identity_params

    path = big_path
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 5, (4, 3))
    mm = open_memmap(path, mode="w+", dtype=np.float64, shape=(N_POINTS, 3))
    for a in range(0, N_POINTS, 1_000_000):  # written in slices: the test process never holds it either
        mm[a : a + 1_000_000] = centres[rng.integers(4, size=1_000_000)] + rng.normal(size=(1_000_000, 3))
    mm.flush()
    del mm
    file_mib = path.stat().st_size / 2**20
    assert file_mib > 3 * MEMORY_LIMIT_MIB

    # No pausing or spilling (the results are a few numbers): only the limit that kills the worker.
    memory = {
        "distributed.worker.memory.pause": False,
        "distributed.worker.memory.spill": False,
        "distributed.worker.memory.target": False,
        "distributed.worker.memory.terminate": 0.95,
    }
    with (
        dask.config.set(memory),
        LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            memory_limit=f"{MEMORY_LIMIT_MIB}MiB",
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as client,
    ):
        workers = [psutil.Process(pid) for pid in client.run(os.getpid).values()]
        peak, stop = [0], threading.Event()

        def poll():
            while not stop.is_set():
                peak[0] = max(peak[0], sum(p.memory_info().rss for p in workers))
                time.sleep(0.02)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        start = _identity_params(centres + 0.5, "full")
        t0 = time.perf_counter()
        try:
            history = fit_em(from_npy(path, rows_per_chunk=100_000), 4, params=start, max_iter=2, tol=0)
        finally:
            stop.set()
            poller.join()
        seconds = time.perf_counter() - t0
        assert len(client.scheduler_info()["workers"]) == 1  # the one worker was never restarted

    peak_mib = peak[0] / 2**20
    print(
        f"\n{N_POINTS:,} points, {file_mib:.0f} MiB on disk; worker limit {MEMORY_LIMIT_MIB} MiB; "
        f"peak worker RSS {peak_mib:.0f} MiB; {history.n_iter} iterations in {seconds:.0f} s"
    )
    assert history.n_iter == 2 and np.all(np.diff(history.log_likelihoods) > 0)
    assert 0 < peak_mib < 0.95 * MEMORY_LIMIT_MIB
    # the fit moved towards the true centres (a property of EM, not of the chunking)
    assert np.max(np.linalg.norm(history.final.means - centres, axis=1)) < 0.5
