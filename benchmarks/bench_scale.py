"""Time one EM iteration on N = 10⁶ and 10⁷ points (d = 3, K = 8, full covariances), four ways.

* gmmviz in memory: ``em._e_step`` + ``em._m_step`` on the NumPy array;
* gmmviz on chunks, Dask's local (threaded) scheduler: one pass of per-chunk statistics + the
  M-step on the totals, what ``fit_em`` does per iteration on a Dask array;
* the same on a 2-worker ``dask.distributed.LocalCluster`` (processes, one thread each);
* scikit-learn in memory (``GaussianMixture._e_step`` + ``_m_step``) where it fits in memory.

The data are written once to a ``.npy`` file; the in-memory cases load it, the chunked ones read it
chunk by chunk with ``gmmviz.chunked.from_npy`` (from the page cache after the first pass). Each
case runs in a fresh Python process, so its peak resident memory (``ru_maxrss``, plus the workers'
for the cluster) is its own. All four start from the same parameters and the script checks that
they reach the same parameters after one iteration.

    .venv/bin/python benchmarks/bench_scale.py                 # N = 10⁶ and 10⁷ (a few minutes)
    .venv/bin/python benchmarks/bench_scale.py --n 100000      # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

D, K = 3, 8
CASES = (
    "gmmviz in memory",
    "gmmviz chunked, local",
    "gmmviz chunked, 2-worker cluster",
    "scikit-learn in memory",
)
ROWS_PER_CHUNK = 250_000


def write_data(path: Path, n: int, seed: int = 0) -> None:
    """n points from K Gaussian blobs in 3-D, written in slices (never all in memory at once)."""
    from numpy.lib.format import open_memmap

    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 5, (K, D))
    mm = open_memmap(path, mode="w+", dtype=np.float64, shape=(n, D))
    for a in range(0, n, 1_000_000):
        b = min(n, a + 1_000_000)
        mm[a:b] = centres[rng.integers(K, size=b - a)] + rng.normal(size=(b - a, D))
    mm.flush()
    del mm


def start_params(path: Path):
    from gmmviz.em import _identity_params, _initial_means

    sample = np.array(np.load(path, mmap_mode="r")[:20_000])
    return _identity_params(_initial_means(sample, K, "kmeans++", 0), "full")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def run_case(case: str, path: Path, repeat: int) -> dict:
    """One case in this process: median seconds per iteration, peak MiB, the parameters after one."""
    start = start_params(path)
    extra_peak = 0.0
    cluster = client = None
    if case == "gmmviz in memory":
        from gmmviz.em import _e_step, _m_step

        X = np.load(path)

        def step():
            resp, _ = _e_step(X, start)
            return _m_step(X, resp, "full", 1e-6)
    elif case == "scikit-learn in memory":
        X = np.load(path)
        gm = start.to_sklearn()
        gm.reg_covar = 1e-6

        def step():
            gm.weights_, gm.means_, gm.covariances_ = start.weights, start.means, start.covariances
            gm.precisions_cholesky_ = start.precisions_cholesky
            _, log_resp = gm._e_step(X)
            gm._m_step(X, log_resp)
            return type(start)(gm.weights_, gm.means_, gm.covariances_, "full")
    else:
        from gmmviz.chunked import _params_from_statistics, _pass, from_npy

        if case.endswith("cluster"):
            from distributed import Client, LocalCluster

            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
            client = Client(cluster)
        X = from_npy(path, rows_per_chunk=ROWS_PER_CHUNK)

        def step():
            return _params_from_statistics(_pass(X, start), "full", 1e-6, None)

    times = []
    for i in range(repeat + 1):  # the first is a warm-up (page cache, thread pools, worker imports)
        t0 = time.perf_counter()
        params = step()
        if i:
            times.append(time.perf_counter() - t0)
    if client is not None:
        extra_peak = sum(client.run(peak_mib).values())
        client.close()
        cluster.close()
    return {
        "seconds": float(np.median(times)),
        "peak_mib": peak_mib() + extra_peak,
        "means": params.means.tolist(),
        "covariances": params.covariances.tolist(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case, print JSON
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, Path(args.path), args.repeat)))
        return

    import dask
    import sklearn

    print(
        f"one EM iteration, full covariance, d={D}, K={K}, median of {args.repeat}; {os.cpu_count()} cores; "
        f"dask {dask.__version__}, scikit-learn {sklearn.__version__}; chunks of {ROWS_PER_CHUNK:,} points; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'N':>12} | {'case':<34} | {'s / iteration':>13} | {'× in memory':>11} | {'peak MiB':>8} | max rel diff"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.n:
            path = Path(tmp) / f"x{n}.npy"
            write_data(path, n)
            results = {}
            for case in CASES:
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--case",
                        case,
                        "--path",
                        str(path),
                        "--repeat",
                        str(args.repeat),
                    ],
                    capture_output=True,
                    text=True,
                )
                if out.returncode:
                    print(f"{n:>12,} | {case:<34} | failed: {out.stderr.strip().splitlines()[-1]}")
                    continue
                results[case] = json.loads(out.stdout.strip().splitlines()[-1])
            ref = results["gmmviz in memory"]
            for case, r in results.items():
                diff = max(
                    np.max(np.abs(np.subtract(r[k], ref[k]))) / np.max(np.abs(ref[k]))
                    for k in ("means", "covariances")
                )
                print(
                    f"{n:>12,} | {case:<34} | {r['seconds']:>13.2f} | {r['seconds'] / ref['seconds']:>11.2f} | "
                    f"{r['peak_mib']:>8.0f} | {diff:.0e}",
                    flush=True,
                )
            path.unlink()


if __name__ == "__main__":
    main()
