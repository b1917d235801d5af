"""Optimizers of the lecture: SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam.

The module has two layers.

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

2. Classes with a common interface, built on the functions above:

       opt = Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
       theta = opt.step(theta, grad_fn)   # grad_fn(theta) -> gradient; returns the new theta
       opt.reset()                        # forget v, r, s and the step count t

   theta is a float array or a list of arrays (e.g. MLP.params); grad_fn returns the same
   structure. step never modifies theta. learning_rate is a number or a schedule: a callable
   of the step number t = 1, 2, 3, ... (the t of Adam; see course_lib.schedules).

Notation of the lecture: theta parameters, g gradient, alpha learning rate, beta momentum,
v velocity, r accumulated squared gradients, s first moment, t step number, eps the constant
INSIDE the square root: alpha / sqrt(r + eps). All arithmetic is float64 and element-wise.
"""

import math
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
# 2. Classes: the same interface for every optimizer
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
    """Common part of all optimizers: structure of theta, step count t, learning rate.

    Subclasses implement `_update(thetas, gs, alpha)` on lists of arrays (one entry per
    parameter array) and keep their state (v, r, s) as lists of arrays in the same order.
    """

    state_names = ()  # names of the per-array state lists, e.g. ("v",)

    def __init__(self, learning_rate):
        self.learning_rate = _check_learning_rate(learning_rate)
        self.reset()

    def reset(self):
        """Forget the state: t = 0 and every state list (v, r, s) back to None."""
        self.t = 0
        self._shapes = None
        for name in self.state_names:
            setattr(self, name, None)

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
        if self._shapes is None:
            self._shapes = shapes
            for name in self.state_names:
                setattr(self, name, [np.zeros(s) for s in shapes])
        elif shapes != self._shapes:
            raise ValueError(
                f"theta must have shapes {self._shapes} like in the previous steps, got {shapes};"
                " call reset() before optimizing different parameters"
            )
        point = self._gradient_point(thetas)
        g = grad_fn(point if is_list else point[0])
        gs = _gradient_as_arrays(g, thetas, is_list)
        t = self.t + 1
        new_thetas = self._update(thetas, gs, self.alpha(t))
        self.t = t
        return new_thetas if is_list else new_thetas[0]

    def _gradient_point(self, thetas):
        """Where the gradient is evaluated: at theta itself (Nesterov overrides this)."""
        return thetas

    def _update(self, thetas, gs, alpha):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}({self._arguments()})"

    def _arguments(self):
        return f"learning_rate={self.learning_rate!r}"


class SGD(Optimizer):
    """Minibatch SGD:  theta <- theta - alpha g.

    SGD(learning_rate): learning_rate = alpha, a number >= 0 or a schedule of t.
    Frameworks: torch.optim.SGD, keras.optimizers.SGD and optax.sgd (without momentum) do
    exactly this.
    """

    def _update(self, thetas, gs, alpha):
        return [sgd_update(theta, g, alpha) for theta, g in zip(thetas, gs, strict=True)]


class Momentum(Optimizer):
    """SGD with momentum:  v <- beta v - alpha g;  theta <- theta + v.

    Momentum(learning_rate, momentum=0.9): momentum = beta in [0, 1).
    State: self.v, one array per parameter array (zeros at the start).

    Frameworks: Keras (SGD(momentum=...)) does exactly this. PyTorch (SGD(momentum=...)) and
    optax (sgd(momentum=...)) keep b <- beta b + g and do theta <- theta - alpha b, which is the
    same sequence as long as alpha is constant (v = -alpha b); with a schedule PyTorch rescales
    the whole accumulated velocity by the current alpha, the lecture only the new gradient.
    """

    state_names = ("v",)

    def __init__(self, learning_rate, momentum=0.9):
        self.momentum = _check_beta("momentum", momentum)
        super().__init__(learning_rate)

    def _update(self, thetas, gs, alpha):
        new_thetas = []
        for i, (theta, g) in enumerate(zip(thetas, gs, strict=True)):
            theta, self.v[i] = momentum_update(theta, self.v[i], g, alpha, self.momentum)
            new_thetas.append(theta)
        return new_thetas

    def _arguments(self):
        return f"{super()._arguments()}, momentum={self.momentum}"


class Nesterov(Optimizer):
    """SGD with Nesterov momentum, as in the lecture (theta is the true iterate).

        g     <- gradient at theta + beta v
        v     <- beta v - alpha g
        theta <- theta + beta v - alpha g     (= theta + v_new)

    Nesterov(learning_rate, momentum=0.9): momentum = beta in [0, 1).
    State: self.v. step calls grad_fn at the look-ahead point, not at theta.

    Frameworks: PyTorch (SGD(nesterov=True)), Keras (SGD(nesterov=True)) and optax
    (sgd(nesterov=True)) store the look-ahead point phi = theta + beta v as "the parameters" and
    take the gradient there: v <- beta v - alpha g; phi <- phi + beta v - alpha g. They visit the
    same points as the lecture's look-ahead points; see nesterov_update_lookahead,
    nesterov_to_lookahead and nesterov_from_lookahead. (PyTorch again accumulates b = -v/alpha.)
    """

    state_names = ("v",)

    def __init__(self, learning_rate, momentum=0.9):
        self.momentum = _check_beta("momentum", momentum)
        super().__init__(learning_rate)

    def _gradient_point(self, thetas):
        beta = self.momentum
        return [nesterov_lookahead(theta, v, beta) for theta, v in zip(thetas, self.v, strict=True)]

    def _update(self, thetas, gs, alpha):
        new_thetas = []
        for i, (theta, g) in enumerate(zip(thetas, gs, strict=True)):
            theta, self.v[i] = nesterov_update(theta, self.v[i], g, alpha, self.momentum)
            new_thetas.append(theta)
        return new_thetas

    def _arguments(self):
        return f"{super()._arguments()}, momentum={self.momentum}"


class AdaGrad(Optimizer):
    """AdaGrad:  r <- r + g^2;  theta <- theta - alpha / sqrt(r + eps) * g.

    AdaGrad(learning_rate, epsilon=1e-8): epsilon = eps >= 0 (0 is accepted).
    State: self.r (zeros at the start).

    Frameworks: PyTorch (Adagrad) puts epsilon OUTSIDE the root, alpha g / (sqrt(r) + eps),
    default eps 1e-10. Keras (Adagrad) puts it inside like the lecture but starts from r = 0.1
    (initial_accumulator_value) with eps 1e-7; optax.adagrad also starts from r = 0.1.
    """

    state_names = ("r",)

    def __init__(self, learning_rate, epsilon=1e-8):
        self.epsilon = _check_epsilon(epsilon)
        super().__init__(learning_rate)

    def _update(self, thetas, gs, alpha):
        new_thetas = []
        for i, (theta, g) in enumerate(zip(thetas, gs, strict=True)):
            theta, self.r[i] = adagrad_update(theta, self.r[i], g, alpha, self.epsilon)
            new_thetas.append(theta)
        return new_thetas

    def _arguments(self):
        return f"{super()._arguments()}, epsilon={self.epsilon}"


class RMSProp(Optimizer):
    """RMSProp:  r <- beta r + (1 - beta) g^2;  theta <- theta - alpha / sqrt(r + eps) * g.

    RMSProp(learning_rate, beta=0.9, epsilon=1e-8): beta in [0, 1), epsilon >= 0.
    State: self.r (zeros at the start), so after one step r = (1 - beta) g^2.

    Frameworks: PyTorch (RMSprop) puts epsilon OUTSIDE the root, alpha g / (sqrt(r) + eps), and
    calls beta `alpha` (default 0.99); see rmsprop_update_pytorch. Keras (RMSprop, rho=0.9,
    epsilon=1e-7) and optax (rmsprop, decay=0.9, eps=1e-8) put it inside like the lecture.
    """

    state_names = ("r",)

    def __init__(self, learning_rate, beta=0.9, epsilon=1e-8):
        self.beta = _check_beta("beta", beta)
        self.epsilon = _check_epsilon(epsilon)
        super().__init__(learning_rate)

    def _update(self, thetas, gs, alpha):
        new_thetas = []
        for i, (theta, g) in enumerate(zip(thetas, gs, strict=True)):
            theta, self.r[i] = rmsprop_update(theta, self.r[i], g, alpha, self.beta, self.epsilon)
            new_thetas.append(theta)
        return new_thetas

    def _arguments(self):
        return f"{super()._arguments()}, beta={self.beta}, epsilon={self.epsilon}"


class Adam(Optimizer):
    """Adam, in either of the lecture's two forms (see adam_update).

        t <- t + 1;  s <- beta_1 s + (1 - beta_1) g;  r <- beta_2 r + (1 - beta_2) g^2
        form="bias_corrected":  theta <- theta - alpha / sqrt(r_hat + eps) * s_hat,
                                s_hat = s / (1 - beta_1^t), r_hat = r / (1 - beta_2^t)
        form="alpha_t":         theta <- theta - alpha_t / sqrt(r + eps) * s,
                                alpha_t = alpha sqrt(1 - beta_2^t) / (1 - beta_1^t)

    Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, form="bias_corrected").
    State: self.s, self.r (zeros at the start) and the step count self.t.

    Frameworks: PyTorch (Adam) and optax (adam) use the bias-corrected form with epsilon
    OUTSIDE the root: alpha s_hat / (sqrt(r_hat) + eps). Keras (Adam, epsilon=1e-7) uses the
    second form with epsilon outside the root, alpha_t s / (sqrt(r) + eps), which written with
    s_hat and r_hat is alpha s_hat / (sqrt(r_hat) + eps / sqrt(1 - beta_2^t)): its epsilon acts
    as eps / sqrt(1 - beta_2^t), about 31.6 eps at t = 1 for beta_2 = 0.999.
    """

    state_names = ("s", "r")

    def __init__(
        self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, form="bias_corrected"
    ):
        self.beta_1 = _check_beta("beta_1", beta_1)
        self.beta_2 = _check_beta("beta_2", beta_2)
        self.epsilon = _check_epsilon(epsilon)
        if form not in ADAM_FORMS:
            raise ValueError(f"form must be one of {ADAM_FORMS}, got {form!r}")
        self.form = form
        super().__init__(learning_rate)

    def _update(self, thetas, gs, alpha):
        new_thetas = []
        for i, (theta, g) in enumerate(zip(thetas, gs, strict=True)):
            theta, self.s[i], self.r[i], _ = adam_update(
                theta, self.s[i], self.r[i], self.t, g,
                alpha, self.beta_1, self.beta_2, self.epsilon, self.form,
            )  # fmt: skip
            new_thetas.append(theta)
        return new_thetas

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
