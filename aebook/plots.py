"""Figures shared by several chapters: grids of digits."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure, SubFigure

__all__ = ["digit_grid", "originals_and_reconstructions"]


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
    drawn on the same scale.
    """
    images = np.asarray(images, dtype=float).reshape(-1, 28, 28)
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"{len(titles)} titles for {len(images)} images")
    vmax = vmax if vmax is not None else (images.max() or 1.0)
    nrows = -(-len(images) // ncols)
    if fig is None:
        height = nrows * tile_size * (1.25 if titles is not None else 1.0) + (0.5 if title else 0.0)
        fig = plt.figure(figsize=(ncols * tile_size, height), facecolor="white", layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        ax.set_xticks([])  # no ticks to lay out: a 50-tile grid draws in about half the time
        ax.set_yticks([])
        ax.set_axis_off()
        if i >= len(images):
            continue
        ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=vmax, interpolation="nearest")
        if titles is not None:
            ax.set_title(titles[i], fontsize=title_size, pad=3)
    if title:
        fig.suptitle(title, fontsize=title_size + 2)
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
    originals = np.asarray(originals, dtype=float)
    vmax = float(originals.max()) or 1.0
    reconstructions = np.clip(np.asarray(reconstructions, dtype=float), 0, vmax)
    if len(reconstructions) != len(originals):
        raise ValueError(f"{len(originals)} originals but {len(reconstructions)} reconstructions")
    nrows = -(-len(originals) // ncols)
    tile = 0.09 * title_size  # inches: a tile is as wide as a title of about ten characters
    size = (2 * ncols * tile + 0.6, nrows * tile * 1.25 + 1.2)
    fig = plt.figure(figsize=size, facecolor="white", layout="constrained")
    left, right = fig.subfigures(1, 2, wspace=0.04)  # type: ignore[misc]  # an array of two
    for sub, images, label in ((left, originals, "original"), (right, reconstructions, "reconstruction")):
        digit_grid(images, titles, ncols=ncols, fig=sub, title_size=title_size, vmax=vmax)
        sub.suptitle(label, fontsize=title_size + 2)
    if title:
        fig.suptitle(title, fontsize=title_size + 4, fontweight="bold")
    return fig
