"""Explorer of 05_backpropagation: the lecture's worked example, drawn and differentiated.

`NetworkDrawing` draws the lecture's 2-3-1 ReLU network (slide "Backpropagation Example") on a
matplotlib Axes: nodes, edges with their weights, forward values in green (the pre-activation i
inside a hidden node, its output h beside it) and, optionally, every derivative of the
lecture's table in red. `WorkedExampleExplorer` lets the student change one weight or input and
watch the forward values, the gradients and the loss curve L(parameter) with its tangent.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..nn import WORKED_EXAMPLE, worked_example
from .base import Explorer, slider
from .quicktext import QuickText

FORWARD_COLOR = "#1b7a1b"
GRADIENT_COLOR = "#c0392b"

# node positions (x, y): inputs, hidden ReLU units, output (laid out like the lecture's figure)
POSITIONS = {
    "x1": (0.0, 3.75), "x2": (0.0, 1.25),
    "h1": (3.5, 5.0), "h2": (3.5, 2.5), "h3": (3.5, 0.0),
    "o": (7.0, 2.5),
}
RADIUS = 0.32
# edges: weight name -> (from, to); w1, w3, w5 leave x1, w2, w4, w6 leave x2 (lecture's figure)
EDGES = {
    "w1": ("x1", "h1"), "w2": ("x2", "h1"), "w3": ("x1", "h2"),
    "w4": ("x2", "h2"), "w5": ("x1", "h3"), "w6": ("x2", "h3"),
    "w7": ("h1", "o"), "w8": ("h2", "o"), "w9": ("h3", "o"),
}
# where along its edge a weight's label sits (0 = source, 1 = target), as on the slide
LABEL_AT = {"w1": 0.3, "w2": 0.72, "w3": 0.62, "w4": 0.62, "w5": 0.72, "w6": 0.3,
            "w7": 0.5, "w8": 0.5, "w9": 0.5}
PARAMETERS = [f"w{k}" for k in range(1, 10)] + ["x1", "x2"]
SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _fmt(v: float) -> str:
    """A number as the lecture writes it: 4, -3, 0.5 (no trailing .0; a true minus sign)."""
    v = float(v)
    if v == 0:
        return "0"
    text = f"{v:.0f}" if abs(v - round(v)) < 1e-9 else f"{v:.3g}"
    return text.replace("-", "−")


def _sym(name: str) -> str:
    """'w7' -> 'w₇' (a subscript, plain text: fast to draw, unlike mathtext)."""
    return name[0] + name[1:].translate(SUB)


def _d(name: str) -> str:
    return f"∂L/∂{_sym(name)}"


_BOX = dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85)


class NetworkDrawing:
    """The worked example's network on `ax`, with text artists that `show` fills in.

    drawing = NetworkDrawing(ax, gradients=True)
    drawing.show(worked_example(), weights)     # weights: dict w1..w9, x1, x2, gold -> value
    drawing.artists                             # every text/line that show() changes

    Each label is a static prefix ("w₁ =", "∂L/∂w₁ =") drawn once, followed by a
    short number that show() changes: the explorer redraws only the numbers, QuickTexts drawn
    from cached glyphs (a matplotlib Text costs about 0.9 ms to draw, however short).
    """

    def __init__(self, ax, gradients: bool = True, fontsize: float = 9.0):
        from matplotlib.patches import Circle

        self.ax = ax
        self.gradients = gradients
        self.fontsize = fontsize
        self.edge_lines = {}
        self.numbers = {}
        small = fontsize - 0.5
        for name, (a, b) in EDGES.items():
            (xa, ya), (xb, yb) = POSITIONS[a], POSITIONS[b]
            d = np.hypot(xb - xa, yb - ya)
            ux, uy = (xb - xa) / d, (yb - ya) / d
            start = (xa + RADIUS * ux, ya + RADIUS * uy)
            end = (xb - RADIUS * ux, yb - RADIUS * uy)
            line, = ax.plot([start[0], end[0]], [start[1], end[1]], color="0.35", lw=1.2, zorder=1)
            ax.annotate("", xy=end, xytext=(end[0] - 0.01 * ux, end[1] - 0.01 * uy),
                        arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.2), zorder=1)
            self.edge_lines[name] = line
            t = LABEL_AT[name]
            px, py = xa + t * (xb - xa), ya + t * (yb - ya)
            self._label(name, px, py + 0.02, f"{_sym(name)} =", "black", fontsize, "bottom")
            if gradients:
                self._label("dL/d" + name, px, py - 0.04, f"{_d(name)} =", GRADIENT_COLOR, small,
                            "top")
        for name, (x, y) in POSITIONS.items():
            ax.add_patch(Circle((x, y), RADIUS, facecolor="white", edgecolor="black", lw=1.3,
                                zorder=2))
            if name.startswith("x"):
                continue
            self.numbers["value " + name] = self._number(x, y, ha="center", va="center",
                                                         fontsize=fontsize + 1, color=FORWARD_COLOR,
                                                         weight="bold", zorder=4)
        for k in (1, 2, 3):  # h beside the hidden node (as on the slide); dL/dh, dL/di under it
            x, y = POSITIONS[f"h{k}"]
            self.numbers[f"out h{k}"] = self._number(x + RADIUS + 0.02, y + RADIUS, ha="left",
                                                     va="center", fontsize=fontsize + 1,
                                                     color=FORWARD_COLOR, weight="bold", zorder=4)
            if gradients:
                self._label(f"dL/dh{k}", x + 0.3, y - RADIUS - 0.05, f"{_d(f'h{k}')} =",
                            GRADIENT_COLOR, small, "top")
                self._label(f"dL/di{k}", x + 0.3, y - RADIUS - 0.4, f"{_d(f'i{k}')} =",
                            GRADIENT_COLOR, small, "top")
        for name in ("x1", "x2"):
            x, y = POSITIONS[name]
            self._label(name, x - RADIUS - 0.35, y + 0.05, f"{_sym(name)} =", "black",
                        fontsize + 1, "center")
            if gradients:
                self._label("dL/d" + name, x - RADIUS - 0.35, y - 0.25, f"{_d(name)} =",
                            GRADIENT_COLOR, small, "top")
        x, y = POSITIONS["o"]
        self._label("L", x + 1.2, y - RADIUS - 0.45, "L = (o \u2212 gold)\u00b2 =", "black",
                    fontsize, "top")
        if gradients:
            self._label("dL/do", x + 0.25, y - RADIUS - 0.08, f"{_d('o')} =", GRADIENT_COLOR,
                        small, "top")
        for label, x in (("input layer", 0.0), ("ReLU layer", 3.5), ("output layer", 7.0)):
            ax.text(x, 5.75, label, ha="center", va="center", fontsize=fontsize + 1, color="0.3")
        ax.set_xlim(-2.2, 8.6)
        ax.set_ylim(-1.45, 6.0)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        self.artists = list(self.numbers.values())

    def _label(self, key, x, y, prefix, color, fontsize, va):
        """A static prefix ending at x and a number (self.numbers[key]) starting there."""
        box = _BOX if va != "center" else None
        self.ax.text(x, y, prefix + " ", ha="right", va=va, fontsize=fontsize, color=color,
                     zorder=3, bbox=box)
        self.numbers[key] = self._number(x, y, ha="left", va=va, fontsize=fontsize,
                                         color=color, zorder=3, bbox=box)

    def _number(self, x, y, **style):
        """A number that show() changes: a QuickText (about 0.1 ms to draw instead of 0.9)."""
        return self.ax.add_artist(QuickText(x, y, "", **style))

    def show(self, result: dict, weights: dict) -> None:
        """Fill in the numbers from `result` (nn.worked_example's dict) and the inputs `weights`."""
        n = self.numbers
        for name in [*EDGES, "x1", "x2"]:
            n[name].set_text(_fmt(weights[name]))
        for k in (1, 2, 3):
            n[f"value h{k}"].set_text(_fmt(result[f"i{k}"]))
            n[f"out h{k}"].set_text(_fmt(result[f"h{k}"]))
        n["value o"].set_text(_fmt(result["o"]))
        n["L"].set_text(_fmt(result["L"]))
        if not self.gradients:
            return
        for key in n:
            if key.startswith("dL/d"):
                n[key].set_text(_fmt(result[key]))


def draw_worked_example(ax, values: dict | None = None, gradients: bool = True) -> dict:
    """Draw the worked example (lecture values, changed by `values`) on ax; return its results."""
    weights = {**WORKED_EXAMPLE, **(values or {})}
    result = worked_example(values)
    drawing = NetworkDrawing(ax, gradients=gradients)
    drawing.show(result, weights)
    return result


class WorkedExampleExplorer(Explorer):
    """Left: the network with forward values (green) and every derivative (red).
    Right: the loss L as a function of the chosen parameter, with the tangent of slope dL/dp.
    """

    def __init__(self):
        self.grid = np.linspace(-3.0, 3.0, 121)
        controls = {
            "parameter": widgets.Dropdown(options=PARAMETERS, value="w4", description="change",
                                          layout=widgets.Layout(width="150px"),
                                          style={"description_width": "initial"}),
            "value": slider("its value", -2.0, -3.0, 3.0, 0.1),
        }
        self._shown_parameter = None
        super().__init__(controls, main="value", figsize=(11.0, 4.6),
                         question="with w4 selected, move it from -2 up to 1: when does the second "
                                  "hidden unit switch on, and which red derivatives stop being 0? "
                                  "What do they say exactly at the switch, w4 = -0.5, where i2 = 0? "
                                  "Then select w7 and find the value where L is smallest: what is "
                                  "dL/dw7 there?")
        controls["parameter"].observe(self._reset_value, names="value")

    def _reset_value(self, change) -> None:
        """A newly chosen parameter starts at its lecture value."""
        self.controls["value"].value = WORKED_EXAMPLE[change["new"]]

    def setup(self, fig):
        grid = fig.add_gridspec(1, 2, width_ratios=[2.3, 1.0])
        self.ax_net = fig.add_subplot(grid[0])
        self.ax_loss = fig.add_subplot(grid[1])
        self.drawing = NetworkDrawing(self.ax_net, gradients=True, fontsize=8.5)
        self.ax_net.set_title("Forward values (green) and derivatives of L (red)", fontsize=10)
        self.curve, = self.ax_loss.plot([], [], color="C0", label="L")
        self.tangent, = self.ax_loss.plot([], [], color=GRADIENT_COLOR, lw=2, label="tangent, slope dL/dp")
        self.point, = self.ax_loss.plot([], [], "o", color="C1", ms=8)
        self.ax_loss.legend(loc="upper right", fontsize=8)
        self.ax_loss.set_xlim(self.grid[0], self.grid[-1])
        fig.tight_layout()
        return [*self.drawing.artists, self.tangent, self.point, self.curve]

    def update(self, parameter, value):
        value = round(float(value), 10)   # the browser sends -0.49999999999999994 for -0.5
        limits_changed = False
        if parameter != self._shown_parameter:
            losses = np.array([worked_example({parameter: p})["L"] for p in self.grid])
            self.curve.set_data(self.grid, losses)
            top = min(losses.max(), 200.0)
            self.ax_loss.set_ylim(-0.05 * top, 1.05 * top)
            self.ax_loss.set(title=f"L as a function of {parameter}", xlabel=parameter,
                             ylabel="L = (o - gold)$^2$")
            self._shown_parameter = parameter
            limits_changed = True
        weights = {**WORKED_EXAMPLE, parameter: float(value)}
        result = worked_example({parameter: float(value)})
        self.drawing.show(result, weights)
        for number in self.drawing.artists:  # unchanged numbers are restored, not drawn again
            self.snapshot(number, number.get_text(), pad=1)
        slope = result["dL/d" + parameter]
        self.point.set_data([value], [result["L"]])
        dx = np.array([-0.7, 0.7])
        self.tangent.set_data(value + dx, result["L"] + slope * dx)
        at_kink = [f"i{k}" for k in (1, 2, 3) if result[f"i{k}"] == 0.0]
        if at_kink:
            unit = at_kink[0]
            self.say(f"{unit} = 0 exactly: ReLU has no derivative there (the lecture writes NaN). "
                     f"Backpropagation uses 0, so dL/d{unit} = 0 and the tangent takes the slope "
                     f"from the left; one step to the other side and the slope jumps.", in_plot=False)
        else:
            self.say("")
        return limits_changed
