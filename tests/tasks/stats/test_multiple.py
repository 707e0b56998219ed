"""Tests for tasks.stats.multiple against published R ``p.adjust`` output."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.stats.multiple import holm

pytestmark = pytest.mark.filterwarnings("error")

_settings = settings(max_examples=60, deadline=None)


# --------------------------------------------------------------------------- #
# holm
# --------------------------------------------------------------------------- #


def test_holm_matches_r_p_adjust():
    # R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), method = "holm")
    #    0.05 0.08 0.09 0.09 0.09   (the R result quoted in several public test
    # suites, e.g. the code search hits for 'p.adjust(c(0.01, 0.02, 0.03, 0.04,
    # 0.05)'; the algorithm is R's src/library/stats/R/p.adjust.R in wch/r-source:
    # pmin(1, cummax((n - i + 1) * p[o]))[ro]).
    np.testing.assert_allclose(
        holm([0.01, 0.02, 0.03, 0.04, 0.05]), [0.05, 0.08, 0.09, 0.09, 0.09], rtol=1e-14
    )
    # same values in another order come back in the caller's order
    np.testing.assert_allclose(
        holm([0.04, 0.01, 0.05, 0.03, 0.02]), [0.09, 0.05, 0.09, 0.09, 0.08], rtol=1e-14
    )


def test_holm_missing_values_and_caps():
    # R's p.adjust keeps NA in place and uses n = number of non-NA p-values
    out = holm([0.01, np.nan, 0.04, 0.03, None])
    np.testing.assert_allclose(out, [0.03, np.nan, 0.06, 0.06, np.nan], rtol=1e-14)
    np.testing.assert_allclose(holm([0.5, 0.6, 0.9]), [1.0, 1.0, 1.0])
    assert holm([]).shape == (0,)
    assert holm([0.2]).tolist() == [0.2]
    assert holm([0.01, 0.01]).tolist() == [0.02, 0.02]
    assert isinstance(holm([0.1, 0.2]), np.ndarray)


@pytest.mark.parametrize("bad", [[0.1, 1.5], [-0.01], ["x"]])
def test_holm_usage_errors(bad):
    with pytest.raises(ValueError):
        holm(bad)


@_settings
@given(st.lists(st.floats(0, 1), min_size=1, max_size=12))
def test_property_holm_definition(pvalues):
    adjusted = holm(pvalues)
    p = np.asarray(pvalues)
    m = p.size
    ordered = np.sort(p)
    # brute force: adjusted p_(i) = min(1, max_{j <= i} (m - j + 1) p_(j)), 1-based
    brute = [min(1.0, max((m - j) * ordered[j] for j in range(i + 1))) for i in range(m)]
    for value, adj in zip(p, adjusted, strict=True):
        i = int(np.searchsorted(ordered, value, side="right")) - 1
        assert adj == pytest.approx(brute[i], rel=1e-12, abs=1e-300)
        assert value <= adj <= 1.0
