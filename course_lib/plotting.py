"""What the notebooks and explorers share to draw: each optimizer's colour and the 2-D landscapes.

    COLORS                                             one colour per optimizer (its catalogue entry)
    draw_landscape(ax, landscape)                      static contours + minima + labels
    path_artists(ax, color, label) / set_path(artists, path)   one optimizer path, for blitting
    setup_loss_axis(ax, landscape, steps)              the loss panel beside a landscape

Every function draws on the matplotlib Axes it is given (never pyplot's current figure).
"""

from __future__ import annotations

import numpy as np

from . import optimizers as opt
from .landscapes import loss_gap

COLORS = {name: opt.entry(name).color for name in [*opt.OPTIMIZERS, *opt.VARIANTS]}
"""The one colour of each optimizer in every plot, from its catalogue entry (name -> colour)."""


_GRIDS: dict = {}


def _grid_and_levels(landscape, n=150, levels=20):
    """(X, Y, Z, levels) of a landscape, computed once per landscape."""
    key = (landscape.name, n, levels)
    if key not in _GRIDS:
        _GRIDS[key] = (*landscape.grid(n), landscape.levels(levels))
    return _GRIDS[key]


def draw_landscape(ax, landscape, n=150, levels=20, title=None):
    """Draw the static part of a landscape on ax: filled contours, minima (*), saddles (x),
    limits, axis labels and a title (landscape.title unless given). Returns the contour set."""
    X, Y, Z, lv = _grid_and_levels(landscape, n, levels)
    contours = ax.contourf(X, Y, np.clip(Z, lv[0], lv[-1]), levels=lv, cmap="Blues_r", alpha=0.75)
    ax.contour(X, Y, Z, levels=lv, colors="white", linewidths=0.4, alpha=0.6)
    for i, (x, y) in enumerate(landscape.minima):
        ax.plot([x], [y], "*", color="gold" if i == 0 else "khaki", ms=13 if i == 0 else 9,
                mec="black", mew=0.6, zorder=10)
    for x, y in landscape.saddles:
        ax.plot([x], [y], "x", color="black", ms=8, zorder=10)
    ax.set(xlim=landscape.xlim, ylim=landscape.ylim, xlabel="θ₁ (x)", ylabel="θ₂ (y)",
           title=landscape.title if title is None else title)
    return contours


def path_artists(ax, color, label, lw=1.6, ms=3.0, alpha=1.0):
    """The artists of one optimizer path: (line with point markers, start marker, end marker).

    They start empty; fill them with set_path. Pass them to the explorer as animated artists.
    """
    line, = ax.plot([], [], "-o", color=color, lw=lw, ms=ms, label=label, alpha=alpha, zorder=5)
    start, = ax.plot([], [], "s", color=color, ms=6, mec="black", mew=0.6, alpha=alpha, zorder=6)
    end, = ax.plot([], [], "o", color=color, ms=8, mec="black", mew=0.8, alpha=alpha, zorder=6)
    return line, start, end


def set_path(artists, path):
    """Show a path, shape (k + 1, 2), on the artists made by path_artists."""
    line, start, end = artists
    line.set_data(path[:, 0], path[:, 1])
    start.set_data(path[:1, 0], path[:1, 1])
    end.set_data(path[-1:, 0], path[-1:, 1])


def setup_loss_axis(ax, landscape, steps):
    """Scales, limits, labels and title of the loss panel for a landscape and a step count."""
    X, Y, Z, lv = _grid_and_levels(landscape)
    ax.set_xlim(0, steps)
    if landscape.minima:
        top = max(float(loss_gap(landscape, Z).max()), 1.0)
        ax.set_yscale("log")
        ax.set_ylim(1e-12, top * 10)
        ax.set(ylabel="J(θ_k) − J(θ*)", title="Loss above the minimum (log scale)")
    else:
        ax.set_yscale("linear")
        ax.set_ylim(float(Z.min()), float(Z.max()))
        ax.set(ylabel="J(θ_k)", title="Loss (no minimum: J is unbounded below)")
    ax.set_xlabel("step k")
    ax.grid(True, alpha=0.3)
