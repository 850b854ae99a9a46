"""The Malmquist index reports its progress as it solves, and an exception from the callback stops it."""

from __future__ import annotations

import numpy as np
import pytest

from tupo.methods.dea import malmquist


def panel(n=300, seed=7):
    rng = np.random.default_rng(seed)
    ids = [f"u{i}" for i in range(n)] * 2
    periods = [2024] * n + [2025] * n
    X = rng.uniform(1, 10, size=(2 * n, 2))
    Y = rng.uniform(1, 10, size=(2 * n, 2))
    return X, Y, ids, periods


def test_progress_rises_to_the_total_in_many_steps_and_changes_no_result():
    X, Y, ids, periods = panel()
    calls = []
    with_progress = malmquist(X, Y, ids, periods, progress=lambda d, t: calls.append((d, t)))
    plain = malmquist(X, Y, ids, periods)
    totals = {t for _d, t in calls}
    assert totals == {2 * 600 + 2 * 300}  # within each period (CRS, VRS) + both cross-period scores per unit
    done = [d for d, _t in calls]
    assert done == sorted(done) and done[-1] == 1800 and len(set(done)) > 10
    np.testing.assert_allclose(with_progress.tfpch, plain.tfpch)


def test_an_exception_from_the_callback_stops_the_computation():
    X, Y, ids, periods = panel(50)

    class Stop(Exception):
        pass

    def stop(done, total):
        raise Stop

    with pytest.raises(Stop):
        malmquist(X, Y, ids, periods, progress=stop)
