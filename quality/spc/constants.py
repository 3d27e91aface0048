"""Control chart constants computed from their definitions, not typed from a table.

For n independent standard normal values:

- d₂(n) = E[R], the expected range: ∫ (1 − Φ(x)ⁿ − (1 − Φ(x))ⁿ) dx over the real line (the range is
  the length of the part of the line between the smallest and the largest value);
- d₃(n) = sd(R), from E[R²] = 2 ∬_{s<t} (1 − (1 − Φ(s))ⁿ − Φ(t)ⁿ + (Φ(t) − Φ(s))ⁿ) ds dt, the
  probability that the smallest value is at most s and the largest beyond t, integrated twice;
- c₄(n) = E[s]/σ = √(2/(n − 1)) · Γ(n/2) / Γ((n − 1)/2), the bias of the sample standard deviation.

The integrals are evaluated by adaptive quadrature over ±12 (the integrands are below 1e-30 beyond);
the results agree with the published tables to every printed digit (tests/quality/test_spc_constants.py).
"""

from __future__ import annotations

import math
from functools import lru_cache

from scipy import integrate
from scipy.special import ndtr

_LIMIT = 12.0


def _check(n: int, smallest: int = 2) -> None:
    if n < smallest:
        raise ValueError(f"needs a subgroup size of at least {smallest}, got {n}")


@lru_cache(maxsize=256)
def d2(n: int) -> float:
    _check(n)
    value, _ = integrate.quad(lambda x: 1 - ndtr(x) ** n - (1 - ndtr(x)) ** n, -_LIMIT, _LIMIT,
                              limit=200, epsabs=1e-13, epsrel=1e-13)
    return value


@lru_cache(maxsize=256)
def d3(n: int) -> float:
    _check(n)

    def both_outside(s: float, t: float) -> float:
        return 1 - (1 - ndtr(s)) ** n - ndtr(t) ** n + (ndtr(t) - ndtr(s)) ** n

    half, _ = integrate.dblquad(both_outside, -_LIMIT, _LIMIT, lambda t: -_LIMIT, lambda t: t,
                                epsabs=1e-11, epsrel=1e-11)
    return math.sqrt(2 * half - d2(n) ** 2)


@lru_cache(maxsize=4096)
def c4(n: int) -> float:
    _check(n)
    return math.sqrt(2 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))
