"""Which axes of a matplotlib figure lack a title or an axis label (the course's standard:
every figure has a title and labelled axes). Used by tests/test_figures_labelled.py, in the
notebooks' kernels and in the test process.

The rules, axes by axes:
- exempt: axes that are turned off, hidden, or show no data (no line, patch, collection, image);
- a colorbar needs a label along its long side, nothing else;
- every other axes needs a title: its own (any of left, centre, right), its twin's (`twinx`)
  or its figure's suptitle;
- an x (y, z) label is needed where the axis has numbered ticks, i.e. where it measures
  something: a network diagram or an image with the ticks removed has no scale to name, and
  ticks named by words (categories) name themselves. A label counts when
  it is on the axes itself, on an axes sharing that axis (`sharey=True` panels, `twinx`), or is
  the figure's supxlabel (supylabel).
"""

from __future__ import annotations

import functools

from matplotlib.category import StrCategoryFormatter
from matplotlib.ticker import FixedFormatter, FuncFormatter


def _text(artist) -> str:
    return artist.get_text().strip() if artist is not None else ""


def _figures(ax):
    """The (sub)figure holding ax and every figure around it, innermost first."""
    fig = ax.get_figure()
    seen = []
    while fig is not None and fig not in seen:
        seen.append(fig)
        parent = getattr(fig, "_parent", None)
        fig = parent if parent is not fig else None
    return seen


def _has_title(ax) -> bool:
    twins = ax._twinned_axes.get_siblings(ax)   # twinx/twiny axes sit on top of each other
    if any(twin.get_title(loc=loc).strip() for twin in twins for loc in ("left", "center", "right")):
        return True
    return any(_text(getattr(fig, "_suptitle", None)) for fig in _figures(ax))


def _has_label(ax, which: str) -> bool:
    """Whether the `which` ("x", "y", "z") axis of ax is named somewhere a reader looks."""
    if getattr(ax, f"get_{which}label")().strip():
        return True
    if which in "xy":
        siblings = getattr(ax, f"get_shared_{which}_axes")().get_siblings(ax)
        if any(getattr(other, f"get_{which}label")().strip() for other in siblings if other is not ax):
            return True
        return any(_text(getattr(fig, f"_sup{which}label", None)) for fig in _figures(ax))
    return False


def _measures(ax, which: str) -> bool:
    """Whether the axis has a scale a label should name: it has ticks, and they are not named
    by words (categories such as `set_xticks(x, ["H(p)", "KL(p||q)"])` or bars of strings name
    themselves)."""
    axis = getattr(ax, f"{which}axis")
    locations = axis.get_ticklocs()
    if len(locations) == 0:
        return False
    formatter = axis.get_major_formatter()
    if isinstance(formatter, StrCategoryFormatter):
        return False
    explicit = isinstance(formatter, FixedFormatter) or (
        isinstance(formatter, FuncFormatter) and isinstance(formatter.func, functools.partial)
        and getattr(formatter.func.func, "__name__", "") == "_format_with_dict")  # set_ticklabels
    words = [formatter(x, i) for i, x in enumerate(locations)] if explicit else []
    return not any(character.isalpha() for word in words for character in word)


def describe(ax, index: int) -> str:
    """How a report names an axes: its title, else its position in the figure."""
    title = next((ax.get_title(loc=loc) for loc in ("center", "left", "right") if ax.get_title(loc=loc)),
                 "")
    return repr(title.replace("\n", " ")) if title else f"axes {index} (no title)"


def axes_problems(fig) -> list[tuple[str, str]]:
    """[(axes description, what is missing), ...] for every axes of fig that breaks the rules."""
    problems = []
    for index, ax in enumerate(fig.get_axes()):
        if not ax.axison or not ax.get_visible() or not ax.has_data():
            continue
        name = describe(ax, index)
        colorbar = getattr(ax, "_colorbar", None)
        if colorbar is not None:
            long_side = "y" if colorbar.orientation == "vertical" else "x"
            if not getattr(ax, f"get_{long_side}label")().strip():
                parent = getattr(colorbar.mappable, "axes", None)
                owner = describe(parent, fig.get_axes().index(parent)) if parent in fig.get_axes() else name
                problems.append((f"colorbar of {owner}", "label"))
            continue
        missing = [] if _has_title(ax) else ["title"]
        axes_names = ("x", "y", "z") if ax.name == "3d" else ("x", "y") if ax.name == "rectilinear" else ()
        missing += [f"{which}label" for which in axes_names
                    if _measures(ax, which) and not _has_label(ax, which)]
        problems += [(name, what) for what in missing]
    return problems
