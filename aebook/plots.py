"""Figures shared by several chapters: grids of digits.

A grid is one image, a mosaic of 28x28 tiles with white gaps, on one Axes placed at an
explicit rectangle (no layout engine); a tile's title is a text in the gap above it. One
image and a few texts draw many times faster than an Axes per tile.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

__all__ = ["digit_grid", "digit_groups", "originals_and_reconstructions"]

_TILE = 28  # pixels of a digit's side
_GAP = 5  # white mosaic pixels between two tiles, side by side or one above the other's title
_PAD = 2  # mosaic pixels between a tile and its title
_LINE = 1.35 / 72  # inches of height a line of text takes per point of font size
_MARGIN = 0.1  # inches of white around a grid
_PAIR_GAP = 2  # white mosaic pixels between an original and its reconstruction
_BETWEEN = 0.25  # inches between two groups of digit_groups


def digit_grid(
    images: np.ndarray | Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    ncols: int = 5,
    fig: Figure | SubFigure | None = None,
    title: str | None = None,
    tile_size: float = 1.3,
    title_size: float = 11,
    vmax: float | None = None,
    name_size: float | None = None,
) -> Figure | SubFigure:
    """Draw 28x28 images (shape (n, 28, 28) or (n, 784)) in a grid, dark ink on white.

    Each tile is optionally titled (``title_size`` points). Gray levels run from 0 to
    ``vmax`` (default: the largest value shown), so grids that share a ``vmax`` are
    drawn on the same scale. A new figure gives each column ``tile_size`` inches; in a
    given ``fig`` (a figure or subfigure) the grid is scaled to fit below ``title``
    (``name_size`` points; default ``title_size + 2``).
    """
    tiles = _tiles(images, titles)
    vmax = vmax if vmax is not None else (tiles.max() or 1.0)
    pixel = tile_size / (_TILE + _GAP)  # inches per mosaic pixel
    room = _title_room(titles, title_size, pixel)
    name_size = title_size + 2 if name_size is None else name_size
    head = _text_height(title, name_size)
    if fig is None:
        size = _grid_size(len(tiles), ncols, tile_size, room, head)
        fig = plt.figure(figsize=size, facecolor="white")
    width, height = fig.bbox.size / fig.dpi
    rect = (_MARGIN / width, _MARGIN / height, 1 - 2 * _MARGIN / width, 1 - (2 * _MARGIN + head) / height)
    _draw_mosaic(fig.add_axes(rect, anchor="N"), tiles, titles, ncols, room, title_size, vmax)
    if title:
        fig.suptitle(title, y=1 - _MARGIN / height, fontsize=name_size)
    return fig


def originals_and_reconstructions(
    originals: np.ndarray | Sequence[np.ndarray],
    reconstructions: np.ndarray | Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    title: str | None = None,
    ncols: int = 5,
    title_size: float = 12,
) -> Figure:
    """Each input next to what the model made of it: one grid of pairs, ``ncols`` a row.

    A pair is the original tile with its reconstruction just right of it, titled (if
    ``titles``) above its middle; a line under ``title`` says which tile is which. Both
    tiles share the originals' gray scale; reconstructions, which may overshoot it a
    little, are clipped to it.
    """
    originals = _tiles(originals, titles)
    vmax = float(originals.max()) or 1.0
    reconstructions = np.clip(np.asarray(reconstructions, dtype=float), 0, vmax)
    if len(reconstructions) != len(originals):
        raise ValueError(f"{len(originals)} originals but {len(reconstructions)} reconstructions")
    reconstructions = reconstructions.reshape(-1, _TILE, _TILE)
    gap = np.zeros((len(originals), _TILE, _PAIR_GAP))
    pairs = np.concatenate([originals, gap, reconstructions], axis=2)
    tile_size = 0.09 * title_size  # inches of one digit: a pair is as wide as a title of about 20 characters
    width = pairs.shape[2]
    pixel = tile_size / (_TILE + _GAP)
    room = _title_room(titles, title_size, pixel)
    key = "in each pair: original (left), reconstruction (right)"
    head = _text_height(title, title_size + 4) + _text_height(key, title_size)
    rows, columns = _mosaic_shape(len(pairs), ncols, room, width, 2 * _GAP)
    size = (columns * pixel + 2 * _MARGIN, rows * pixel + head + 2 * _MARGIN)
    fig = plt.figure(figsize=size, facecolor="white")
    rect = (_MARGIN / size[0], _MARGIN / size[1], 1 - 2 * _MARGIN / size[0], 1 - (2 * _MARGIN + head) / size[1])
    ax = fig.add_axes(rect, anchor="N")
    _draw_mosaic(ax, pairs, titles, ncols, room, title_size, vmax, width, 2 * _GAP)
    top = 1 - _MARGIN / size[1]
    if title:
        fig.suptitle(title, y=top, fontsize=title_size + 4, fontweight="bold")
        top -= _text_height(title, title_size + 4) / size[1]
    fig.text(0.5, top, key, ha="center", va="top", fontsize=title_size)
    return fig


def digit_groups(
    groups: Sequence[np.ndarray | Sequence[np.ndarray]],
    names: Sequence[str],
    titles: Sequence[Sequence[str]] | None = None,
    title: str | None = None,
    ncols: int = 10,
    tile_size: float = 0.9,
    title_size: float = 10,
) -> Figure:
    """Several digit grids one below the other, each group of digits under its name.

    Every group starts a new row of tiles, so a reader sees which digits belong
    together; all groups share one gray scale (the largest value shown).
    """
    if len(names) != len(groups) or (titles is not None and len(titles) != len(groups)):
        lists = "" if titles is None else f", {len(titles)} title lists"
        raise ValueError(f"{len(groups)} groups, {len(names)} names{lists}")
    tiles = [_tiles(images, None if titles is None else titles[i]) for i, images in enumerate(groups)]
    vmax = max(float(t.max()) for t in tiles) or 1.0
    pixel = tile_size / (_TILE + _GAP)
    room = _title_room(titles[0] if titles else None, title_size, pixel)
    heads = [_text_height(name, title_size + 1) for name in names]
    sizes = [_grid_size(len(t), ncols, tile_size, room, head) for t, head in zip(tiles, heads, strict=True)]
    head = (_MARGIN + _text_height(title, title_size + 3)) if title else 0.0
    ratios = [head or 1e-6]  # a gridspec row may not be 0 high
    for i, (_, h) in enumerate(sizes):
        ratios += [h] if i == 0 else [_BETWEEN, h]
    fig = plt.figure(figsize=(max(w for w, _ in sizes), sum(ratios)), facecolor="white")
    spec = fig.add_gridspec(len(ratios), 1, height_ratios=ratios, hspace=0)
    for i, group in enumerate(tiles):
        sub = fig.add_subfigure(spec[1 + 2 * i, 0])
        group_titles = None if titles is None else titles[i]
        digit_grid(group, group_titles, ncols, sub, names[i], tile_size, title_size, vmax, name_size=title_size + 1)
    if title:
        fig.suptitle(title, y=1 - _MARGIN / fig.get_figheight(), fontsize=title_size + 3, fontweight="bold")
    return fig


def _tiles(images: np.ndarray | Sequence[np.ndarray], titles: Sequence[str] | None) -> np.ndarray:
    """The images as floats of shape (n, 28, 28), checked against their titles if any."""
    tiles = np.asarray(images, dtype=float).reshape(-1, _TILE, _TILE)
    if titles is not None and len(titles) != len(tiles):
        raise ValueError(f"{len(titles)} titles for {len(tiles)} images")
    return tiles


def _title_room(titles: Sequence[str] | None, title_size: float, pixel: float) -> int:
    """Mosaic pixels of white above each tile for its title, if there are titles."""
    return (_PAD + ceil(title_size * _LINE / pixel)) if titles is not None else 0


def _text_height(text: str | None, size: float) -> float:
    """Inches of height taken by ``text`` (possibly several lines) at ``size`` points."""
    return (text.count("\n") + 1) * size * _LINE if text else 0.0


def _grid_size(n: int, ncols: int, tile_size: float, room: int, head: float) -> tuple[float, float]:
    """Inches of a figure that holds a grid of n tiles below a title ``head`` inches high."""
    pixel = tile_size / (_TILE + _GAP)
    rows, columns = _mosaic_shape(n, ncols, room)
    return columns * pixel + 2 * _MARGIN, rows * pixel + head + 2 * _MARGIN


def _mosaic_shape(n: int, ncols: int, room: int, width: int = _TILE, gap: int = _GAP) -> tuple[int, int]:
    """Rows and columns of the mosaic of n tiles ``width`` wide, ``room`` pixels above each for its title."""
    nrows = -(-n // ncols)
    return nrows * (room + _TILE + _GAP) - _GAP, ncols * (width + gap) - gap


def _mosaic(tiles: np.ndarray, ncols: int, room: int, gap: int = _GAP) -> np.ndarray:
    """One array of the tiles pasted row by row, 0 (white) between them and where tiles are missing."""
    width = tiles.shape[2]
    mosaic = np.zeros(_mosaic_shape(len(tiles), ncols, room, width, gap))
    for i, tile in enumerate(tiles):
        top, left = _tile_corner(i, ncols, room, width, gap)
        mosaic[top : top + _TILE, left : left + width] = tile
    return mosaic


def _tile_corner(i: int, ncols: int, room: int, width: int = _TILE, gap: int = _GAP) -> tuple[int, int]:
    """Row and column of the mosaic where tile ``i`` starts."""
    row, column = divmod(i, ncols)
    return row * (room + _TILE + _GAP) + room, column * (width + gap)


def _draw_mosaic(
    ax: Axes,
    tiles: np.ndarray,
    titles: Sequence[str] | None,
    ncols: int,
    room: int,
    title_size: float,
    vmax: float,
    width: int = _TILE,
    gap: int = _GAP,
) -> None:
    """Show the tiles' mosaic on ``ax``, axis off, each title centred just above its tile."""
    ax.imshow(_mosaic(tiles, ncols, room, gap), cmap="gray_r", vmin=0, vmax=vmax, interpolation="nearest")
    ax.set_axis_off()
    for i, text in enumerate(titles or ()):
        top, left = _tile_corner(i, ncols, room, width, gap)
        # pixel centres are whole numbers: a tile spans left - 0.5 to left + width - 0.5
        ax.text(left + (width - 1) / 2, top - 0.5 - _PAD, text, ha="center", va="bottom", fontsize=title_size)
