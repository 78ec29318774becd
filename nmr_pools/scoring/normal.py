"""The standard normal inverse CDF without scipy: Cephes' `ndtri`, the function scipy.special
wraps, written out with the same operations in the same order, so each value is the same bits.

Why: importing scipy.special costs a quarter of a second, a sixth of the whole `score`
command, and the engine needs `ndtri` only for the table of the 2n - 1 values a row of n
ranks can take (`transforms._gaussian_of_rank_sums`), which `ndtri_array` computes with numpy
(the same operations on whole arrays: a tenth of the time of 2n - 1 scalar calls). The tests
check both against scipy bit for bit over the whole table range and random arguments;
`math.log` and `math.sqrt` are the C library's, as in scipy's build.

Algorithm (S. L. Moshier, Cephes Math Library 2.1): for y within 0.135..0.865 a rational
function of (y - 1/2)^2; in the tails, with x = sqrt(-2 log y), x - log(x)/x minus a rational
function of 1/x (one pair of polynomials for y > exp(-32), another below).
"""

from __future__ import annotations

import math

import numpy as np

# sqrt(2 pi)
SQRT2PI = 2.50662827463100050242e0
# exp(-2): where the central approximation hands over to the tails
EXP_MINUS_2 = 0.13533528323661269189

# central region, 0 <= |y - 0.5| <= 3/8: P0/Q0 in (y - 0.5)^2 (Q0's leading 1 implied)
P0 = (
    -5.99633501014107895267e1,
    9.80010754185999661536e1,
    -5.66762857469070293439e1,
    1.39312609387279679503e1,
    -1.23916583867381258016e0,
)
Q0 = (
    1.95448858338141759834e0,
    4.67627912898881538453e0,
    8.63602421390890590575e1,
    -2.25462687854119370527e2,
    2.00260212380060660359e2,
    -8.20372256168333339912e1,
    1.59056225126211695515e1,
    -1.18331621121330003142e0,
)
# tails with 2 <= x < 8 (y between exp(-32) and exp(-2)): P1/Q1 in 1/x
P1 = (
    4.05544892305962419923e0,
    3.15251094599893866154e1,
    5.71628192246421288162e1,
    4.40805073893200834700e1,
    1.46849561928858024014e1,
    2.18663306850790267539e0,
    -1.40256079171354495875e-1,
    -3.50424626827848203418e-2,
    -8.57456785154685413611e-4,
)
Q1 = (
    1.57799883256466749731e1,
    4.53907635128879210584e1,
    4.13172038254672030440e1,
    1.50425385692907503408e1,
    2.50464946208309415979e0,
    -1.42182922854787788574e-1,
    -3.80806407691578277194e-2,
    -9.33259480895457427372e-4,
)
# far tails, x >= 8 (y below exp(-32)): P2/Q2 in 1/x
P2 = (
    3.23774891776946035970e0,
    6.91522889068984211695e0,
    3.93881025292474443415e0,
    1.33303460815807542389e0,
    2.01485389549179081538e-1,
    1.23716634817820021358e-2,
    3.01581553508235416007e-4,
    2.65806974686737550832e-6,
    6.23974539184983293730e-9,
)
Q2 = (
    6.02427039364742014255e0,
    3.67983563856160859403e0,
    1.37702099489081330271e0,
    2.16236993594496635890e-1,
    1.34204006088543189037e-2,
    3.28014464682127739104e-4,
    2.89247864745380683936e-6,
    6.79019408009981274425e-9,
)


def _polevl(x: float, coefficients: tuple[float, ...]) -> float:
    """c0 x^N + ... + cN by Horner's rule, one multiply and one add per step."""
    total = coefficients[0]
    for c in coefficients[1:]:
        total = total * x + c
    return total


def _p1evl(x: float, coefficients: tuple[float, ...]) -> float:
    """x^N + c0 x^(N-1) + ... (leading coefficient 1, not stored)."""
    total = x + coefficients[0]
    for c in coefficients[1:]:
        total = total * x + c
    return total


def ndtri(y0: float) -> float:
    """x with Phi(x) = y0 for y0 in [0, 1] (-inf at 0, inf at 1); ValueError outside."""
    if y0 == 0.0:
        return -math.inf
    if y0 == 1.0:
        return math.inf
    if not 0.0 < y0 < 1.0:
        raise ValueError(f"ndtri needs a probability in [0, 1], got {y0!r}")
    negate = True
    y = y0
    if y > 1.0 - EXP_MINUS_2:
        y = 1.0 - y
        negate = False
    if y > EXP_MINUS_2:
        y = y - 0.5
        y2 = y * y
        x = y + y * (y2 * _polevl(y2, P0) / _p1evl(y2, Q0))
        return x * SQRT2PI
    x = math.sqrt(-2.0 * math.log(y))
    x0 = x - math.log(x) / x
    z = 1.0 / x
    if x < 8.0:  # y > exp(-32)
        x1 = z * _polevl(z, P1) / _p1evl(z, Q1)
    else:
        x1 = z * _polevl(z, P2) / _p1evl(z, Q2)
    x = x0 - x1
    return -x if negate else x


# ---- the same, over an array (the table of a row's 2n - 1 gaussianized ranks) ----


def _log(values: np.ndarray) -> np.ndarray:
    """`math.log` of each element (the C library's, as the scalar `ndtri` uses; numpy's own
    vectorised log may differ in the last bit on some CPUs)."""
    return np.fromiter(map(math.log, values.tolist()), dtype=np.float64, count=len(values))


def _polevl_array(x: np.ndarray, coefficients: tuple[float, ...]) -> np.ndarray:
    total = np.full_like(x, coefficients[0])
    for c in coefficients[1:]:
        total = total * x + c
    return total


def _p1evl_array(x: np.ndarray, coefficients: tuple[float, ...]) -> np.ndarray:
    total = x + coefficients[0]
    for c in coefficients[1:]:
        total = total * x + c
    return total


def ndtri_array(probabilities: np.ndarray) -> np.ndarray:
    """`ndtri` of each probability in (0, 1), the same bits: numpy does the arithmetic (the same
    IEEE operations in the same order, never fused), `math.log` the logarithms. (n,) -> (n,)."""
    y0 = np.asarray(probabilities, dtype=np.float64)
    if not ((y0 > 0.0) & (y0 < 1.0)).all():
        raise ValueError("ndtri_array needs probabilities strictly between 0 and 1")
    upper = y0 > 1.0 - EXP_MINUS_2  # upper tail: computed from 1 - y, result positive
    y = np.where(upper, 1.0 - y0, y0)
    central = y > EXP_MINUS_2
    result = np.empty_like(y0)
    shifted = y[central] - 0.5
    squared = shifted * shifted
    x = shifted + shifted * (squared * _polevl_array(squared, P0) / _p1evl_array(squared, Q0))
    result[central] = x * SQRT2PI
    tail = ~central
    x = np.sqrt(-2.0 * _log(y[tail]))
    x0 = x - _log(x) / x
    z = 1.0 / x
    near = z * _polevl_array(z, P1) / _p1evl_array(z, Q1)  # x < 8: y > exp(-32)
    far = z * _polevl_array(z, P2) / _p1evl_array(z, Q2)
    x = x0 - np.where(x < 8.0, near, far)
    result[tail] = np.where(upper[tail], x, -x)
    return result
