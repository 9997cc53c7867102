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

__all__ = ["digit_grid", "originals_and_reconstructions"]

_TILE = 28  # pixels of a digit's side
_GAP = 5  # white mosaic pixels between two tiles, side by side or one above the other's title
_PAD = 2  # mosaic pixels between a tile and its title
_LINE = 1.35 / 72  # inches of height a line of text takes per point of font size
_MARGIN = 0.1  # inches of white around a grid
_BETWEEN = 0.3  # inches between the originals and the reconstructions


def digit_grid(
    images: np.ndarray | Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    ncols: int = 5,
    fig: Figure | SubFigure | None = None,
    title: str | None = None,
    tile_size: float = 1.3,
    title_size: float = 11,
    vmax: float | None = None,
) -> Figure | SubFigure:
    """Draw 28x28 images (shape (n, 28, 28) or (n, 784)) in a grid, dark ink on white.

    Each tile is optionally titled (``title_size`` points). Gray levels run from 0 to
    ``vmax`` (default: the largest value shown), so grids that share a ``vmax`` are
    drawn on the same scale. A new figure gives each column ``tile_size`` inches; in a
    given ``fig`` (a figure or subfigure) the grid is scaled to fit below ``title``.
    """
    tiles = _tiles(images, titles)
    vmax = vmax if vmax is not None else (tiles.max() or 1.0)
    pixel = tile_size / (_TILE + _GAP)  # inches per mosaic pixel
    room = _title_room(titles, title_size, pixel)
    head = _text_height(title, title_size + 2)
    if fig is None:
        size = _grid_size(len(tiles), ncols, tile_size, room, head)
        fig = plt.figure(figsize=size, facecolor="white")
    width, height = fig.bbox.size / fig.dpi
    rect = (_MARGIN / width, _MARGIN / height, 1 - 2 * _MARGIN / width, 1 - (2 * _MARGIN + head) / height)
    _draw_mosaic(fig.add_axes(rect, anchor="N"), tiles, titles, ncols, room, title_size, vmax)
    if title:
        fig.suptitle(title, y=1 - _MARGIN / height, fontsize=title_size + 2)
    return fig


def originals_and_reconstructions(
    originals: np.ndarray | Sequence[np.ndarray],
    reconstructions: np.ndarray | Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    title: str | None = None,
    ncols: int = 5,
    title_size: float = 12,
) -> Figure:
    """Two digit grids side by side: the inputs and what the model made of them.

    Both grids share the originals' gray scale; reconstructions, which may overshoot it
    a little, are clipped to it.
    """
    originals = _tiles(originals, titles)
    vmax = float(originals.max()) or 1.0
    reconstructions = np.clip(np.asarray(reconstructions, dtype=float), 0, vmax)
    if len(reconstructions) != len(originals):
        raise ValueError(f"{len(originals)} originals but {len(reconstructions)} reconstructions")
    tile_size = 0.09 * title_size  # inches: a column is as wide as a title of about ten characters
    room = _title_room(titles, title_size, tile_size / (_TILE + _GAP))
    label_head = _text_height("original", title_size + 2)
    width, height = _grid_size(len(originals), ncols, tile_size, room, label_head)
    head = (_MARGIN + _text_height(title, title_size + 4)) if title else 0.0
    fig = plt.figure(figsize=(2 * width + _BETWEEN, head + height), facecolor="white")
    spec = fig.add_gridspec(2, 3, width_ratios=(width, _BETWEEN, width), height_ratios=(head, height))
    for column, images, label in ((0, originals, "original"), (2, reconstructions, "reconstruction")):
        sub = fig.add_subfigure(spec[1, column])
        digit_grid(images, titles, ncols, sub, label, tile_size, title_size, vmax)
    if title:
        fig.suptitle(title, y=1 - _MARGIN / fig.get_figheight(), fontsize=title_size + 4, fontweight="bold")
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


def _mosaic_shape(n: int, ncols: int, room: int) -> tuple[int, int]:
    """Rows and columns of the mosaic of n tiles, ``room`` pixels above each tile for its title."""
    nrows = -(-n // ncols)
    return nrows * (room + _TILE + _GAP) - _GAP, ncols * (_TILE + _GAP) - _GAP


def _mosaic(tiles: np.ndarray, ncols: int, room: int) -> np.ndarray:
    """One array of the tiles pasted row by row, 0 (white) between them and where tiles are missing."""
    mosaic = np.zeros(_mosaic_shape(len(tiles), ncols, room))
    for i, tile in enumerate(tiles):
        top, left = _tile_corner(i, ncols, room)
        mosaic[top : top + _TILE, left : left + _TILE] = tile
    return mosaic


def _tile_corner(i: int, ncols: int, room: int) -> tuple[int, int]:
    """Row and column of the mosaic where tile ``i`` starts."""
    row, column = divmod(i, ncols)
    return row * (room + _TILE + _GAP) + room, column * (_TILE + _GAP)


def _draw_mosaic(
    ax: Axes,
    tiles: np.ndarray,
    titles: Sequence[str] | None,
    ncols: int,
    room: int,
    title_size: float,
    vmax: float,
) -> None:
    """Show the tiles' mosaic on ``ax``, axis off, each title centred just above its tile."""
    ax.imshow(_mosaic(tiles, ncols, room), cmap="gray_r", vmin=0, vmax=vmax, interpolation="nearest")
    ax.set_axis_off()
    for i, text in enumerate(titles or ()):
        top, left = _tile_corner(i, ncols, room)
        # pixel centres are whole numbers: a tile spans left - 0.5 to left + 27.5
        ax.text(left + (_TILE - 1) / 2, top - 0.5 - _PAD, text, ha="center", va="bottom", fontsize=title_size)
