"""Optimizers of the lecture: SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam (and AdamW).

The module has four parts.

1. Pure update functions, one step on ONE array, with the lecture's pseudo-code as docstring.
   They never modify their inputs; they return the new theta and the new state:

       sgd_update(theta, g, alpha) -> theta
       momentum_update(theta, v, g, alpha, beta) -> (theta, v)
       nesterov_lookahead(theta, v, beta) -> theta + beta v
       nesterov_update(theta, v, g, alpha, beta) -> (theta, v)
       adagrad_update(theta, r, g, alpha, eps) -> (theta, r)
       rmsprop_update(theta, r, g, alpha, beta, eps) -> (theta, r)
       adam_update(theta, s, r, t, g, alpha, beta_1, beta_2, eps, form) -> (theta, s, r, t)
       adamw_update(theta, s, r, t, g, alpha, beta_1, beta_2, eps, weight_decay) -> (theta, s, r, t)

   plus variants used to compare with the frameworks:

       rmsprop_update_pytorch(theta, r, g, alpha, beta, eps)    epsilon OUTSIDE the root
       nesterov_update_lookahead(phi, v, g, alpha, beta)         stored look-ahead point phi
       nesterov_to_lookahead(theta, v, beta), nesterov_from_lookahead(phi, v, beta)

   and adam_update_no_bias_correction (Adam without s_hat, r_hat), for comparison only.

2. init functions, the state of one array at the start (optax style: init + update):

       sgd_init(theta) -> ()          momentum_init(theta) -> (v,)      (Momentum, Nesterov)
       accumulator_init(theta) -> (r,)  (AdaGrad, RMSProp)   adam_init(theta) -> (s, r, t)

3. ONE driver, Optimizer(init, update, alpha, hyper, lookahead), which applies any such
   step (the reference's or a student's function with the same signature) to a list of
   parameter arrays and holds the state.

4. ONE catalogue: each optimizer is a class whose `entry` holds everything the course knows
   about it (init, update, state names, hyperparameters with their intervals and sliders, the
   exercise, its colour, whether it is adaptive, its learning rates for the explorers, the MLP
   and the race). OPTIMIZERS (name -> class) lists them; the race, the explorers, the loader of
   the student's functions and the capstone derive their tables from it:

       opt = Adam(0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8)    # alpha first
       theta = opt.step(theta, grad_fn)   # grad_fn(theta) -> gradient; returns the new theta
       opt.reset()                        # forget v, r, s and the step count t
       Momentum(0.1, momentum=0.9, update=momentum_step)   # runs a student's step instead
       make_optimizer("RMSProp", 0.01, {"beta": 0.9, "eps": 1e-8})   # the lecture's symbols

   theta is a float array or a list of arrays (e.g. MLP.params); grad_fn returns the same
   structure. step never modifies theta. alpha, the learning rate, is a number or a schedule: a
   callable of the step number t = 1, 2, 3, ... (the t of Adam; see course_lib.schedules). It
   keeps the lecture's name alpha from the explorers' slider to the update function.

Notation of the lecture: theta parameters, g gradient, alpha learning rate, beta momentum,
v velocity, r accumulated squared gradients, s first moment, t step number, eps the constant
INSIDE the square root: alpha / sqrt(r + eps). All arithmetic is float64 and element-wise.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from numbers import Real

import numpy as np

# ----------------------------------------------------------------------------------------------
# 1. Pure update functions (one array)
# ----------------------------------------------------------------------------------------------


def sgd_update(theta, g, alpha):
    """One step of (minibatch) SGD.

        theta <- theta - alpha g

    theta, g: arrays of the same shape (any shape); alpha: float >= 0.
    Returns the new theta (a new array; the input is not modified).
    """
    return theta - alpha * g


def momentum_update(theta, v, g, alpha, beta):
    """One step of SGD with momentum.

        v     <- beta v - alpha g
        theta <- theta + v

    theta, v, g: arrays of the same shape; alpha >= 0; 0 <= beta < 1. Start with v = 0.
    Returns (theta, v), both new arrays.
    """
    v = beta * v - alpha * g
    theta = theta + v
    return theta, v


def nesterov_lookahead(theta, v, beta):
    """The look-ahead point where Nesterov momentum evaluates the gradient.

        theta + beta v

    theta, v: arrays of the same shape. Returns a new array.
    """
    return theta + beta * v


def nesterov_update(theta, v, g, alpha, beta):
    """One step of SGD with Nesterov momentum, as the lecture writes it.

        theta <- theta + beta v          (the look-ahead point, see nesterov_lookahead)
        g     <- gradient at that point  (the caller computes it)
        v     <- beta v - alpha g
        theta <- theta - alpha g

    so theta_new = theta + beta v - alpha g = theta + v_new: theta stays the true iterate.

    theta, v: arrays of the same shape; g: the gradient evaluated at
    nesterov_lookahead(theta, v, beta); alpha >= 0; 0 <= beta < 1. Start with v = 0.
    Returns (theta, v), both new arrays.
    """
    lookahead = theta + beta * v
    v = beta * v - alpha * g
    theta = lookahead - alpha * g
    return theta, v


def nesterov_to_lookahead(theta, v, beta):
    """Convert the lecture's Nesterov iterate to the stored look-ahead form.

        phi = theta + beta v

    PyTorch, Keras and optax store phi (the point where the gradient is taken) instead of
    theta. Returns a new array of the shape of theta.
    """
    return theta + beta * v


def nesterov_from_lookahead(phi, v, beta):
    """Convert a stored look-ahead point back to the lecture's iterate.

        theta = phi - beta v

    Inverse of nesterov_to_lookahead. Returns a new array of the shape of phi.
    """
    return phi - beta * v


def nesterov_update_lookahead(phi, v, g, alpha, beta):
    """One Nesterov step in the form PyTorch, Keras and optax implement (look-ahead stored).

        g   <- gradient at phi           (the caller computes it)
        v   <- beta v - alpha g
        phi <- phi + beta v - alpha g    (with the NEW v)

    It is the lecture's algorithm written for phi = theta + beta v: if phi_0 = theta_0 + beta v_0
    and both use the same gradients, then phi_k = theta_k + beta v_k for every k, i.e. this
    form visits exactly the lecture's look-ahead points (use nesterov_from_lookahead to get
    theta back). Derivation: phi_new = theta_new + beta v_new = theta + v_new + beta v_new
    = phi - beta v + v_new + beta v_new = phi + beta v_new - alpha g.

    phi, v, g: arrays of the same shape. Returns (phi, v), both new arrays.
    """
    v = beta * v - alpha * g
    phi = phi + beta * v - alpha * g
    return phi, v


def _divide(numerator, denominator):
    """numerator / denominator element-wise, and 0 where the denominator is 0.

    The optimizers' denominators (sqrt(r + eps), or sqrt(r) + eps) are 0 only with eps = 0 where
    every gradient so far was 0 (r >= g^2), so the numerator is 0 there too and 0 is the limit of
    the formula (instead of 0/0 = nan).
    """
    if np.all(denominator > 0):
        return numerator / denominator
    positive = denominator > 0
    return np.where(positive, numerator / np.where(positive, denominator, 1.0), 0.0)


def _divide_by_root(alpha, r, eps, g):
    """alpha / sqrt(r + eps) * g element-wise (the step of AdaGrad, RMSProp and Adam), 0 where
    r + eps = 0 (see _divide)."""
    return _divide(alpha * g, np.sqrt(r + eps))


def adagrad_update(theta, r, g, alpha, eps):
    """One step of AdaGrad (2011).

        r     <- r + g^2
        theta <- theta - alpha / sqrt(r + eps) * g      (element-wise)

    theta, r, g: arrays of the same shape; alpha >= 0; eps >= 0 (usually 1e-8; with eps = 0 a
    coordinate whose gradients were all 0 does not move). Start with r = 0.
    Returns (theta, r), both new arrays.
    """
    r = r + g * g
    theta = theta - _divide_by_root(alpha, r, eps, g)
    return theta, r


def rmsprop_update(theta, r, g, alpha, beta, eps):
    """One step of RMSProp (2012).

        r     <- beta r + (1 - beta) g^2
        theta <- theta - alpha / sqrt(r + eps) * g      (element-wise)

    After the first step (r = 0 before) r = (1 - beta) g^2, i.e. 0.1 g^2 for beta = 0.9.
    theta, r, g: arrays of the same shape; alpha >= 0; 0 <= beta < 1 (usually 0.9); eps >= 0.
    Returns (theta, r), both new arrays.
    """
    r = beta * r + (1 - beta) * g * g
    theta = theta - _divide_by_root(alpha, r, eps, g)
    return theta, r


def rmsprop_update_pytorch(theta, r, g, alpha, beta, eps):
    """One step of RMSProp as torch.optim.RMSprop computes it: epsilon OUTSIDE the root.

        r     <- beta r + (1 - beta) g^2
        theta <- theta - alpha g / (sqrt(r) + eps)

    Same r as rmsprop_update; the two steps agree when eps = 0. They differ where r is small:
    as r -> 0 the lecture's denominator sqrt(r + eps) tends to sqrt(eps) (1e-4 for eps = 1e-8)
    while PyTorch's sqrt(r) + eps tends to eps (1e-8): near r = 0, PyTorch's eps behaves
    roughly like a lecture eps of eps^2. Where r >> eps both are alpha g / sqrt(r).
    (PyTorch calls beta `alpha`, default 0.99, and defaults eps = 1e-8, lr = 0.01.)
    Returns (theta, r), both new arrays.
    """
    r = beta * r + (1 - beta) * g * g
    return theta - _divide(alpha * g, np.sqrt(r) + eps), r


ADAM_FORMS = ("bias_corrected", "alpha_t")


def adam_update(theta, s, r, t, g, alpha, beta_1, beta_2, eps, form="bias_corrected"):
    """One step of Adam (2014).

        t <- t + 1
        s <- beta_1 s + (1 - beta_1) g          (biased first moment estimate)
        r <- beta_2 r + (1 - beta_2) g^2        (biased second moment estimate)

    form="bias_corrected" (the lecture's first form):
        s_hat <- s / (1 - beta_1^t),  r_hat <- r / (1 - beta_2^t)
        theta <- theta - alpha / sqrt(r_hat + eps) * s_hat

    form="alpha_t" (the lecture's second form):
        alpha_t <- alpha sqrt(1 - beta_2^t) / (1 - beta_1^t)
        theta   <- theta - alpha_t / sqrt(r + eps) * s

    The two forms are equal when eps = 0; otherwise the second form's eps acts like
    eps / (1 - beta_2^t) inside the root of the first.

    theta, s, r, g: arrays of the same shape; t: the number of steps done so far (0 at the
    start; the function returns t + 1); alpha >= 0 (default 0.001); 0 <= beta_1, beta_2 < 1
    (defaults 0.9, 0.999); eps >= 0 (usually 1e-8). Start with s = r = 0, t = 0.
    Returns (theta, s, r, t), new arrays and the new step number.
    """
    if form not in ADAM_FORMS:
        raise ValueError(f"form must be one of {ADAM_FORMS}, got {form!r}")
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    if form == "bias_corrected":
        s_hat = s / (1 - beta_1**t)
        r_hat = r / (1 - beta_2**t)
        theta = theta - _divide_by_root(alpha, r_hat, eps, s_hat)
    else:
        alpha_t = alpha * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        theta = theta - _divide_by_root(alpha_t, r, eps, s)
    return theta, s, r, t


def adam_update_no_bias_correction(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    """Adam WITHOUT the bias correction (for comparison only; not an algorithm to use).

        t <- t + 1
        s <- beta_1 s + (1 - beta_1) g
        r <- beta_2 r + (1 - beta_2) g^2
        theta <- theta - alpha / sqrt(r + eps) * s      (s and r used as they are)

    theta, s, r, g: arrays of the same shape; t: steps done so far. Returns (theta, s, r, t).
    """
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    theta = theta - _divide_by_root(alpha, r, eps, s)
    return theta, s, r, t


def adamw_update(theta, s, r, t, g, alpha, beta_1, beta_2, eps, weight_decay):
    """One step of AdamW (Loshchilov & Hutter): Adam with decoupled weight decay lambda.

        theta <- theta - alpha lambda theta     (decay: shrink theta, not through the gradient)
        theta, s, r, t <- adam_update(theta, s, r, t, g, alpha, beta_1, beta_2, eps)

    i.e. theta_new = (1 - alpha lambda) theta - alpha / sqrt(r_hat + eps) * s_hat. Adam's step
    does not depend on theta (only on g), so decaying first or adding the decay after is the same.
    g is the LOSS's gradient, without an L2 term. weight_decay = lambda >= 0; 0 gives Adam.
    Returns (theta, s, r, t).
    """
    theta = theta - alpha * weight_decay * theta
    return adam_update(theta, s, r, t, g, alpha, beta_1, beta_2, eps)


def uncorrected_adam_step_ratio(beta_1, beta_2, t):
    """Length of step t of Adam WITHOUT the bias correction, in units of alpha, when the
    gradient is the same g at every step (eps = 0; per coordinate, whatever g != 0 is).

    From s_0 = r_0 = 0, the weights of the moving averages sum to 1 - beta^t (lecture, "Adam Bias
    Correction"), so s_t = (1 - beta_1^t) g and r_t = (1 - beta_2^t) g^2, and

        |theta_t - theta_{t-1}| / alpha = |s_t| / sqrt(r_t) = (1 - beta_1^t) / sqrt(1 - beta_2^t)

    (the corrected Adam's ratio is exactly 1). At t = 1 it is (1 - beta_1) / sqrt(1 - beta_2):
    at most 1 exactly when (1 - beta_1)^2 <= 1 - beta_2. With 0.9 and 0.999 it peaks at
    6.57 at t = 12. beta_1 in [0, 1), beta_2 in [0, 1), t >= 1: numbers or arrays -> float or array.
    """
    t = np.asarray(t, dtype=np.float64)
    ratio = (1 - beta_1**t) / np.sqrt(1 - beta_2**t)
    return float(ratio) if ratio.ndim == 0 else ratio


# ----------------------------------------------------------------------------------------------
# 2. The state at the start: init(theta) -> the state variables of one array, in the order of
#    the update function's signature
# ----------------------------------------------------------------------------------------------


def sgd_init(theta):
    """SGD keeps no state: ()."""
    return ()


def momentum_init(theta):
    """Momentum and Nesterov start with the velocity v = 0: (v,), v of the shape of theta."""
    return (np.zeros(np.shape(theta)),)


def accumulator_init(theta):
    """AdaGrad and RMSProp start with r = 0: (r,), r of the shape of theta."""
    return (np.zeros(np.shape(theta)),)


def adam_init(theta):
    """Adam starts with s = r = 0 (the shape of theta) and the step count t = 0: (s, r, t)."""
    return (np.zeros(np.shape(theta)), np.zeros(np.shape(theta)), 0)


# ----------------------------------------------------------------------------------------------
# Validation of hyperparameters
# ----------------------------------------------------------------------------------------------


def _is_number(x):
    return isinstance(x, Real) and not isinstance(x, bool)


def _check_alpha(alpha):
    if callable(alpha):
        return alpha
    if not _is_number(alpha) or not (0 <= alpha < math.inf):
        raise ValueError(
            "alpha (the learning rate) must be a finite number >= 0 or a schedule (a callable of "
            f"the step t), got {alpha!r}"
        )
    return float(alpha)


# ----------------------------------------------------------------------------------------------
# 3. One driver: any per-array step function applied to a list of parameter arrays
# ----------------------------------------------------------------------------------------------


def _as_arrays(theta):
    """theta (array or list of arrays) -> (list of float64 arrays, was_a_list)."""
    if isinstance(theta, (list, tuple)):
        return [np.asarray(a, dtype=np.float64) for a in theta], True
    return [np.asarray(theta, dtype=np.float64)], False


def _gradient_as_arrays(g, thetas, is_list):
    """Check that grad_fn returned the structure of theta; return a list of float64 arrays."""
    if is_list:
        if not isinstance(g, (list, tuple)) or len(g) != len(thetas):
            got = f"a list of {len(g)} arrays" if isinstance(g, (list, tuple)) else type(g).__name__
            raise ValueError(
                f"grad_fn must return a list of {len(thetas)} arrays to match theta, got {got}"
            )
        gs = [np.asarray(gi, dtype=np.float64) for gi in g]
    else:
        gs = [np.asarray(g, dtype=np.float64)]
    for i, (gi, theta_i) in enumerate(zip(gs, thetas, strict=True)):
        if gi.shape != theta_i.shape:
            name = f"gradient[{i}]" if is_list else "gradient"
            theta_name = f"theta[{i}]" if is_list else "theta"
            raise ValueError(
                f"{name} must have shape {theta_i.shape} to match {theta_name}, got {gi.shape}"
            )
    return gs


class Optimizer:
    """The one driver: applies a per-array step function to every parameter array.

    Optimizer(init, update, alpha, hyper=(), lookahead=None, state_names=())

        init(theta) -> state                    the state of one array at the start, e.g. (v,)
        update(theta, *state, g, alpha, *hyper) -> theta (no state) or (theta, *state)
        lookahead(theta, *state, *hyper) -> where to take the gradient (Nesterov), or None

    update is the lecture's step on ONE array (sgd_update, ..., adam_update) or a student's
    function with the same signature (momentum_step, ..., adam_step). What step(params, grad_fn) does,
    in pseudo-code (as torch.optim documents its optimizers):

        input: params theta_1..theta_n, grad_fn, learning rate alpha (a number or schedule(t))
        state_i = init(theta_i)                   at the first step and after reset()
        t <- t + 1;  alpha_t = schedule(t) or alpha
        g_1..g_n = grad_fn(theta_1..theta_n)      (grad_fn(lookahead(theta_i, *state_i, *hyper))
                                                   for Nesterov)
        for i = 1..n:
            theta_i, *state_i = update(theta_i, *state_i, g_i, alpha_t, *hyper)
        return theta_1..theta_n

    theta: a float array or a list of arrays (e.g. MLP.params); grad_fn returns the same
    structure and shapes. step never modifies its inputs. state_names name the state variables
    ("v",), ("s", "r", "t") for error messages and for the attributes v, r, s of the subclasses.
    """

    state_names = ()

    def __init__(self, init, update, alpha, hyper=(), lookahead=None, state_names=None):
        self.init = init
        self.update = update
        self.alpha = _check_alpha(alpha)
        self.hyper = tuple(hyper)
        self.lookahead = lookahead
        if state_names is not None:
            self.state_names = tuple(state_names)
        self.reset()

    def reset(self):
        """Forget the state: t = 0 and no state (init runs again at the next step)."""
        self.t = 0
        self.state = None  # one tuple of state variables per parameter array
        self._shapes = None

    def state_of(self, name):
        """One state variable across the parameter arrays ("v", "r", "s"), a list; None before
        the first step."""
        if self.state is None:
            return None
        index = self.state_names.index(name)
        return [state[index] for state in self.state]

    def alpha_at(self, t):
        """The learning rate used at step t = 1, 2, ...: alpha, or alpha(t) for a schedule."""
        if not callable(self.alpha):
            return self.alpha
        alpha = float(self.alpha(t))
        if not alpha >= 0:  # also catches nan
            raise ValueError(
                f"the learning-rate schedule must return a number >= 0, got {alpha} at step {t}"
            )
        return alpha

    def step(self, theta, grad_fn):
        """Do one step: compute the gradient with grad_fn and return the new theta.

        theta: float array, or list of arrays (e.g. MLP.params); not modified.
        grad_fn: callable, grad_fn(theta) -> gradient with the same structure and shapes
            (Nesterov calls it at the look-ahead point theta + beta v instead).
        Returns the new theta, with the structure of the input (array, or list of arrays).
        """
        thetas, is_list = _as_arrays(theta)
        shapes = [a.shape for a in thetas]
        if self.state is None:
            self._shapes = shapes
            self.state = [tuple(self.init(a)) for a in thetas]
        elif shapes != self._shapes:
            raise ValueError(
                f"theta must have shapes {self._shapes} like in the previous steps, got {shapes};"
                " call reset() before optimizing different parameters"
            )
        point = thetas
        if self.lookahead is not None:
            point = [self.lookahead(a, *state, *self.hyper) for a, state in zip(thetas, self.state)]
        gs = _gradient_as_arrays(grad_fn(point if is_list else point[0]), thetas, is_list)
        t = self.t + 1
        alpha = self.alpha_at(t)
        new_thetas, new_state = [], []
        for a, state, g in zip(thetas, self.state, gs, strict=True):
            out = self.update(a, *state, g, alpha, *self.hyper)
            if state:
                if not isinstance(out, (tuple, list)) or len(out) != 1 + len(state):
                    names = ", ".join(("theta", *self.state_names))
                    raise ValueError(f"the step function must return a tuple ({names}), got "
                                     f"{type(out).__name__}")
                out, state = out[0], tuple(out[1:])
            new_thetas.append(np.asarray(out, dtype=np.float64))
            new_state.append(state)
        self.state, self.t = new_state, t
        return new_thetas if is_list else new_thetas[0]

    def __repr__(self):
        return f"{type(self).__name__}({self._arguments()})"

    def _arguments(self):
        return f"alpha={self.alpha!r}"


# ----------------------------------------------------------------------------------------------
# 4. The catalogue: one entry per optimizer, everything the course knows about it
#
# An entry names its reference update and init, its state, its hyperparameters (lecture symbol,
# the class's argument, default, allowed interval, slider), the notebook exercise that
# implements the same step (None for SGD, whose one-line step is not an exercise: 04 asks for a
# whole gradient-descent run instead), its colour in every plot, whether its steps are bounded
# (adaptive), and its learning rates: the explorer's slider, the digits MLP's good rate and the
# race's rate per landscape. The race, the explorers, the student-function loader and the
# capstone read their tables from here: adding an optimizer is one class with its entry.
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slider:
    """A hyperparameter's slider: low..high in steps of `step`; scale "linear", or "log" (low,
    high are then exponents of 10), or "stops": only the values in `stops` (beta_2: 1 - beta_2
    roughly on a log scale, so that the keyboard goes from 0.999 to 0.9 in a few presses)."""

    label: str
    low: float
    high: float
    step: float
    scale: str = "linear"
    stops: tuple = ()


@dataclass(frozen=True)
class Hyperparameter:
    """symbol: the lecture's name ("beta"); argument: the class's keyword ("momentum"); default;
    the allowed interval low <= value < high (high_open) or <= high; the slider of the explorers."""

    symbol: str
    argument: str
    default: float
    low: float
    high: float
    slider: Slider
    high_open: bool = True

    def check(self, value):
        """value as a float, or ValueError naming the argument and the interval."""
        inside = _is_number(value) and self.low <= value and (
            value < self.high if self.high_open else value <= self.high)
        if not inside:
            right = ")" if self.high_open else "]"
            high = "inf" if self.high == math.inf else f"{self.high:g}"
            raise ValueError(f"{self.argument} must be a number in [{self.low:g}, {high}{right}, "
                             f"got {value!r}")
        return float(value)


def _beta(symbol, argument, default, label):
    return Hyperparameter(symbol, argument, default, 0.0, 1.0, Slider(label, 0.0, 0.99, 0.01))


_EPS = Hyperparameter("eps", "epsilon", 1e-8, 0.0, math.inf, Slider("ε", -12.0, 0.0, 0.5, "log"))
_BETA_1 = _beta("beta_1", "beta_1", 0.9, "β₁")
_BETA_2 = Hyperparameter("beta_2", "beta_2", 0.999, 0.0, 1.0,
                         Slider("β₂", 0.5, 0.9999, 0.0001, "stops",
                                stops=(0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995,
                                       0.9999)))


@dataclass(frozen=True)
class LearningRates:
    """slider: (default alpha, min exponent, max exponent) of the explorers' log slider (10**max
    diverges on the valley); mlp: a rate that trains the 64-64-10 digits MLP well in about 10
    epochs of minibatches of 32; race: alpha per landscape of the race (09), chosen so that the
    optimizer makes visible progress in RACE_STEPS steps; None = not in the race."""

    slider: tuple
    mlp: float
    race: dict | None = None


@dataclass(frozen=True)
class Entry:
    """Everything about one optimizer (see the comment above)."""

    name: str
    init: Callable
    update: Callable
    state_names: tuple
    hyperparameters: tuple
    exercise: str | None
    color: str
    adaptive: bool
    learning_rates: LearningRates
    lookahead: Callable | None = None

    def defaults(self):
        """{symbol: default}, e.g. {"beta": 0.9, "eps": 1e-8}."""
        return {h.symbol: h.default for h in self.hyperparameters}

    def hyper(self, values=None, keep_own=False):
        """The hyperparameter tuple the update takes, in its order, from {symbol: value}: checked
        once here; missing ones take the defaults; unknown symbols raise ValueError (or are
        dropped with keep_own=True, so one dict can serve several optimizers)."""
        values = dict(values or {})
        symbols = [h.symbol for h in self.hyperparameters]
        unknown = set(values) - set(symbols)
        if unknown and not keep_own:
            raise ValueError(f"{self.name} has no hyperparameter(s) {sorted(unknown)}; it has "
                             f"{sorted(symbols)}")
        return tuple(h.check(values.get(h.symbol, h.default)) for h in self.hyperparameters)


class CatalogueOptimizer(Optimizer):
    """An optimizer of the catalogue: the driver with its entry's init, update and hyperparameters.

        Name(alpha, <hyperparameters by their argument names>, update=None, lookahead=None)

    alpha: the learning rate, a number >= 0 or a schedule; the hyperparameters in the entry's
    order (positionally or by argument name, e.g. Momentum(0.1, momentum=0.9)); update: another
    function with the reference's signature (a student's step), None = the entry's update.
    The hyperparameters are attributes (self.momentum), and so is each state variable, across the
    parameter arrays (self.v, self.r, self.s; None before the first step).
    """

    entry: Entry

    def __init__(self, alpha, *args, update=None, lookahead=None, **kwargs):
        entry = self.entry
        arguments = [h.argument for h in entry.hyperparameters]
        if len(args) > len(arguments):
            raise TypeError(f"{entry.name} takes alpha and at most {len(arguments)} "
                            f"hyperparameters {arguments}, got {1 + len(args)} positional arguments")
        given = dict(zip(arguments, args))
        for name, value in kwargs.items():
            if name not in arguments or name in given:
                raise TypeError(f"{entry.name} got an unexpected or repeated argument {name!r}; its "
                                f"hyperparameters are {arguments}")
            given[name] = value
        by_symbol = {h.symbol: given[h.argument] for h in entry.hyperparameters if h.argument in given}
        hyper = entry.hyper(by_symbol)
        for h, value in zip(entry.hyperparameters, hyper):
            setattr(self, h.argument, value)
        super().__init__(entry.init, update or entry.update, alpha, hyper,
                         lookahead or entry.lookahead, entry.state_names)

    def __getattr__(self, name):
        if name in type(self).entry.state_names:
            return self.state_of(name)
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def _arguments(self):
        hyper = "".join(f", {h.argument}={getattr(self, h.argument)}" for h in self.entry.hyperparameters)
        return super()._arguments() + hyper


class SGD(CatalogueOptimizer):
    """Minibatch SGD:  theta <- theta - alpha g.

        for t = 1, 2, ...:  g <- grad_fn(theta);  theta <- theta - alpha_t g

    SGD(alpha, update=sgd_update): alpha a number >= 0 or a schedule.
    Frameworks: torch.optim.SGD, keras.optimizers.SGD and optax.sgd (without momentum) do
    exactly this.
    """

    entry = Entry(
        "SGD", sgd_init, sgd_update, state_names=(), hyperparameters=(), exercise=None,
        color="C1", adaptive=False,
        learning_rates=LearningRates(slider=(0.1, -4.0, 0.5), mlp=0.1, race={
            "valley": 0.4, "rosenbrock": 0.001, "saddle": 0.02, "beale": 0.002, "wells": 0.02}))


class Momentum(CatalogueOptimizer):
    """SGD with momentum.

        v <- 0
        for t = 1, 2, ...:  g <- grad_fn(theta);  v <- beta v - alpha_t g;  theta <- theta + v

    Momentum(alpha, momentum=0.9, update=momentum_update): momentum = beta in [0, 1).
    State: self.v, one array per parameter array.

    Frameworks: Keras (SGD(momentum=...)) does exactly this. PyTorch (SGD(momentum=...)) and
    optax (sgd(momentum=...)) keep b <- beta b + g and do theta <- theta - alpha b, which is the
    same sequence as long as alpha is constant (v = -alpha b); with a schedule PyTorch rescales
    the whole accumulated velocity by the current alpha, the lecture only the new gradient.
    """

    entry = Entry(
        "Momentum", momentum_init, momentum_update, state_names=("v",),
        hyperparameters=(_beta("beta", "momentum", 0.9, "momentum β"),), exercise="momentum_step",
        color="C3", adaptive=False,
        learning_rates=LearningRates(slider=(0.02, -4.0, 0.5), mlp=0.02, race={
            "valley": 0.05, "rosenbrock": 0.0005, "saddle": 0.01, "beale": 0.001, "wells": 0.01}))


class Nesterov(CatalogueOptimizer):
    """SGD with Nesterov momentum, as in the lecture (theta is the true iterate).

        v <- 0
        for t = 1, 2, ...:
            g     <- grad_fn(theta + beta v)          (the look-ahead point)
            v     <- beta v - alpha_t g
            theta <- theta + beta v_old - alpha_t g   (= theta + v)

    Nesterov(alpha, momentum=0.9, update=nesterov_update, lookahead=nesterov_lookahead):
    momentum = beta in [0, 1). State: self.v. step calls grad_fn at the look-ahead point.

    Frameworks: PyTorch (SGD(nesterov=True)), Keras (SGD(nesterov=True)) and optax
    (sgd(nesterov=True)) store the look-ahead point phi = theta + beta v as "the parameters" and
    take the gradient there: v <- beta v - alpha g; phi <- phi + beta v - alpha g. They visit the
    same points as the lecture's look-ahead points; see nesterov_update_lookahead,
    nesterov_to_lookahead and nesterov_from_lookahead. (PyTorch again accumulates b = -v/alpha.)
    """

    entry = Entry(
        "Nesterov", momentum_init, nesterov_update, state_names=("v",),
        hyperparameters=(_beta("beta", "momentum", 0.9, "momentum β"),), exercise="nesterov_step",
        color="C4", adaptive=False, lookahead=nesterov_lookahead,
        learning_rates=LearningRates(slider=(0.02, -4.0, 0.5), mlp=0.02, race={
            "valley": 0.05, "rosenbrock": 0.0005, "saddle": 0.01, "beale": 0.001, "wells": 0.01}))


class AdaGrad(CatalogueOptimizer):
    """AdaGrad (2011).

        r <- 0
        for t = 1, 2, ...:  g <- grad_fn(theta);  r <- r + g^2
                            theta <- theta - alpha_t / sqrt(r + eps) * g      (element-wise)

    AdaGrad(alpha, epsilon=1e-8, update=adagrad_update): epsilon = eps >= 0 (0 is accepted).
    State: self.r.

    Frameworks: PyTorch (Adagrad) puts epsilon OUTSIDE the root, alpha g / (sqrt(r) + eps),
    default eps 1e-10. Keras (Adagrad) puts it inside like the lecture but starts from r = 0.1
    (initial_accumulator_value) with eps 1e-7; optax.adagrad also starts from r = 0.1.
    """

    entry = Entry(
        "AdaGrad", accumulator_init, adagrad_update, state_names=("r",), hyperparameters=(_EPS,),
        exercise="adagrad_step", color="C2", adaptive=True,
        learning_rates=LearningRates(slider=(1.0, -3.0, 2.0), mlp=0.05, race={
            "valley": 1.5, "rosenbrock": 0.3, "saddle": 0.2, "beale": 0.5, "wells": 0.3}))


class RMSProp(CatalogueOptimizer):
    """RMSProp (2012).

        r <- 0
        for t = 1, 2, ...:  g <- grad_fn(theta);  r <- beta r + (1 - beta) g^2
                            theta <- theta - alpha_t / sqrt(r + eps) * g      (element-wise)

    RMSProp(alpha, beta=0.9, epsilon=1e-8, update=rmsprop_update): beta in [0, 1),
    epsilon >= 0. State: self.r, so after one step r = (1 - beta) g^2.

    Frameworks: PyTorch (RMSprop) puts epsilon OUTSIDE the root, alpha g / (sqrt(r) + eps), and
    calls beta `alpha` (default 0.99); see rmsprop_update_pytorch. Keras (RMSprop, rho=0.9,
    epsilon=1e-7) and optax (rmsprop, decay=0.9, eps=1e-8) put it inside like the lecture.
    """

    entry = Entry(
        "RMSProp", accumulator_init, rmsprop_update, state_names=("r",),
        hyperparameters=(_beta("beta", "beta", 0.9, "β"), _EPS), exercise="rmsprop_step",
        color="C0", adaptive=True,
        learning_rates=LearningRates(slider=(0.1, -3.0, 2.0), mlp=0.002, race={
            "valley": 0.1, "rosenbrock": 0.01, "saddle": 0.02, "beale": 0.02, "wells": 0.03}))


class Adam(CatalogueOptimizer):
    """Adam (2014), in either of the lecture's two forms (see adam_update).

        s <- 0;  r <- 0;  t <- 0
        for t = 1, 2, ...:
            g <- grad_fn(theta)
            s <- beta_1 s + (1 - beta_1) g;  r <- beta_2 r + (1 - beta_2) g^2
            form="bias_corrected":  theta <- theta - alpha_t / sqrt(r_hat + eps) * s_hat,
                                    s_hat = s / (1 - beta_1^t), r_hat = r / (1 - beta_2^t)
            form="alpha_t":         theta <- theta - a_t / sqrt(r + eps) * s,
                                    a_t = alpha_t sqrt(1 - beta_2^t) / (1 - beta_1^t)

    Adam(alpha=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, form="bias_corrected",
         update=None): update=None runs adam_update in the given form; another function (a
    student's adam_step(theta, s, r, t, g, alpha, beta_1, beta_2, eps)) replaces it.
    State: self.s, self.r and the step count self.t.

    Frameworks: PyTorch (Adam) and optax (adam) use the bias-corrected form with epsilon
    OUTSIDE the root: alpha s_hat / (sqrt(r_hat) + eps), which is also how Kingma & Ba's paper
    writes it. Keras (Adam, epsilon=1e-7) uses the second form with epsilon outside the root,
    alpha_t s / (sqrt(r) + eps), which written with s_hat and r_hat is
    alpha s_hat / (sqrt(r_hat) + eps / sqrt(1 - beta_2^t)): its epsilon acts as
    eps / sqrt(1 - beta_2^t), about 31.6 eps at t = 1 for beta_2 = 0.999.
    """

    entry = Entry(
        "Adam", adam_init, adam_update, state_names=("s", "r", "t"),
        hyperparameters=(_BETA_1, _BETA_2, _EPS), exercise="adam_step", color="C6", adaptive=True,
        learning_rates=LearningRates(slider=(0.3, -3.0, 2.0), mlp=0.01, race={
            "valley": 0.3, "rosenbrock": 0.05, "saddle": 0.05, "beale": 0.1, "wells": 0.05}))

    def __init__(self, alpha=0.001, *args, form="bias_corrected", update=None, **kwargs):
        if form not in ADAM_FORMS:
            raise ValueError(f"form must be one of {ADAM_FORMS}, got {form!r}")
        self.form = form
        if update is None and form != "bias_corrected":
            update = partial(adam_update, form=form)
        super().__init__(alpha, *args, update=update, **kwargs)

    def _arguments(self):
        return f"{super()._arguments()}, form={self.form!r}"


class AdamW(CatalogueOptimizer):
    """AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay.

        s <- 0;  r <- 0;  t <- 0
        for t = 1, 2, ...:
            g <- grad_fn(theta)                              (the loss's gradient only)
            theta <- theta - alpha_t lambda theta            (decoupled weight decay)
            theta <- theta - alpha_t / sqrt(r_hat + eps) * s_hat     (Adam's step, as in Adam)

    AdamW(alpha=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, weight_decay=0.01): lambda =
    weight_decay >= 0; with lambda = 0 it is Adam. State: self.s, self.r, self.t.

    Why "decoupled": L2 regularization adds lambda' theta to the gradient g, and Adam then divides
    that term by sqrt(r_hat + eps) like the rest of g, so coordinates with large gradients are
    barely decayed. AdamW shrinks theta directly, by the same factor (1 - alpha_t lambda) for every
    coordinate, as SGD with an L2 term does (for SGD the two are the same thing; see 01 and 08).

    Frameworks: torch.optim.AdamW(lr=alpha, betas=(beta_1, beta_2), eps, weight_decay=lambda)
    does theta <- theta (1 - lr lambda) and then Adam's step with eps OUTSIDE the root,
    s_hat / (sqrt(r_hat) + eps): with eps = 0 it gives exactly this sequence (tested on fixed
    numbers). Keras' AdamW does the same; optax.adamw multiplies the decay by the learning rate too.
    """

    entry = Entry(
        "AdamW", adam_init, adamw_update, state_names=("s", "r", "t"),
        hyperparameters=(_BETA_1, _BETA_2, _EPS,
                         Hyperparameter("lambda", "weight_decay", 0.01, 0.0, math.inf,
                                        Slider("weight decay λ", 0.0, 0.5, 0.01))),
        exercise=None, color="C5", adaptive=True,
        learning_rates=LearningRates(slider=(0.3, -3.0, 2.0), mlp=0.01, race={
            "valley": 0.3, "rosenbrock": 0.05, "saddle": 0.05, "beale": 0.1, "wells": 0.05}))


def _catalogue(*classes):
    return {cls.entry.name: cls for cls in classes}


OPTIMIZERS = _catalogue(SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW)
"""The optimizers by name, in legend order: the one table (explorers, race, capstone read it)."""

VARIANTS = {"Adam, no bias correction": (Adam, adam_update_no_bias_correction, "C7")}
"""Named variants for comparisons: name -> (optimizer class, the update it runs, its colour)."""


def entry(name):
    """The catalogue Entry of optimizer `name` (a key of OPTIMIZERS, or a variant's base's entry
    with the variant's update and colour)."""
    if name in VARIANTS:
        cls, update, color = VARIANTS[name]
        return replace(cls.entry, name=name, update=update, color=color, exercise=None)
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {[*OPTIMIZERS, *VARIANTS]}, got {name!r}")
    return OPTIMIZERS[name].entry


def defaults(name):
    """The default hyperparameters of optimizer `name` in the lecture's symbols, e.g.
    defaults("RMSProp") == {"beta": 0.9, "eps": 1e-8}."""
    return entry(name).defaults()


def make_optimizer(name, alpha, hyper=None, update=None, lookahead=None, keep_own=False):
    """The optimizer `name` (a key of OPTIMIZERS or VARIANTS), hyperparameters in the lecture's
    symbols.

    alpha: the learning rate (a number >= 0 or a schedule).
    hyper: e.g. {"beta": 0.9} or {"beta_1": 0.9, "beta_2": 0.999, "eps": 1e-8}; missing ones
        take the defaults (see defaults(name)); others raise ValueError, or are dropped with
        keep_own=True (one dict for several optimizers).
    update: another step function with the reference's signature (a student's), None = the
        reference (for a variant, the variant's update). lookahead: Nesterov's, None = reference.
    """
    cls = VARIANTS[name][0] if name in VARIANTS else OPTIMIZERS.get(name)
    e = entry(name)
    own = dict(zip((h.argument for h in e.hyperparameters), e.hyper(hyper, keep_own)))
    return cls(alpha, update=update or e.update, lookahead=lookahead, **own)
