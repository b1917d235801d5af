"""Learning-rate schedules: alpha as a function of the step number t.

    "Even if RMSProp and Adam are adaptive, they still usually require carefully tuned
     decreasing learning rate for top-notch performance."  (lecture, Learning Rate Schedules)

Every schedule is a callable object: schedule(t) -> alpha_t, where t >= 0 is the step number.
Pass one as `learning_rate` to any optimizer of course_lib.optimizers:

    from course_lib.optimizers import SGD
    from course_lib.schedules import InverseTimeDecay
    opt = SGD(InverseTimeDecay(alpha_0=0.5))   # alpha: a number or a schedule

How t is counted. The optimizers call schedule(t) with t = 1 at the first step, 2 at the second,
... (the t of Adam: t <- t + 1 before the update). So InverseTimeDecay gives the lecture's
alpha_0 / t exactly: alpha_0, alpha_0 / 2, alpha_0 / 3, ... Schedules are still defined at
t = 0 (for plots that start at 0): the inverse-time and inverse-square-root schedules are
alpha_0 there (they use max(t, 1)).

t may also be a numpy array (for plotting: schedule(np.arange(1000)) returns an array); for
a scalar t the result is a Python float. A negative or non-finite t raises ValueError.
Each schedule has a short repr, usable as a plot label, e.g. "ExponentialDecay(0.1, c=0.99)".
"""

import math
from numbers import Real

import numpy as np


def _check_number(name, value, low=0.0, high=math.inf, low_open=False, high_open=True):
    """Raise ValueError unless value is a real number in the given interval."""
    if isinstance(value, Real) and not isinstance(value, bool):
        above = value > low if low_open else value >= low
        below = value < high if high_open else value <= high
        if above and below:
            return float(value)
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    high_text = "inf" if high == math.inf else f"{high:g}"
    raise ValueError(f"{name} must be a number in {left}{low:g}, {high_text}{right}, got {value!r}")


def _g(x):
    """Short number formatting for reprs."""
    return f"{x:g}"


class Schedule:
    """Base class: __call__ checks t and calls `value(t)` on each step number (a float).

    Each schedule carries what the course shows and builds of it, so no table elsewhere repeats it:
        name       its key in SCHEDULES (the explorer's dropdown)
        formula    its formula as matplotlib mathtext (the explorer's title)
        knobs      which of the explorer's knobs it uses: decay (decay_steps, T or the first
                   period), c, power, alpha_end (a fraction of alpha_0), period_factor
        from_knobs(alpha_0, knobs)    the schedule from the explorer's knobs (a dict)
        run_name, for_run(alpha_0, total_steps)   for a training run of known length (11), if any
    """

    name = ""
    formula = ""
    knobs = ()
    run_name = None

    @classmethod
    def from_knobs(cls, alpha_0, knobs):
        raise NotImplementedError

    @classmethod
    def for_run(cls, alpha_0, total_steps):
        raise NotImplementedError

    def __call__(self, t):
        if isinstance(t, Real) and not isinstance(t, bool):
            if not 0 <= t < math.inf:
                raise ValueError(f"t must be a step number >= 0, got {t!r}")
            return float(self.value(float(t)))
        t_array = np.asarray(t, dtype=np.float64)
        if not np.all(np.isfinite(t_array)) or np.any(t_array < 0):
            raise ValueError(f"t must be a step number >= 0, got {t!r}")
        if t_array.ndim == 0:
            return float(self.value(float(t_array)))
        values = [self.value(float(t_i)) for t_i in t_array.ravel()]
        return np.array(values, dtype=np.float64).reshape(t_array.shape)

    def value(self, t):
        """alpha_t for one step number t (a float >= 0): the formula of the docstring."""
        raise NotImplementedError


class Constant(Schedule):
    """alpha_t = alpha  (no decay).

    Constant(alpha): alpha >= 0.
    """

    name, formula, knobs, run_name = "constant", r"$\alpha_t = \alpha_0$", (), "constant"

    @classmethod
    def from_knobs(cls, alpha_0, knobs):
        return cls(alpha_0)

    @classmethod
    def for_run(cls, alpha_0, total_steps):
        return cls(alpha_0)


    def __init__(self, alpha):
        self.alpha = _check_number("alpha", alpha)

    def value(self, t):
        return self.alpha

    def __repr__(self):
        return f"Constant({_g(self.alpha)})"


class ExponentialDecay(Schedule):
    """alpha_t = alpha_0 c^(t / decay_steps)   (lecture: alpha = alpha_initial c^t).

    ExponentialDecay(alpha_0, c, decay_steps=1, staircase=False):
        alpha_0 >= 0; c in (0, 1]; decay_steps > 0: the learning rate is multiplied by c every
        decay_steps steps ("each minibatch/epoch/several epochs"); staircase=True uses
        floor(t / decay_steps), i.e. the rate drops in steps instead of continuously.
    """

    name, formula, knobs = "exponential", r"$\alpha_t = \alpha_0\, c^{t / k}$", ("decay", "c")
    run_name = "exponential"

    @classmethod
    def from_knobs(cls, alpha_0, knobs):
        return cls(alpha_0, knobs["c"], decay_steps=knobs["decay"])

    @classmethod
    def for_run(cls, alpha_0, total_steps):
        """c chosen so that alpha ends at alpha_0 / 100 after the run."""
        return cls(alpha_0, 0.01 ** (1.0 / total_steps))


    def __init__(self, alpha_0, c, decay_steps=1, staircase=False):
        self.alpha_0 = _check_number("alpha_0", alpha_0)
        self.c = _check_number("c", c, 0.0, 1.0, low_open=True, high_open=False)
        self.decay_steps = _check_number("decay_steps", decay_steps, low_open=True)
        self.staircase = bool(staircase)

    def value(self, t):
        exponent = t / self.decay_steps
        if self.staircase:
            exponent = math.floor(exponent)
        return self.alpha_0 * self.c**exponent

    def __repr__(self):
        extra = "" if self.decay_steps == 1 else f", decay_steps={_g(self.decay_steps)}"
        extra += ", staircase=True" if self.staircase else ""
        return f"ExponentialDecay({_g(self.alpha_0)}, c={_g(self.c)}{extra})"


class PolynomialDecay(Schedule):
    """alpha_t = alpha_end + (alpha_0 - alpha_end) (1 - min(t, T) / T)^power,  T = decay_steps.

    Goes from alpha_0 at t = 0 to alpha_end at t = T and stays there (as Keras' and optax'
    polynomial decay). power = 1 is a linear decay.

    PolynomialDecay(alpha_0, decay_steps, alpha_end=0.0, power=1.0):
        alpha_0 >= 0; decay_steps > 0; alpha_end >= 0; power > 0.
    """

    name, knobs = "polynomial", ("decay", "power", "alpha_end")
    formula = r"$\alpha_t = \alpha_{end} + (\alpha_0 - \alpha_{end})(1 - \min(t, T)/T)^{p}$"

    @classmethod
    def from_knobs(cls, alpha_0, knobs):
        return cls(alpha_0, knobs["decay"], alpha_end=knobs["alpha_end"] * alpha_0, power=knobs["power"])


    def __init__(self, alpha_0, decay_steps, alpha_end=0.0, power=1.0):
        self.alpha_0 = _check_number("alpha_0", alpha_0)
        self.decay_steps = _check_number("decay_steps", decay_steps, low_open=True)
        self.alpha_end = _check_number("alpha_end", alpha_end)
        self.power = _check_number("power", power, low_open=True)

    def value(self, t):
        fraction_left = 1 - min(t, self.decay_steps) / self.decay_steps
        return self.alpha_end + (self.alpha_0 - self.alpha_end) * fraction_left**self.power

    def __repr__(self):
        extra = "" if self.alpha_end == 0 else f", alpha_end={_g(self.alpha_end)}"
        extra += "" if self.power == 1 else f", power={_g(self.power)}"
        return f"PolynomialDecay({_g(self.alpha_0)}, decay_steps={_g(self.decay_steps)}{extra})"


class InverseTimeDecay(Schedule):
    """alpha_t = alpha_0 / max(t / decay_steps, 1)   (lecture: alpha = alpha_initial / t).

    With decay_steps = 1 (default) this is the lecture's alpha_0 / t for t >= 1 (the optimizers'
    steps), and alpha_0 at t = 0. It satisfies the Robbins-Monro conditions: sum alpha_t = inf,
    sum alpha_t^2 < inf. With decay_steps = k the rate stays alpha_0 for the first k steps and
    then decays as alpha_0 k / t.

    InverseTimeDecay(alpha_0, decay_steps=1): alpha_0 >= 0; decay_steps > 0.
    """

    name, formula, knobs = "inverse time", r"$\alpha_t = \alpha_0 / \max(t / k, 1)$", ("decay",)

    @classmethod
    def from_knobs(cls, alpha_0, knobs):
        return cls(alpha_0, decay_steps=knobs["decay"])


    def __init__(self, alpha_0, decay_steps=1):
        self.alpha_0 = _check_number("alpha_0", alpha_0)
        self.decay_steps = _check_number("decay_steps", decay_steps, low_open=True)

    def value(self, t):
        return self.alpha_0 / max(t / self.decay_steps, 1.0)

    def __repr__(self):
        extra = "" if self.decay_steps == 1 else f", decay_steps={_g(self.decay_steps)}"
        return f"InverseTimeDecay({_g(self.alpha_0)}{extra})"


class InverseSqrtDecay(Schedule):
    """alpha_t = alpha_0 / sqrt(max(t / decay_steps, 1))   (lecture: alpha_initial / sqrt(t)).

    With decay_steps = 1 (default) this is alpha_0 / sqrt(t) for t >= 1 and alpha_0 at t = 0.
    With decay_steps = k it stays alpha_0 for k steps, then decays as alpha_0 sqrt(k / t).

    InverseSqrtDecay(alpha_0, decay_steps=1): alpha_0 >= 0; decay_steps > 0.
    """

    name, formula, knobs = "inverse sqrt", r"$\alpha_t = \alpha_0 / \sqrt{\max(t / k, 1)}$", ("decay",)
    run_name = "inverse sqrt"

    @classmethod
    def from_knobs(cls, alpha_0, knobs):
        return cls(alpha_0, decay_steps=knobs["decay"])

    @classmethod
    def for_run(cls, alpha_0, total_steps):
        """alpha_0 / sqrt(t)."""
        return cls(alpha_0)


    def __init__(self, alpha_0, decay_steps=1):
        self.alpha_0 = _check_number("alpha_0", alpha_0)
        self.decay_steps = _check_number("decay_steps", decay_steps, low_open=True)

    def value(self, t):
        return self.alpha_0 / math.sqrt(max(t / self.decay_steps, 1.0))

    def __repr__(self):
        extra = "" if self.decay_steps == 1 else f", decay_steps={_g(self.decay_steps)}"
        return f"InverseSqrtDecay({_g(self.alpha_0)}{extra})"


class CosineDecay(Schedule):
    """alpha_t = alpha_end + (alpha_0 - alpha_end) (1 + cos(pi min(t, T) / T)) / 2,  T = decay_steps.

    Half a cosine from alpha_0 (t = 0) down to alpha_end (t = T), then constant alpha_end.

    CosineDecay(alpha_0, decay_steps, alpha_end=0.0): alpha_0 >= 0; decay_steps > 0;
    alpha_end >= 0.
    """

    name, knobs, run_name = "cosine", ("decay", "alpha_end"), "cosine"
    formula = (r"$\alpha_t = \alpha_{end} + (\alpha_0 - \alpha_{end})\,"
               r"(1 + \cos(\pi \min(t, T) / T)) / 2$")

    @classmethod
    def from_knobs(cls, alpha_0, knobs):
        return cls(alpha_0, knobs["decay"], alpha_end=knobs["alpha_end"] * alpha_0)

    @classmethod
    def for_run(cls, alpha_0, total_steps):
        """Half a cosine over the whole run, T = total_steps."""
        return cls(alpha_0, total_steps)


    def __init__(self, alpha_0, decay_steps, alpha_end=0.0):
        self.alpha_0 = _check_number("alpha_0", alpha_0)
        self.decay_steps = _check_number("decay_steps", decay_steps, low_open=True)
        self.alpha_end = _check_number("alpha_end", alpha_end)

    def value(self, t):
        progress = min(t, self.decay_steps) / self.decay_steps
        return self.alpha_end + (self.alpha_0 - self.alpha_end) * (1 + math.cos(math.pi * progress)) / 2

    def __repr__(self):
        extra = "" if self.alpha_end == 0 else f", alpha_end={_g(self.alpha_end)}"
        return f"CosineDecay({_g(self.alpha_0)}, decay_steps={_g(self.decay_steps)}{extra})"


class CosineRestarts(Schedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter 2017).

        alpha_t = alpha_end + (alpha_0 - alpha_end) (1 + cos(pi t_cur / T_i)) / 2

    where the i-th cycle (i = 0, 1, ...) lasts T_i = period * period_factor^i steps and t_cur is
    the number of steps since the cycle started. At the start of every cycle the rate jumps back
    to alpha_0. With period_factor = 1 every cycle lasts `period` steps: t_cur = t mod period.

    CosineRestarts(alpha_0, period, period_factor=1.0, alpha_end=0.0):
        alpha_0 >= 0; period > 0; period_factor >= 1; alpha_end >= 0.
    """

    name, knobs = "cosine restarts", ("decay", "alpha_end", "period_factor")
    formula = (r"$\alpha_t = \alpha_{end} + (\alpha_0 - \alpha_{end})\,"
               r"(1 + \cos(\pi t_{cur} / T_i))/2,\ T_i = T m^i$")

    @classmethod
    def from_knobs(cls, alpha_0, knobs):
        return cls(alpha_0, knobs["decay"], period_factor=knobs["period_factor"],
                   alpha_end=knobs["alpha_end"] * alpha_0)


    def __init__(self, alpha_0, period, period_factor=1.0, alpha_end=0.0):
        self.alpha_0 = _check_number("alpha_0", alpha_0)
        self.period = _check_number("period", period, low_open=True)
        self.period_factor = _check_number("period_factor", period_factor, low=1.0)
        self.alpha_end = _check_number("alpha_end", alpha_end)

    def cycle(self, t):
        """(t_cur, T_i): steps since the current cycle started, and the cycle's length."""
        if self.period_factor == 1:
            return t % self.period, self.period
        t_cur, T_i = t, self.period
        while t_cur >= T_i:  # walk through the finished cycles
            t_cur -= T_i
            T_i *= self.period_factor
        return t_cur, T_i

    def value(self, t):
        t_cur, T_i = self.cycle(t)
        cosine = (1 + math.cos(math.pi * t_cur / T_i)) / 2
        return self.alpha_end + (self.alpha_0 - self.alpha_end) * cosine

    def __repr__(self):
        extra = "" if self.period_factor == 1 else f", period_factor={_g(self.period_factor)}"
        extra += "" if self.alpha_end == 0 else f", alpha_end={_g(self.alpha_end)}"
        return f"CosineRestarts({_g(self.alpha_0)}, period={_g(self.period)}{extra})"


class LinearWarmup(Schedule):
    """Linear warmup for W = warmup_steps steps, then any schedule `after`, shifted by W.

        alpha_t = alpha_start + (after(0) - alpha_start) t / W     for t < W
        alpha_t = after(t - W)                                      for t >= W

    So the rate climbs linearly from alpha_start to after(0) (the peak) and then follows `after`
    as if training had started at step W. With the optimizers' t = 1, 2, ... the first step
    uses alpha_start + (peak - alpha_start) / W.

    LinearWarmup(after, warmup_steps, alpha_start=0.0):
        after: a schedule (any callable of t >= 0) or a number (a constant rate);
        warmup_steps > 0; alpha_start >= 0.
    Example: LinearWarmup(CosineDecay(0.1, decay_steps=1000), warmup_steps=100).
    """

    name, run_name = "linear warmup", "warmup + cosine"  # no knobs: warmup wraps another schedule

    @classmethod
    def for_run(cls, alpha_0, total_steps):
        """Linear warmup over the first 10% of the run, then cosine over the whole run."""
        return cls(CosineDecay(alpha_0, total_steps), max(total_steps // 10, 1))


    def __init__(self, after, warmup_steps, alpha_start=0.0):
        if not callable(after):
            after = Constant(_check_number("after", after))
        self.after = after
        self.warmup_steps = _check_number("warmup_steps", warmup_steps, low_open=True)
        self.alpha_start = _check_number("alpha_start", alpha_start)

    def value(self, t):
        W = self.warmup_steps
        if t >= W:
            return float(self.after(t - W))
        peak = float(self.after(0))
        return self.alpha_start + (peak - self.alpha_start) * t / W

    def __repr__(self):
        extra = "" if self.alpha_start == 0 else f", alpha_start={_g(self.alpha_start)}"
        return f"LinearWarmup({self.after!r}, warmup_steps={_g(self.warmup_steps)}{extra})"


SCHEDULES = {cls.name: cls for cls in (Constant, ExponentialDecay, PolynomialDecay, InverseTimeDecay,
                                         InverseSqrtDecay, CosineDecay, CosineRestarts, LinearWarmup)}
"""Every schedule by its name."""

KNOB_SCHEDULES = tuple(name for name, cls in SCHEDULES.items() if cls is not LinearWarmup)
"""The schedules make_schedule builds from the explorers' knobs (warmup is a knob of them all)."""


def make_schedule(name, alpha_0, decay=1, c=0.99, power=1.0, alpha_end=0.0, period_factor=1.0,
                  warmup=0):
    """The schedule SCHEDULES[name] from one set of knobs (the sliders of the explorers).

    decay: the decay length: decay_steps (exponential, inverse time, inverse sqrt), T
        (polynomial, cosine) or the first period (cosine restarts).
    c: the factor of the exponential decay; power: the polynomial's p; period_factor: m of the
        restarts; alpha_end: the end rate as a FRACTION of alpha_0 (polynomial, cosine, restarts).
    Each schedule takes the knobs it names in its `knobs` (Schedule.from_knobs).
    warmup > 0 wraps the schedule in LinearWarmup over `warmup` steps.
    """
    if name not in KNOB_SCHEDULES:
        raise ValueError(f"schedule must be one of {list(KNOB_SCHEDULES)}, got {name!r} (warmup is "
                         "an argument)")
    knobs = {"decay": decay, "c": c, "power": power, "alpha_end": alpha_end,
             "period_factor": period_factor}
    made = SCHEDULES[name].from_knobs(alpha_0, knobs)
    return LinearWarmup(made, warmup) if warmup > 0 else made


RUN_SCHEDULES = {cls.run_name: cls for cls in SCHEDULES.values() if cls.run_name}
"""The schedules of a training run of known length (schedule_for_run), e.g. in 11's explorer:
run name -> schedule class (constant, exponential, inverse sqrt, cosine, warmup + cosine)."""


def schedule_for_run(name, alpha_0, total_steps):
    """A schedule over a run of `total_steps` steps: RUN_SCHEDULES[name].for_run(...).

    constant: alpha_0;  exponential: alpha_0 c^t with c chosen so alpha ends at alpha_0 / 100;
    inverse sqrt: alpha_0 / sqrt(t);  cosine: alpha_0 (1 + cos(pi t / T)) / 2 with T = the run;
    warmup + cosine: linear warmup over the first 10% of the steps, then cosine.
    """
    if name not in RUN_SCHEDULES:
        raise ValueError(f"schedule must be one of {list(RUN_SCHEDULES)}, got {name!r}")
    return RUN_SCHEDULES[name].for_run(alpha_0, max(int(total_steps), 1))


# ----------------------------------------------------------------------------------------------
# Robbins-Monro (04): alpha_t = alpha_0 / t^p on a noisy convex problem
# ----------------------------------------------------------------------------------------------


def power_schedule(alpha_0, p, t):
    """alpha_t = alpha_0 / t^p for t = 1, 2, ... (p = 0 constant, p = 1 the lecture's 1/t,
    p = 1/2 inverse square root). t: array of step numbers >= 1 -> array of the same shape."""
    return alpha_0 / np.asarray(t, dtype=np.float64) ** p


def expected_squared_error(alphas, a=1.0, sigma=1.0, theta_0=5.0):
    """E[(theta_t - theta*)^2] of SGD on J(theta) = (a/2) (theta - theta*)^2 with noisy gradients
    g = a (theta - theta*) + sigma eps, eps ~ N(0, 1):  theta_t - theta* = (1 - alpha_t a)
    (theta_{t-1} - theta*) - alpha_t sigma eps_t, hence exactly

        m_t = (1 - alpha_t a)^2 m_{t-1} + alpha_t^2 sigma^2,   m_0 = theta_0^2  (theta* = 0).

    alphas: (T,) learning rates alpha_1..alpha_T. Returns (T + 1,) m_0..m_T.
    """
    m = [float(theta_0) ** 2]
    s2 = float(sigma) ** 2
    for alpha in np.asarray(alphas, dtype=np.float64).tolist():
        c = 1.0 - alpha * a
        m.append(c * c * m[-1] + alpha * alpha * s2)
    return np.array(m)


def sgd_noisy_run(alphas, a=1.0, sigma=1.0, theta_0=5.0, seed=0):
    """One sampled run of the same noisy SGD: returns theta_0..theta_T, an array (T + 1,)."""
    noise = (sigma * np.random.default_rng(seed).standard_normal(len(alphas))).tolist()
    theta = [float(theta_0)]
    for alpha, eps in zip(np.asarray(alphas, dtype=np.float64).tolist(), noise):
        theta.append(theta[-1] - alpha * (a * theta[-1] + eps))
    return np.array(theta)


# ----------------------------------------------------------------------------------------------
# The Robbins-Monro conditions for alpha_0 / t^p (04): the reference of its exercise
# ----------------------------------------------------------------------------------------------


def robbins_monro_conditions(alpha_0, p):
    """Which of the lecture's Robbins-Monro conditions hold for alpha_t = alpha_0 / t^p, t = 1, 2, ...

        (1) alpha_t > 0 for all t,   (2) sum_t alpha_t = +infinity,   (3) sum_t alpha_t^2 < infinity

    alpha_0 >= 0 and p (any real) are numbers. sum_t 1/t^p is finite exactly when p > 1 (so
    sum_t alpha_t^2 = alpha_0^2 sum_t 1/t^(2p) is finite exactly when p > 1/2 or alpha_0 = 0).
    Returns a tuple of three bools (condition 1, condition 2, condition 3).
    """
    positive = alpha_0 > 0
    sum_is_infinite = alpha_0 > 0 and p <= 1
    sum_of_squares_is_finite = alpha_0 == 0 or p > 0.5
    return bool(positive), bool(sum_is_infinite), bool(sum_of_squares_is_finite)
