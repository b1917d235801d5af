"""Exercises of 03_maximum_likelihood: cross-entropy, KL, conditional entropy, the unbiased
variance of a batch of samples, the Gaussian NLL."""

import numpy as np

from .. import estimators, nn
from .core import Case, Exercise, Mistake
from .misconceptions import slip

NOTEBOOK = "03_maximum_likelihood"


def cross_entropy(p, q):
    """Cross-entropy of discrete distributions, in nats:  H(p, q) = -sum_k p_k log q_k,
    with 0 log q_k = 0.   p, q: arrays of shape (K,), each summing to 1 -> float.
    """
    return nn.cross_entropy(p, q)


def kl_divergence(p, q):
    """Kullback-Leibler divergence, in nats:  D_KL(p || q) = sum_k p_k log(p_k / q_k),
    with 0 log(0 / q_k) = 0.   p, q: arrays of shape (K,), each summing to 1 -> float.
    """
    return nn.kl_divergence(p, q)


def conditional_entropy(p_xy):
    """Conditional entropy of Y given X from the joint table p_xy[i, j] = P(X = x_i, Y = y_j):

        H(Y|X) = sum_i p(x_i) H(Y | X = x_i) = -sum_{i,j} p(x_i, y_j) log p(y_j | x_i),
        p(y_j | x_i) = p(x_i, y_j) / p(x_i),   p(x_i) = sum_j p(x_i, y_j),

    in nats, with 0 log 0 = 0 (an entry p(x_i, y_j) = 0 contributes nothing). The lecture's
    identity H(Y|X) = H(X, Y) - H(X) follows by splitting log p(y|x) = log p(x, y) - log p(x).
    p_xy: array (n_x, n_y), non-negative, summing to 1  ->  float.
    """
    p_xy = np.asarray(p_xy, dtype=np.float64)
    p_x = p_xy.sum(axis=1)
    return float(nn.entropy(p_xy.ravel()) - nn.entropy(p_x))


def unbiased_variance(x):
    """The unbiased sample variance of each sample along the LAST axis:

        s^2 = 1/(n - 1) sum_i (x_i - mu_hat)^2,   mu_hat = (1/n) sum_i x_i,   E[s^2] = sigma^2

    x: array of shape (..., n) with n >= 2 (one sample of size n, or a batch of them, as
    estimators.monte_carlo passes)  ->  array of shape (...) (a float for a 1-D x).
    """
    return estimators.unbiased_variance(x)


def gaussian_nll(y, mu, sigma):
    """Mean negative log-likelihood of y under N(mu, sigma^2) (lecture, "MSE as MLE"):

        L = (1/m) sum_i [ (1/2) log(2 pi sigma_i^2) + (y_i - mu_i)^2 / (2 sigma_i^2) ]

    y, mu: arrays of shape (m,); sigma > 0 a number (the lecture's fixed sigma, sigma_i = sigma)
    or an array of shape (m,), one sigma_i per example (then the first term is no longer a
    constant: the student redoes the lecture's derivation keeping it). Returns a float.
    """
    return nn.gaussian_nll(y, mu, sigma)


# ---------------------------------------------------------------------------------------------
# cases


def _random_distribution(rng, K, zeros=0):
    p = rng.dirichlet(np.ones(K))
    if zeros:
        p[rng.choice(K, size=zeros, replace=False)] = 0.0
        p = p / p.sum()
    return p


def _distribution_pair_cases(rng):
    cases = [
        Case("edge: p = q (KL is 0, cross-entropy is the entropy)",
             (np.array([0.25, 0.25, 0.5]), np.array([0.25, 0.25, 0.5]))),
        Case("edge: p has a zero entry (0 log 0 = 0, no NaN)",
             (np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5]))),
        Case("edge: p_k = 0 where q_k = 0 too (that term is 0, not NaN)",
             (np.array([0.25, 0.75, 0.0]), np.array([0.5, 0.5, 0.0]))),
        Case("edge: q_k = 0 where p_k > 0 (the outcome the model rules out happens: inf)",
             (np.array([0.5, 0.5, 0.0]), np.array([1.0, 0.0, 0.0]))),
        Case("edge: p is one-hot (a label)", (np.array([0.0, 1.0, 0.0, 0.0]),
                                               np.array([0.1, 0.6, 0.2, 0.1]))),
        Case("small: p uniform, q skewed (not symmetric in p and q)",
             (np.array([0.5, 0.5]), np.array([0.9, 0.1]))),
    ]
    for k in range(4):
        K = int(rng.integers(2, 8))
        cases.append(Case(f"random #{k + 1}", (_random_distribution(rng, K, zeros=k % 2),
                                               _random_distribution(rng, K))))
    return cases


def _joint_cases(rng):
    p_x, p_y = np.array([0.3, 0.7]), np.array([0.2, 0.5, 0.3])
    cases = [
        Case("edge: X and Y independent (H(Y|X) = H(Y))", (np.outer(p_x, p_y),)),
        Case("edge: Y is a function of X (H(Y|X) = 0)", (np.array([[0.4, 0.0], [0.0, 0.6]]),)),
        Case("edge: a value of x that never occurs (a zero row: no NaN)",
             (np.array([[0.1, 0.3, 0.2], [0.0, 0.0, 0.0], [0.25, 0.05, 0.1]]),)),
        Case("small: 2 values of x, 3 of y (rows are x, columns are y)",
             (np.array([[0.1, 0.2, 0.1], [0.3, 0.05, 0.25]]),)),
        Case("small: 3 values of x, 2 of y, with a zero entry",
             (np.array([[0.2, 0.0], [0.1, 0.3], [0.15, 0.25]]),)),
    ]
    for k in range(4):
        n_x, n_y = int(rng.integers(2, 6)), int(rng.integers(2, 6))
        p = rng.dirichlet(np.ones(n_x * n_y)).reshape(n_x, n_y)
        if k % 2:
            zero = rng.random(p.shape) < 0.25
            zero.flat[int(np.argmax(p))] = False        # never the whole table: keep its largest entry
            p[zero] = 0.0
            p = p / p.sum()
        cases.append(Case(f"random #{k + 1}: {n_x} x {n_y} table", (p,)))
    return cases


def _variance_cases(rng):
    cases = [
        Case("edge: two values 0 and 2 (s^2 = 2, not 1)", (np.array([0.0, 2.0]),)),
        Case("edge: all values equal", (np.full(5, 3.0),)),
        Case("small: 1, 2, 3, 4 (mean 2.5)", (np.array([1.0, 2.0, 3.0, 4.0]),)),
        Case("small: far from 0 (subtract the mean)", (np.array([100.0, 101.0, 103.0]),)),
        Case("a batch of 3 samples of size 4 (one variance per row)",
             (np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 4.0], [5.0, 5.0, 6.0, 6.0]]),)),
        Case("a batch of 2 samples of size 2 (a square array: the LAST axis is the sample)",
             (np.array([[0.0, 2.0], [1.0, 5.0]]),)),
        Case("a (2, 3, 5) array: variances of shape (2, 3)", (rng.normal(size=(2, 3, 5)),)),
    ]
    for k in range(4):
        n = int(rng.integers(2, 40))
        shape = (n,) if k % 2 == 0 else (int(rng.integers(2, 6)), n)
        x = rng.normal(loc=rng.uniform(-5, 5), size=shape)
        cases.append(Case(f"random #{k + 1}: shape {shape}", (x,)))
    return cases


def _gaussian_nll_cases(rng):
    cases = [
        Case("edge: y = mu, sigma = 1 (only the constant (1/2) log(2 pi) is left)",
             (np.zeros(3), np.zeros(3), 1.0)),
        Case("edge: one example, sigma = 1", (np.array([2.0]), np.array([0.0]), 1.0)),
        Case("small: sigma = 2 (sigma^2 is not sigma)", (np.array([1.0, -1.0]), np.array([0.0, 0.0]), 2.0)),
        Case("small: sigma = 0.5 (the constant is negative)", (np.array([0.5, 1.0, 0.0]),
                                                                np.array([0.0, 1.0, 1.0]), 0.5)),
    ]
    for k in range(4):
        m = int(rng.integers(2, 30))
        sigma = float(rng.uniform(0.2, 3.0))
        cases.append(Case(f"random #{k + 1}", (rng.normal(size=m), rng.normal(size=m), sigma)))
    # a sigma_i per example (issue 22): the normalizing term differs between examples
    cases.append(Case("sigma per example: sigma = [1, 2], y = mu (only the log terms are left)",
                      (np.zeros(2), np.zeros(2), np.array([1.0, 2.0]))))
    cases.append(Case("sigma per example: sigma = [0.5, 1, 4]",
                      (np.array([1.0, -1.0, 2.0]), np.array([0.0, 0.0, 0.0]), np.array([0.5, 1.0, 4.0]))))
    for k in range(3):
        m = int(rng.integers(2, 30))
        cases.append(Case(f"random #{k + 1}, a sigma per example",
                          (rng.normal(size=m), rng.normal(size=m), rng.uniform(0.2, 3.0, size=m))))
    return cases


def _nll_mean_variance_in_constant(y, mu, sigma):
    """sigma_i per example, but the normalizing term computed once with the mean variance."""
    y, mu, sigma = (np.asarray(v, dtype=np.float64) for v in (y, mu, sigma))
    return float(0.5 * np.log(2 * np.pi * np.mean(sigma**2)) + np.mean((y - mu) ** 2 / (2 * sigma**2)))


# ---------------------------------------------------------------------------------------------
# known wrong answers


def _naive_ce(p, q):
    with np.errstate(all="ignore"):
        return float(-np.sum(p * np.log(q)))


def _naive_kl(p, q):
    with np.errstate(all="ignore"):
        return float(np.sum(p * np.log(p / q)))


def _masked_sum(p, values):
    return float(np.sum(np.where(p > 0, p * values, 0.0)))


def _log(q):
    with np.errstate(all="ignore"):
        return np.log(q)


CROSS_ENTROPY_MISTAKES = (
    slip("zero_log_zero", _naive_ce),
    slip("zero_q_dropped", lambda p, q: -_masked_sum(np.where(q > 0, p, 0.0), _log(q))),
    Mistake("p and q swapped", lambda p, q: -_masked_sum(q, _log(p))),
    Mistake("a mean over k instead of a sum", lambda p, q: -_masked_sum(p, _log(q)) / len(p)),
    Mistake("log base 2 (bits) instead of nats", lambda p, q: -_masked_sum(p, _log(q)) / np.log(2)),
    Mistake("a missing minus sign", lambda p, q: _masked_sum(p, _log(q))),
)


KL_MISTAKES = (
    slip("zero_log_zero", _naive_kl),
    slip("zero_q_dropped", lambda p, q: _masked_sum(np.where(q > 0, p, 0.0), _log(p) - _log(q))),
    Mistake("the reversed divergence D_KL(q || p)",
            lambda p, q: _masked_sum(q, _log(q) - _log(p)) if np.all(p > 0) else 0.0),
    Mistake("the cross-entropy (forgot to subtract H(p))", lambda p, q: -_masked_sum(p, _log(q))),
    Mistake("log(q / p) instead of log(p / q)", lambda p, q: _masked_sum(p, _log(q) - _log(p)),
            nudge="The ratio inside the logarithm has the data's distribution p on top and the model's q "
                  "below; the divergence is never negative."),
)


def _h(p):
    p = np.asarray(p, dtype=np.float64).ravel()
    return -_masked_sum(p, _log(p))


CONDITIONAL_ENTROPY_MISTAKES = (
    Mistake("the marginal over the wrong axis (that is H(X|Y))", lambda p: _h(p) - _h(p.sum(axis=0)),
            nudge="The marginal of x sums each ROW of the table (over y); conditioning on x "
                  "divides each row by it."),
    Mistake("the entropy of the marginal p(y) (as if x told nothing about y)", lambda p: _h(p.sum(axis=0)),
            nudge="Condition on x: the entropy of y is taken within each row, then averaged "
                  "with the weights p(x)."),
    Mistake("the joint entropy H(X, Y) without subtracting H(X)", lambda p: _h(p),
            nudge="What x already tells is not uncertainty about y: subtract the entropy of "
                  "x from the joint entropy."),
    Mistake("the row entropies summed without weighting by p(x)",
            lambda p: float(sum(_h(row / row.sum()) for row in p if row.sum() > 0)),
            nudge="Each row's conditional entropy counts with the probability of its x: a "
                  "weighted average, not a plain sum."),
    slip("unweighted_average", lambda p: float(np.mean([_h(row / row.sum()) for row in p if row.sum() > 0]))),
    slip("unweighted_average",   # every row in the average, an empty row with entropy 0
         lambda p: float(np.mean([_h(row / row.sum()) if row.sum() > 0 else 0.0 for row in p]))),
    Mistake("no special case for zero entries (0 times log 0 is NaN)",
            lambda p: float(-np.sum(p * _log(p / p.sum(axis=1, keepdims=True)))),
            nudge="Entries with zero probability contribute nothing: leave them out before "
                  "taking any logarithm."),
)


def _deviations(x):
    x = np.asarray(x, dtype=np.float64)
    return x - x.mean(axis=-1, keepdims=True), x.shape[-1]


def _flat_variance(x):
    """Treats the whole array as one sample (the batch axis forgotten)."""
    x = np.asarray(x, dtype=np.float64)
    value = float(np.sum((x - x.mean()) ** 2) / (x.size - 1))
    return value if x.ndim == 1 else np.full(x.shape[:-1], value)


VARIANCE_MISTAKES = (
    Mistake("dividing by n instead of n - 1 (the biased estimator)",
            lambda x: np.sum(_deviations(x)[0] ** 2, axis=-1) / _deviations(x)[1]),
    Mistake("squares around 0 instead of around the sample mean",
            lambda x: np.sum(np.asarray(x, dtype=np.float64) ** 2, axis=-1) / (np.shape(x)[-1] - 1)),
    Mistake("dividing by n + 1", lambda x: np.sum(_deviations(x)[0] ** 2, axis=-1) / (_deviations(x)[1] + 1)),
    Mistake("a standard deviation (the square root of s^2)",
            lambda x: np.sqrt(np.sum(_deviations(x)[0] ** 2, axis=-1) / (_deviations(x)[1] - 1))),
    Mistake("the whole array taken as one sample", _flat_variance),
    Mistake("one mean for the whole batch instead of each sample's own",
            lambda x: np.sum((np.asarray(x, dtype=np.float64) - np.mean(x)) ** 2, axis=-1)
            / (np.shape(x)[-1] - 1),
            nudge="Each sample (each row along the last axis) is centred on its OWN mean: average along "
                  "the last axis, keeping it, not over the whole batch."),
    Mistake("the variance along the first axis instead of the last",
            lambda x: np.var(np.asarray(x, dtype=np.float64), axis=0, ddof=1)),
)


GAUSSIAN_NLL_MISTAKES = (
    Mistake("the squared error term alone (no (1/2) log(2 pi sigma^2))",
            lambda y, mu, s: float(np.mean((y - mu) ** 2 / (2 * s**2)))),
    Mistake("the log sigma term left out (only (1/2) log(2 pi) kept)",
            lambda y, mu, s: float(np.mean(0.5 * np.log(2 * np.pi) + (y - mu) ** 2 / (2 * s**2))),
            nudge="The normalizing constant depends on sigma: half the log of two pi times sigma "
                  "squared, which is the log of sigma plus half the log of two pi."),
    Mistake("sigma in place of sigma^2",
            lambda y, mu, s: float(np.mean(0.5 * np.log(2 * np.pi * s) + (y - mu) ** 2 / (2 * s)))),
    Mistake("sigma instead of sigma^2 inside the logarithm",
            lambda y, mu, s: float(np.mean(0.5 * np.log(2 * np.pi * s) + (y - mu) ** 2 / (2 * s**2))),
            nudge="The normalizing constant is the logarithm of two pi times the VARIANCE, sigma "
                  "squared, not times sigma."),
    Mistake("a sum over the examples instead of a mean",
            lambda y, mu, s: float(np.sum(0.5 * np.log(2 * np.pi * s**2) + (y - mu) ** 2 / (2 * s**2)))),
    Mistake("sigma^2 without the 2 in the denominator",
            lambda y, mu, s: float(np.mean(0.5 * np.log(2 * np.pi * s**2) + (y - mu) ** 2 / s**2))),
    Mistake("log(2 pi sigma^2) without the 1/2",
            lambda y, mu, s: float(np.mean(np.log(2 * np.pi * s**2) + (y - mu) ** 2 / (2 * s**2)))),
)


_INFORMATION = (nn.cross_entropy, nn.kl_divergence, nn.entropy, nn._sum_p_log_q)

EXERCISES = [
    Exercise(
        id="cross_entropy",
        notebook=NOTEBOOK,
        points=1,
        transcription=True,   # the formula is shown right before it (issue 22)
        reference=cross_entropy,
        make_cases=_distribution_pair_cases,
        outputs=("H(p, q)",),
        hints=(
            "Cross-entropy weighs the surprise of the model, minus the log of q_k, by how often the "
            "data shows outcome k, p_k; outcomes the data never shows contribute nothing.",
            "Where p_k is zero the product is zero by convention, even where q_k is zero too: "
            "leave those terms out before taking any logarithm. Natural logarithms, a sum over k.",
        ),
        mistakes=CROSS_ENTROPY_MISTAKES,
        forbidden=_INFORMATION,
    ),
    Exercise(
        id="kl_divergence",
        notebook=NOTEBOOK,
        points=1,
        reference=kl_divergence,
        make_cases=_distribution_pair_cases,
        outputs=("D_KL(p || q)",),
        hints=(
            "KL divergence is the extra surprise of the model over the data's own: the cross-entropy "
            "minus the entropy of p, weighted by p.",
            "Only outcomes with p_k above zero contribute, and the ratio inside the logarithm has p "
            "on top; the result is never negative and is zero when the two agree.",
        ),
        mistakes=KL_MISTAKES,
        forbidden=_INFORMATION,
    ),
    Exercise(
        id="conditional_entropy",
        notebook=NOTEBOOK,
        points=2,
        reference=conditional_entropy,
        make_cases=_joint_cases,
        outputs=("H(Y|X)",),
        hints=(
            "The conditional entropy is the entropy of Y that is left once x is known, averaged over "
            "the values of x with their probabilities as weights; rows of the table are values of x.",
            "First the marginal of x, by summing each row; then the conditional distribution of y "
            "in each row, by dividing the row by its own marginal; weigh minus the log of that "
            "conditional by the JOINT probability, not by the conditional one.",
            "Entries with zero joint probability contribute nothing, and a row whose marginal is zero "
            "must not produce a division by zero that leaks a NaN into the sum.",
        ),
        mistakes=CONDITIONAL_ENTROPY_MISTAKES,
        forbidden=_INFORMATION,
    ),
    Exercise(
        id="unbiased_variance",
        notebook=NOTEBOOK,
        points=2,
        reference=unbiased_variance,
        make_cases=_variance_cases,
        outputs=("s^2",),
        hints=(
            "Deviations are measured from the sample's own mean, and because that mean sits closer "
            "to the sample than the true mean, the sum of squares is divided by n minus 1.",
            "A batch holds many samples, and each has its own mean: every value's deviation is "
            "measured from the mean of the sample it belongs to, never from the mean of the whole batch.",
            "n is the length of the last axis, not the total number of values in the array.",
        ),
        mistakes=VARIANCE_MISTAKES,
        forbidden=(estimators.unbiased_variance, estimators.biased_variance, estimators.gaussian_mle),
    ),
    Exercise(
        id="gaussian_nll",
        notebook=NOTEBOOK,
        points=2,
        reference=gaussian_nll,
        make_cases=_gaussian_nll_cases,
        outputs=("NLL",),
        hints=(
            "Take minus the log of the Gaussian density at each y_i, then average over the examples.",
            "The log of the density has two parts: the normalizing constant, which involves sigma "
            "squared and a factor one half, and the squared error divided by twice sigma squared.",
        ),
        mistakes=GAUSSIAN_NLL_MISTAKES + (
            Mistake("the normalizing term computed once, with the average sigma^2, instead of per example",
                    _nll_mean_variance_in_constant),),
        forbidden=(nn.gaussian_nll,),
    ),
]
