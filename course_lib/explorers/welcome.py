"""Explorer of 00_welcome: fit a constant c to data by moving a slider."""

from __future__ import annotations

import numpy as np

from ..nn import mse_loss as reference_mse
from .base import Explorer, implementation_switch, slider


class ConstantFitExplorer(Explorer):
    """Left: the data and the constant prediction c with its residuals.
    Right: MSE(c) = 1/m sum_i (c - y_i)^2 against c, with the current c marked.
    """

    def __init__(self, y, mse=None):
        self.y = np.asarray(y, dtype=np.float64)
        low, high = float(np.floor(self.y.min() - 1)), float(np.ceil(self.y.max() + 1))
        self.grid = np.linspace(low, high, 200)
        impl = implementation_switch("mse", reference_mse, label="mse")
        if mse is not None:
            impl.options = [("given", mse)]
        start = float(np.floor(self.y.min()))   # inside the plot, below the data: room to move
        controls = {"c": slider("prediction c", start, low, high, 0.05), "mse": impl}
        super().__init__(controls, main="c", figsize=(9.0, 3.4),
                         question="move c to the bottom of the MSE curve. "
                                  "Is the best constant the mean of y?")

    def setup(self, fig):
        self.ax_data, self.ax_loss = fig.subplots(1, 2)
        m = len(self.y)
        self.ax_data.plot(np.arange(m), self.y, "o", color="C0", label="data y")
        self.ax_data.set(title="A constant prediction c and its errors", xlabel="example i",
                         ylabel="value", ylim=(self.grid[0], self.grid[-1]))
        self.ax_loss.set(title="MSE(c) = mean of (c - y)^2", xlabel="c", ylabel="MSE")
        self.ax_loss.axvline(self.y.mean(), color="gray", ls=":", label="mean of y")
        self.curve, = self.ax_loss.plot([], [], color="C0")
        self.ax_loss.set_xlim(self.grid[0], self.grid[-1])
        self.line = self.ax_data.axhline(0.0, color="C1", label="prediction c")
        self.residuals = self.ax_data.vlines(np.arange(m), 0, 0, color="C1", alpha=0.5)
        self.point, = self.ax_loss.plot([], [], "o", color="C1", ms=9)
        self.ax_data.legend(loc="upper right", fontsize=8)
        self.ax_loss.legend(loc="upper right", fontsize=8)
        fig.tight_layout()
        self._shown_mse = None
        return [self.line, self.residuals, self.point, self.curve]

    def update(self, c, mse):
        limits_changed = False
        if mse is not self._shown_mse:  # the curve depends only on the implementation
            values = np.array([mse(np.full_like(self.y, g), self.y) for g in self.grid])
            self.curve.set_data(self.grid, values)
            self.ax_loss.set_ylim(0, values.max() * 1.05)
            self._shown_mse = mse
            limits_changed = True
        m = len(self.y)
        self.line.set_ydata([c, c])
        self.residuals.set_segments([[(i, c), (i, yi)] for i, yi in zip(range(m), self.y)])
        self.point.set_data([c], [mse(np.full_like(self.y, c), self.y)])
        self.say("")
        return limits_changed
