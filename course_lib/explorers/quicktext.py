"""QuickText: a matplotlib Text for short strings that change with every slider move (numbers).

Drawing a Text costs about 0.9 ms in matplotlib 3.11 however short it is (layout, font look-up
and shaping in Python, then one FreeType rendering per glyph); the worked example of 05 changes
about 15 numbers per move, 13 ms of its 19. QuickText draws the same glyphs from a cache:

- the vertical placement of a line depends on the font only (matplotlib sizes every line by
  the font's ascent and descent tables), so the offset of the baseline from the anchor is taken
  from matplotlib's own layout once per artist and reused for every string;
- each glyph is rendered by FreeType exactly as Agg renders it (same size, hinting and 1/64
  pixel offset) and kept by (glyph, fractional offset): the same pixels as matplotlib's,
  shifted by whole pixels;
- glyph advances come from matplotlib's layout of each character, once per character (no
  kerning: for numbers there is none to speak of), and the bbox patch (if any) is drawn around
  the string's box as Text draws it (a filled one without an edge is blended with numpy).

Anything else (rotation, several lines, mathtext, another backend than Agg) is drawn by Text.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, Bbox

_IDENTITY = np.array([[0x10000, 0], [0, 0x10000]])


class QuickText(Text):
    """A Text drawn from cached glyph images on Agg (see the module docstring)."""

    _glyphs: dict = {}      # (font path, size, dpi, glyph index, x mod 64, y mod 64) -> bitmap
    _chars: dict = {}       # (font path, size, dpi, character) -> (glyph index, advance px)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._baseline = None   # (dpi, properties) -> (x offset of a left-aligned line, y, a, d)
        self._drawn = None      # (text, position, box in display pixels) of the last quick draw

    def get_window_extent(self, renderer=None, dpi=None):
        """The box of the last quick draw while text and position stay the same (Text's own
        extent lays the string out again: most of the cost of a draw)."""
        if (dpi is None and self._drawn is not None
                and self._drawn[:2] == (self.get_text(), (self._x, self._y))):
            return self._drawn[2].frozen()
        return super().get_window_extent(renderer, dpi)

    def draw(self, renderer):
        text = self.get_text()
        if (not self.get_visible() or text == "" or "\n" in text or "$" in text
                or self.get_rotation() != 0 or not hasattr(renderer, "_renderer")
                or self.get_path_effects() or self.get_usetex()):
            return super().draw(renderer)
        try:
            self._quick_draw(renderer, text)
        except (AttributeError, TypeError, ImportError):   # a matplotlib without these internals
            super().draw(renderer)

    def _line_box(self, renderer):
        """(x offset of the left end for ha='left', baseline y offset, ascent, descent), in
        pixels from the anchor; from matplotlib's layout of this text, once per dpi and font."""
        key = (renderer.dpi, hash(self._fontproperties), self.get_ha(), self.get_va())
        if self._baseline is None or self._baseline[0] != key:
            _, info, _ = self._get_layout(renderer)
            line, (w, a, d), (x, y) = info[0]
            left = {"left": x, "center": x + w / 2, "right": x + w}[self.get_ha()]
            self._baseline = (key, (left, y, a, d))
        return self._baseline[1]

    def _layout(self, font, key, text):
        """[(glyph index, x)] and the width, from the advances of each character."""
        items, x = [], 0.0
        from matplotlib.backends.backend_agg import get_hinting_flag

        for ch in text:
            cached = self._chars.get((*key, ch))
            if cached is None:
                pair = font._layout(ch + ch, flags=get_hinting_flag())
                advance = pair[1].x - pair[0].x if len(pair) == 2 else 0.0
                cached = self._chars[(*key, ch)] = (pair[0].glyph_index, advance) if pair else (0, 0.0)
            items.append((cached[0], x))
            x += cached[1]
        return items, x

    def _draw_box(self, renderer, x, y, width, height):
        """The bbox patch around the line's box (x, y: its lower left, display pixels). A filled
        box without an edge is blended over the pixels it covers (its corners, rounded by
        about a pixel, square; the patch's drawing cost 0.2 ms), any other is drawn by the patch."""
        patch = self._bbox_patch
        scale = renderer.points_to_pixels(self.get_size())
        style = patch.get_boxstyle()
        if patch.get_linewidth() and patch.get_edgecolor()[3] or not hasattr(style, "pad"):
            patch.set_bounds(0.0, 0.0, width, height)
            patch.set_transform(Affine2D().translate(x, y))
            patch.set_mutation_scale(scale)
            patch.draw(renderer)
            return
        pad = style.pad * scale
        pixels = np.asarray(renderer.buffer_rgba())
        rows, cols = pixels.shape[:2]
        top = max(0, min(rows, round(rows - (y + height + pad))))
        bottom = max(0, min(rows, round(rows - (y - pad))))
        left = max(0, min(cols, round(x - pad)))
        right = max(0, min(cols, round(x + width + pad)))
        red, green, blue, alpha = patch.get_facecolor()
        region = pixels[top:bottom, left:right, :3]
        colour = 255 * alpha * np.array([red, green, blue])
        region[...] = np.rint(colour + (1 - alpha) * region).astype(np.uint8)

    def _quick_draw(self, renderer, text):
        from matplotlib.backends.backend_agg import get_hinting_flag
        from matplotlib.font_manager import fontManager, get_font
        from matplotlib.ft2font import RenderMode

        posx, posy = self.get_transform().transform(
            (float(self.convert_xunits(self._x)), float(self.convert_yunits(self._y))))
        if not (np.isfinite(posx) and np.isfinite(posy)):
            return
        left, base_y, ascent, descent = self._line_box(renderer)
        path = self._baseline[2] if len(self._baseline) > 2 else None
        if path is None:
            path = fontManager._find_fonts_by_props(self._fontproperties)
            self._baseline = (*self._baseline[:2], path)
        font = get_font(path)
        size = self._fontproperties.get_size_in_points()
        key = (tuple(path) if isinstance(path, list) else path, size, renderer.dpi)
        font.set_size(size, renderer.dpi)
        items, width = self._layout(font, key, text)
        shift = {"left": 0.0, "center": -width / 2, "right": -width}[self.get_ha()]
        x0 = posx + left + shift                  # the line's left end, display pixels
        y0 = posy + base_y                        # its baseline (upwards)

        if self._bbox_patch:                      # as Text.update_bbox_position_size
            self._draw_box(renderer, x0, y0 - descent, width, ascent + descent)

        gc = renderer.new_gc()
        gc.set_foreground(mcolors.to_rgba(self.get_color()), isRGBA=True)
        gc.set_alpha(self.get_alpha())
        gc.set_antialiased(self._antialiased)
        gc.set_snap(self.get_snap())
        self._set_gc_clip(gc)
        flags = get_hinting_flag()
        mode = RenderMode.NORMAL if gc.get_antialiased() else RenderMode.MONO
        height = renderer.height
        for glyph, dx in items:                   # as RendererAgg._draw_text_glyphs_and_boxes
            px, py = round(0x40 * (x0 + dx)), round(0x40 * y0)
            cache_key = (*key, glyph, px % 64, py % 64, flags, mode)
            cached = self._glyphs.get(cache_key)
            if cached is None:
                if len(self._glyphs) > 20000:
                    self._glyphs.clear()
                font._set_transform(_IDENTITY, [px % 64, py % 64])
                bitmap = font._render_glyph(glyph, flags, mode)
                buffer = np.array(bitmap.buffer)
                if mode == RenderMode.MONO:
                    buffer *= 0xFF
                cached = self._glyphs[cache_key] = (buffer, bitmap.left, bitmap.top)
            buffer, bleft, btop = cached
            top = btop + py // 64
            renderer._renderer.draw_text_image(buffer, bleft + px // 64,
                                               int(height) - top + buffer.shape[0], 0, gc)
        gc.restore()
        self._drawn = (text, (self._x, self._y),
                       Bbox.from_extents(x0, y0 - descent, x0 + width, y0 + ascent))
        self.stale = False
