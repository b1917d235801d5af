"""The loss landscape of a small MLP on the digits (04): Li et al. (2018), "Visualizing the Loss
Landscape of Neural Nets" (https://arxiv.org/abs/1712.09913).

    run = train_digits_mlp()                                   a trained 64-32-10 ReLU MLP
    loss_at(sizes, params, X, y)                               J at one point of parameter space
    d = filter_normalized_direction(run["theta"], seed=1)      a direction scaled like the weights
    loss_along_line(sizes, theta_a, theta_b, X, y, cs)         J on the segment between two points
    loss_on_plane(sizes, theta, d1, d2, X, y, coordinates)     J on a plane through theta

(Split from course_lib.landscapes, whose 2-D test functions need no network, data or training.)
"""

import functools

import numpy as np

from . import data, nn, training
from .optimizers import SGD


@functools.lru_cache(maxsize=2)
def train_digits_mlp(hidden=32, epochs=4, seed=0):
    """Train a small MLP [64, hidden, 10] (ReLU) on the 8x8 digits with minibatch SGD
    (alpha = 0.1, m = 32) for a few epochs; cached, so it runs once per session (< 1 s).

    Split: the first 1,200 images for training, the other 597 for testing.
    Returns a dict: sizes, theta_0 (initial params), theta (trained params, lists of arrays),
    X_train, y_train, X_test, y_test, history. Treat the arrays as read-only.
    """
    X, y = data.load_digits()
    X_train, y_train, X_test, y_test = X[:1200], y[:1200], X[1200:], y[1200:]
    sizes = [64, hidden, 10]
    net = nn.MLP(sizes, activation="relu", seed=seed)
    theta_0 = [p.copy() for p in net.params]
    history = training.train(net, SGD(0.1), X_train, y_train, X_test, y_test, epochs=epochs,
                             batch_size=32, seed=seed, progress=False)
    return {"sizes": sizes, "theta_0": theta_0, "theta": [p.copy() for p in net.params],
            "X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test,
            "history": history}


def loss_at(sizes, params, X, y):
    """Mean cross-entropy of the MLP [sizes] (ReLU) with these parameters on (X, y):
    a forward pass only, J = (1/N) sum_n -log softmax(f(x_n; theta))_{y_n}."""
    net = nn.MLP(sizes, activation="relu", seed=0)
    net.params = list(params)
    return nn.softmax_cross_entropy(net.predict(X), y)


def filter_normalized_direction(params, seed=0):
    """A random direction d with the structure of params, filter-normalized (Li et al. 2018):

        d ~ N(0, I);  for every filter j of a weight matrix W (here: column W[:, j], the
        weights into unit j)   d[:, j] <- d[:, j] / ||d[:, j]|| * ||W[:, j]||;   biases: d = 0.

    So a step of length 1 along d changes every unit's weights by as much as their own size,
    which makes plots of different networks comparable. params: [W1, b1, W2, b2, ...].
    Returns a list of arrays with the shapes of params.
    """
    rng = np.random.default_rng(seed)
    direction = []
    for k, p in enumerate(params):
        if k % 2 == 1:  # a bias vector
            direction.append(np.zeros_like(p))
            continue
        d = rng.standard_normal(p.shape)
        d *= np.linalg.norm(p, axis=0) / np.linalg.norm(d, axis=0)
        direction.append(d)
    return direction


def loss_along_line(sizes, theta_a, theta_b, X, y, coefficients):
    """J((1 - c) theta_a + c theta_b) for each c in coefficients -> array (len(coefficients),)."""
    return np.array([loss_at(sizes, [(1 - c) * a + c * b for a, b in zip(theta_a, theta_b)], X, y)
                     for c in coefficients])


def loss_on_plane(sizes, theta, d1, d2, X, y, coordinates):
    """J(theta + u d1 + v d2) for u, v in coordinates -> array (len(v), len(u)) (rows: v)."""
    grid = np.empty((len(coordinates), len(coordinates)))
    for i, v in enumerate(coordinates):
        for j, u in enumerate(coordinates):
            params = [p + u * a + v * b for p, a, b in zip(theta, d1, d2)]
            grid[i, j] = loss_at(sizes, params, X, y)
    return grid
