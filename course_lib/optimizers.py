"""Optimizers of the lecture: SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam.

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

   plus two variants used to compare with the frameworks:

       rmsprop_update_pytorch(theta, r, g, alpha, beta, eps)    epsilon OUTSIDE the root
       nesterov_update_lookahead(phi, v, g, alpha, beta)         stored look-ahead point phi
       nesterov_to_lookahead(theta, v, beta), nesterov_from_lookahead(phi, v, beta)

   and adam_update_no_bias_correction (Adam without s_hat, r_hat), for comparison only.

2. init functions, the state of one array at the start (optax style: init + update):

       sgd_init(theta) -> ()          momentum_init(theta) -> (v,)      (Momentum, Nesterov)
       accumulator_init(theta) -> (r,)  (AdaGrad, RMSProp)   adam_init(theta) -> (s, r, t)

3. ONE driver, Optimizer(init, update, learning_rate, hyper, lookahead), which applies any such
   step (the reference's or a student's function with the same signature) to a list of
   parameter arrays and holds the state. The lecture's optimizers are the driver with their
   init, update and hyperparameters filled in:

       opt = Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
       theta = opt.step(theta, grad_fn)   # grad_fn(theta) -> gradient; returns the new theta
       opt.reset()                        # forget v, r, s and the step count t
       Momentum(0.1, momentum=0.9, update=momentum_step)   # runs a student's step instead

   theta is a float array or a list of arrays (e.g. MLP.params); grad_fn returns the same
   structure. step never modifies theta. learning_rate is a number or a schedule: a callable
   of the step number t = 1, 2, 3, ... (the t of Adam; see course_lib.schedules).

4. One table, OPTIMIZERS (name -> class), VARIANTS (named comparison variants), and
   make_optimizer(name, learning_rate, hyper, update, lookahead) with hyperparameters in the
   lecture's symbols ({"beta": 0.9, "eps": 1e-8}).

Notation of the lecture: theta parameters, g gradient, alpha learning rate, beta momentum,
v velocity, r accumulated squared gradients, s first moment, t step number, eps the constant
INSIDE the square root: alpha / sqrt(r + eps). All arithmetic is float64 and element-wise.
"""

import inspect
import math
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


def _divide_by_root(alpha, r, eps, g):
    """alpha / sqrt(r + eps) * g element-wise, and 0 where r + eps = 0.

    r + eps = 0 happens only with eps = 0 where every gradient so far was 0 (r >= g^2), so g = 0
    there too and 0 is the limit of the formula (instead of 0/0 = nan).
    """
    root = np.sqrt(r + eps)
    if eps > 0 or np.all(root > 0):
        return alpha / root * g
    positive = root > 0
    safe_root = np.where(positive, root, 1.0)
    return np.where(positive, alpha / safe_root * g, 0.0)


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
    denominator = np.sqrt(r) + eps
    if eps > 0 or np.all(denominator > 0):
        return theta - alpha * g / denominator, r
    positive = denominator > 0
    step = np.where(positive, alpha * g / np.where(positive, denominator, 1.0), 0.0)
    return theta - step, r


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
    theta = theta - alpha / np.sqrt(r + eps) * s
    return theta, s, r, t


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


def _check_learning_rate(learning_rate):
    if callable(learning_rate):
        return learning_rate
    if not _is_number(learning_rate) or not (0 <= learning_rate < math.inf):
        raise ValueError(
            "learning_rate must be a finite number >= 0 or a schedule (a callable of the step t),"
            f" got {learning_rate!r}"
        )
    return float(learning_rate)


def _check_beta(name, beta):
    if not _is_number(beta) or not (0 <= beta < 1):
        raise ValueError(f"{name} must be a number in [0, 1), got {beta!r}")
    return float(beta)


def _check_epsilon(epsilon):
    if not _is_number(epsilon) or not (0 <= epsilon < math.inf):
        raise ValueError(f"epsilon must be a finite number >= 0, got {epsilon!r}")
    return float(epsilon)


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

    Optimizer(init, update, learning_rate, hyper=(), lookahead=None, state_names=())

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

    def __init__(self, init, update, learning_rate, hyper=(), lookahead=None, state_names=None):
        self.init = init
        self.update = update
        self.learning_rate = _check_learning_rate(learning_rate)
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

    def alpha(self, t):
        """The learning rate used at step t = 1, 2, ...: the number, or schedule(t)."""
        if not callable(self.learning_rate):
            return self.learning_rate
        alpha = float(self.learning_rate(t))
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
        alpha = self.alpha(t)
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
        return f"learning_rate={self.learning_rate!r}"


# ----------------------------------------------------------------------------------------------
# 4. The lecture's optimizers: init + update + hyperparameters, run by the driver
#
# Each class names its reference update, the notebook exercise that implements the same step
# (its id; None for SGD, whose one-line step is not an exercise: 04 asks for a whole gradient-
# descent run instead), and its hyperparameters as (lecture symbol, argument name), in the order the update
# function takes them after alpha. update=... runs another function with the same signature
# (a student's step) in place of the reference.
# ----------------------------------------------------------------------------------------------


class SGD(Optimizer):
    """Minibatch SGD:  theta <- theta - alpha g.

        for t = 1, 2, ...:  g <- grad_fn(theta);  theta <- theta - alpha_t g

    SGD(learning_rate, update=sgd_update): learning_rate = alpha, a number >= 0 or a schedule.
    Frameworks: torch.optim.SGD, keras.optimizers.SGD and optax.sgd (without momentum) do
    exactly this.
    """

    reference = staticmethod(sgd_update)
    exercise = None
    hyperparameters = ()

    def __init__(self, learning_rate, update=sgd_update):
        super().__init__(sgd_init, update, learning_rate)


class Momentum(Optimizer):
    """SGD with momentum.

        v <- 0
        for t = 1, 2, ...:  g <- grad_fn(theta);  v <- beta v - alpha_t g;  theta <- theta + v

    Momentum(learning_rate, momentum=0.9, update=momentum_update): momentum = beta in [0, 1).
    State: self.v, one array per parameter array.

    Frameworks: Keras (SGD(momentum=...)) does exactly this. PyTorch (SGD(momentum=...)) and
    optax (sgd(momentum=...)) keep b <- beta b + g and do theta <- theta - alpha b, which is the
    same sequence as long as alpha is constant (v = -alpha b); with a schedule PyTorch rescales
    the whole accumulated velocity by the current alpha, the lecture only the new gradient.
    """

    reference = staticmethod(momentum_update)
    exercise = "momentum_step"
    hyperparameters = (("beta", "momentum"),)
    state_names = ("v",)

    def __init__(self, learning_rate, momentum=0.9, update=momentum_update):
        self.momentum = _check_beta("momentum", momentum)
        super().__init__(momentum_init, update, learning_rate, (self.momentum,))

    v = property(lambda self: self.state_of("v"))

    def _arguments(self):
        return f"{super()._arguments()}, momentum={self.momentum}"


class Nesterov(Optimizer):
    """SGD with Nesterov momentum, as in the lecture (theta is the true iterate).

        v <- 0
        for t = 1, 2, ...:
            g     <- grad_fn(theta + beta v)          (the look-ahead point)
            v     <- beta v - alpha_t g
            theta <- theta + beta v_old - alpha_t g   (= theta + v)

    Nesterov(learning_rate, momentum=0.9, update=nesterov_update, lookahead=nesterov_lookahead):
    momentum = beta in [0, 1). State: self.v. step calls grad_fn at the look-ahead point.

    Frameworks: PyTorch (SGD(nesterov=True)), Keras (SGD(nesterov=True)) and optax
    (sgd(nesterov=True)) store the look-ahead point phi = theta + beta v as "the parameters" and
    take the gradient there: v <- beta v - alpha g; phi <- phi + beta v - alpha g. They visit the
    same points as the lecture's look-ahead points; see nesterov_update_lookahead,
    nesterov_to_lookahead and nesterov_from_lookahead. (PyTorch again accumulates b = -v/alpha.)
    """

    reference = staticmethod(nesterov_update)
    exercise = "nesterov_step"
    hyperparameters = (("beta", "momentum"),)
    state_names = ("v",)

    def __init__(self, learning_rate, momentum=0.9, update=nesterov_update,
                 lookahead=nesterov_lookahead):  # fmt: skip
        self.momentum = _check_beta("momentum", momentum)
        super().__init__(momentum_init, update, learning_rate, (self.momentum,), lookahead)

    v = property(lambda self: self.state_of("v"))

    def _arguments(self):
        return f"{super()._arguments()}, momentum={self.momentum}"


class AdaGrad(Optimizer):
    """AdaGrad (2011).

        r <- 0
        for t = 1, 2, ...:  g <- grad_fn(theta);  r <- r + g^2
                            theta <- theta - alpha_t / sqrt(r + eps) * g      (element-wise)

    AdaGrad(learning_rate, epsilon=1e-8, update=adagrad_update): epsilon = eps >= 0 (0 is
    accepted). State: self.r.

    Frameworks: PyTorch (Adagrad) puts epsilon OUTSIDE the root, alpha g / (sqrt(r) + eps),
    default eps 1e-10. Keras (Adagrad) puts it inside like the lecture but starts from r = 0.1
    (initial_accumulator_value) with eps 1e-7; optax.adagrad also starts from r = 0.1.
    """

    reference = staticmethod(adagrad_update)
    exercise = "adagrad_step"
    hyperparameters = (("eps", "epsilon"),)
    state_names = ("r",)

    def __init__(self, learning_rate, epsilon=1e-8, update=adagrad_update):
        self.epsilon = _check_epsilon(epsilon)
        super().__init__(accumulator_init, update, learning_rate, (self.epsilon,))

    r = property(lambda self: self.state_of("r"))

    def _arguments(self):
        return f"{super()._arguments()}, epsilon={self.epsilon}"


class RMSProp(Optimizer):
    """RMSProp (2012).

        r <- 0
        for t = 1, 2, ...:  g <- grad_fn(theta);  r <- beta r + (1 - beta) g^2
                            theta <- theta - alpha_t / sqrt(r + eps) * g      (element-wise)

    RMSProp(learning_rate, beta=0.9, epsilon=1e-8, update=rmsprop_update): beta in [0, 1),
    epsilon >= 0. State: self.r, so after one step r = (1 - beta) g^2.

    Frameworks: PyTorch (RMSprop) puts epsilon OUTSIDE the root, alpha g / (sqrt(r) + eps), and
    calls beta `alpha` (default 0.99); see rmsprop_update_pytorch. Keras (RMSprop, rho=0.9,
    epsilon=1e-7) and optax (rmsprop, decay=0.9, eps=1e-8) put it inside like the lecture.
    """

    reference = staticmethod(rmsprop_update)
    exercise = "rmsprop_step"
    hyperparameters = (("beta", "beta"), ("eps", "epsilon"))
    state_names = ("r",)

    def __init__(self, learning_rate, beta=0.9, epsilon=1e-8, update=rmsprop_update):
        self.beta = _check_beta("beta", beta)
        self.epsilon = _check_epsilon(epsilon)
        super().__init__(accumulator_init, update, learning_rate, (self.beta, self.epsilon))

    r = property(lambda self: self.state_of("r"))

    def _arguments(self):
        return f"{super()._arguments()}, beta={self.beta}, epsilon={self.epsilon}"


class Adam(Optimizer):
    """Adam (2014), in either of the lecture's two forms (see adam_update).

        s <- 0;  r <- 0;  t <- 0
        for t = 1, 2, ...:
            g <- grad_fn(theta)
            s <- beta_1 s + (1 - beta_1) g;  r <- beta_2 r + (1 - beta_2) g^2
            form="bias_corrected":  theta <- theta - alpha_t / sqrt(r_hat + eps) * s_hat,
                                    s_hat = s / (1 - beta_1^t), r_hat = r / (1 - beta_2^t)
            form="alpha_t":         theta <- theta - a_t / sqrt(r + eps) * s,
                                    a_t = alpha_t sqrt(1 - beta_2^t) / (1 - beta_1^t)

    Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, form="bias_corrected",
         update=None): update=None runs adam_update in the given form; another function (a
    student's adam_step(theta, s, r, t, g, alpha, beta_1, beta_2, eps)) replaces it.
    State: self.s, self.r and the step count self.t.

    Frameworks: PyTorch (Adam) and optax (adam) use the bias-corrected form with epsilon
    OUTSIDE the root: alpha s_hat / (sqrt(r_hat) + eps). Keras (Adam, epsilon=1e-7) uses the
    second form with epsilon outside the root, alpha_t s / (sqrt(r) + eps), which written with
    s_hat and r_hat is alpha s_hat / (sqrt(r_hat) + eps / sqrt(1 - beta_2^t)): its epsilon acts
    as eps / sqrt(1 - beta_2^t), about 31.6 eps at t = 1 for beta_2 = 0.999.
    """

    reference = staticmethod(adam_update)
    exercise = "adam_step"
    hyperparameters = (("beta_1", "beta_1"), ("beta_2", "beta_2"), ("eps", "epsilon"))
    state_names = ("s", "r", "t")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 form="bias_corrected", update=None):  # fmt: skip
        self.beta_1 = _check_beta("beta_1", beta_1)
        self.beta_2 = _check_beta("beta_2", beta_2)
        self.epsilon = _check_epsilon(epsilon)
        if form not in ADAM_FORMS:
            raise ValueError(f"form must be one of {ADAM_FORMS}, got {form!r}")
        self.form = form
        if update is None:
            update = adam_update if form == "bias_corrected" else partial(adam_update, form=form)
        hyper = (self.beta_1, self.beta_2, self.epsilon)
        super().__init__(adam_init, update, learning_rate, hyper)

    s = property(lambda self: self.state_of("s"))
    r = property(lambda self: self.state_of("r"))

    def _arguments(self):
        return (
            f"{super()._arguments()}, beta_1={self.beta_1}, beta_2={self.beta_2},"
            f" epsilon={self.epsilon}, form={self.form!r}"
        )


OPTIMIZERS = {
    "SGD": SGD,
    "Momentum": Momentum,
    "Nesterov": Nesterov,
    "AdaGrad": AdaGrad,
    "RMSProp": RMSProp,
    "Adam": Adam,
}
"""The lecture's optimizers by name: the one table (explorers, race, capstone read it)."""

VARIANTS = {"Adam, no bias correction": ("Adam", adam_update_no_bias_correction)}
"""Named variants for comparisons: name -> (optimizer of OPTIMIZERS, the update it runs)."""


def defaults(name):
    """The default hyperparameters of optimizer `name` in the lecture's symbols, e.g.
    defaults("RMSProp") == {"beta": 0.9, "eps": 1e-8}."""
    cls = OPTIMIZERS[VARIANTS[name][0] if name in VARIANTS else name]
    parameters = inspect.signature(cls).parameters
    return {symbol: parameters[argument].default for symbol, argument in cls.hyperparameters}


def make_optimizer(name, learning_rate, hyper=None, update=None, lookahead=None):
    """The optimizer `name` (a key of OPTIMIZERS or VARIANTS), hyperparameters in the lecture's
    symbols.

    hyper: e.g. {"beta": 0.9} or {"beta_1": 0.9, "beta_2": 0.999, "eps": 1e-8}; missing ones
        take the defaults (see defaults(name)); others raise ValueError.
    update: another step function with the reference's signature (a student's), None = the
        reference (for a variant, the variant's update). lookahead: Nesterov's, None = reference.
    """
    if name not in OPTIMIZERS and name not in VARIANTS:
        raise ValueError(f"optimizer must be one of {[*OPTIMIZERS, *VARIANTS]}, got {name!r}")
    base, variant_update = VARIANTS.get(name, (name, None))
    cls = OPTIMIZERS[base]
    hyper = {} if hyper is None else dict(hyper)
    symbols = dict(cls.hyperparameters)
    unknown = set(hyper) - set(symbols)
    if unknown:
        raise ValueError(f"{name} has no hyperparameter(s) {sorted(unknown)}; it has "
                         f"{sorted(symbols)}")
    kwargs = {symbols[symbol]: value for symbol, value in hyper.items()}
    update = update or variant_update
    if update is not None:
        kwargs["update"] = update
    if lookahead is not None:
        kwargs["lookahead"] = lookahead
    return cls(learning_rate, **kwargs)
