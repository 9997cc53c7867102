"""Figures shared by several chapters: grids of digits."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure, SubFigure

__all__ = ["digit_grid", "originals_and_reconstructions"]


def digit_grid(
    images: np.ndarray,
    titles: Sequence[str] | None = None,
    ncols: int = 5,
    fig: Figure | SubFigure | None = None,
    title: str | None = None,
    tile_size: float = 1.3,
) -> Figure | SubFigure:
    """Draw 28x28 images (an array of shape (n, 28, 28) or (n, 784)) in a grid.

    Ink is dark on a white background, each tile optionally titled.
    """
    images = np.asarray(images, dtype=float).reshape(-1, 28, 28)
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"{len(titles)} titles for {len(images)} images")
    nrows = -(-len(images) // ncols)
    if fig is None:
        fig = plt.figure(figsize=(ncols * tile_size, nrows * tile_size * 1.15), facecolor="white")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= len(images):
            continue
        ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=images.max() or 1, interpolation="nearest")
        if titles is not None:
            ax.set_title(titles[i], fontsize=9, pad=2)
    if title:
        fig.suptitle(title, fontsize=12)
    return fig


def originals_and_reconstructions(
    originals: np.ndarray,
    reconstructions: np.ndarray,
    titles: Sequence[str] | None = None,
    title: str | None = None,
    ncols: int = 5,
) -> Figure:
    """Two digit grids side by side: the inputs and what the model made of them."""
    n = len(originals)
    nrows = -(-n // ncols)
    fig = plt.figure(figsize=(2 * ncols * 1.3 + 0.6, nrows * 1.3 * 1.15 + 0.6), facecolor="white", layout="constrained")
    left, right = fig.subfigures(1, 2, wspace=0.04)  # type: ignore[misc]  # an array of two
    digit_grid(originals, titles, ncols=ncols, fig=left, title="original")
    digit_grid(reconstructions, titles, ncols=ncols, fig=right, title="reconstruction")
    if title:
        fig.suptitle(title, fontsize=14, fontweight="bold")
    return fig
