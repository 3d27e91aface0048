"""d₂, d₃ and c₄ computed from their definitions agree with the published tables (to the printed digits)
and with their closed forms; the derived factors give the textbook A₂, D₃, D₄, A₃, B₃, B₄."""

import math

import pytest

from quality.spc.constants import c4, d2, d3

# n: (d₂, d₃, c₄) as printed (to 3 or 4 decimals) in the usual tables of control chart constants.
PUBLISHED = {
    2: (1.128, 0.853, 0.7979), 3: (1.693, 0.888, 0.8862), 4: (2.059, 0.880, 0.9213), 5: (2.326, 0.864, 0.9400),
    6: (2.534, 0.848, 0.9515), 7: (2.704, 0.833, 0.9594), 8: (2.847, 0.820, 0.9650), 9: (2.970, 0.808, 0.9693),
    10: (3.078, 0.797, 0.9727), 15: (3.472, 0.756, 0.9823), 20: (3.735, 0.729, 0.9869), 25: (3.931, 0.708, 0.9896),
}


@pytest.mark.parametrize("n", sorted(PUBLISHED))
def test_constants_match_the_published_table(n):
    published_d2, published_d3, published_c4 = PUBLISHED[n]
    assert round(d2(n), 3) == published_d2
    assert round(d3(n), 3) == published_d3
    assert round(c4(n), 4) == published_c4


def test_closed_forms_for_two():
    assert d2(2) == pytest.approx(2 / math.sqrt(math.pi), rel=1e-12)
    assert c4(2) == pytest.approx(math.sqrt(2 / math.pi), rel=1e-14)
    # The range of two normals is √2 |Z|: sd = √(2 (1 − 2/π)).
    assert d3(2) == pytest.approx(math.sqrt(2 * (1 - 2 / math.pi)), rel=1e-9)


def test_derived_factors_for_five():
    a2 = 3 / (d2(5) * math.sqrt(5))
    d3_low, d4 = 1 - 3 * d3(5) / d2(5), 1 + 3 * d3(5) / d2(5)
    a3 = 3 / (c4(5) * math.sqrt(5))
    b4 = 1 + 3 * math.sqrt(1 - c4(5) ** 2) / c4(5)
    assert (round(a2, 3), max(0.0, round(d3_low, 3)), round(d4, 3)) == (0.577, 0.0, 2.114)
    assert (round(a3, 3), round(b4, 3)) == (1.427, 2.089)


def test_a_subgroup_of_one_has_no_constant():
    with pytest.raises(ValueError, match="at least 2"):
        d2(1)
