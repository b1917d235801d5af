"""Exercises of 03_maximum_likelihood: Gaussian NLL, cross-entropy, KL, the unbiased variance."""

import numpy as np

from ..estimators import unbiased_variance as _unbiased_variance
from ..nn import cross_entropy as _cross_entropy
from ..nn import gaussian_nll as _gaussian_nll
from ..nn import kl_divergence as _kl_divergence
from .core import Case, Exercise

NOTEBOOK = "03_maximum_likelihood"


def gaussian_nll(y, mu, sigma):
    """Mean negative log-likelihood of y under N(mu, sigma^2) (lecture, "MSE as MLE"):

        L = (1/m) sum_i [ (1/2) log(2 pi sigma^2) + (y_i - mu_i)^2 / (2 sigma^2) ]

    y, mu: arrays of shape (m,); sigma > 0 a number. Returns a float.
    """
    return _gaussian_nll(y, mu, sigma)


def cross_entropy(p, q):
    """Cross-entropy of discrete distributions, in nats:  H(p, q) = -sum_k p_k log q_k,
    with 0 log q_k = 0.   p, q: arrays of shape (K,), each summing to 1 -> float.
    """
    return _cross_entropy(p, q)


def kl_divergence(p, q):
    """Kullback-Leibler divergence, in nats:  D_KL(p || q) = sum_k p_k log(p_k / q_k),
    with 0 log(0 / q_k) = 0.   p, q: arrays of shape (K,), each summing to 1 -> float.
    """
    return _kl_divergence(p, q)


def unbiased_variance(x):
    """The unbiased sample variance:  s^2 = 1/(n - 1) sum_i (x_i - mu_hat)^2,
    mu_hat = (1/n) sum_i x_i.   x: array of shape (n,), n >= 2 -> float.
    """
    return float(_unbiased_variance(x))


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
    return cases


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


def _variance_cases(rng):
    cases = [
        Case("edge: two values 0 and 2 (s^2 = 2, not 1)", (np.array([0.0, 2.0]),)),
        Case("edge: all values equal", (np.full(5, 3.0),)),
        Case("small: 1, 2, 3, 4 (mean 2.5)", (np.array([1.0, 2.0, 3.0, 4.0]),)),
        Case("small: far from 0 (subtract the mean)", (np.array([100.0, 101.0, 103.0]),)),
    ]
    for k in range(4):
        n = int(rng.integers(2, 40))
        cases.append(Case(f"random #{k + 1}", (rng.normal(loc=rng.uniform(-5, 5), size=n),)))
    return cases


EXERCISES = [
    Exercise(
        id="gaussian_nll",
        notebook=NOTEBOOK,
        points=2,
        reference=gaussian_nll,
        make_cases=_gaussian_nll_cases,
        hint="Average 0.5 * log(2 pi sigma^2) + (y - mu)^2 / (2 sigma^2) over the examples.",
    ),
    Exercise(
        id="cross_entropy",
        notebook=NOTEBOOK,
        points=1,
        reference=cross_entropy,
        make_cases=_distribution_pair_cases,
        hint="Sum -p_k log q_k only over the k with p_k > 0 (0 log q = 0), e.g. with a mask.",
    ),
    Exercise(
        id="kl_divergence",
        notebook=NOTEBOOK,
        points=1,
        reference=kl_divergence,
        make_cases=_distribution_pair_cases,
        hint="Sum p_k log(p_k / q_k) only over the k with p_k > 0; it equals H(p, q) - H(p).",
    ),
    Exercise(
        id="unbiased_variance",
        notebook=NOTEBOOK,
        points=1,
        reference=unbiased_variance,
        make_cases=_variance_cases,
        hint="Subtract the sample mean, square, sum, and divide by n - 1 (not by n).",
    ),
]
