"""Heat map of a confusion matrix, each ground-truth row as shares of its pixels."""
from typing import Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row divided by its sum; rows without any pixel are NaN.

    Args:
        matrix (np.ndarray): Pixel counts, rows ground truth, columns prediction.

    Returns:
        np.ndarray: float64 shares; row i, column j is the share of class i's pixels predicted
        as class j, so the diagonal is each class's recall.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    sums = matrix.sum(axis=1, keepdims=True)
    with np.errstate(divide='ignore', invalid='ignore'):
        shares = matrix / sums
    shares[sums[:, 0] == 0] = np.nan
    return shares


def confusion_heatmap(classes: Sequence[str], matrix: np.ndarray, title: str = '') -> Figure:
    """Row-normalised confusion matrix: where the pixels of each ground-truth class went.

    Cells of 0.01 and more carry their value; classes with no ground-truth pixel get a grey,
    hatched row and '(absent)' after their name.

    Args:
        classes (Sequence[str]): Class names of the rows and columns.
        matrix (np.ndarray): Pixel counts, rows ground truth, columns prediction (as
            ``confusion_matrix.csv`` holds them).
        title (str): Figure title. Defaults to ''.

    Returns:
        Figure: The heat map.
    """
    shares = normalise_rows(matrix)
    count = len(classes)
    if shares.shape != (count, count):
        raise ValueError(f'a {shares.shape} matrix for {count} classes')
    side = max(3.5, 0.5 * count + 1.5)
    fig = Figure(figsize=(side + 1.6, side), layout='constrained')
    ax = fig.add_subplot()
    cmap = matplotlib.colormaps['Blues'].with_extremes(bad='0.85')
    image = ax.imshow(shares, cmap=cmap, vmin=0, vmax=1)
    absent = np.isnan(shares).all(axis=1)
    for row in np.flatnonzero(absent):
        ax.add_patch(Rectangle((-0.5, row - 0.5), count, 1, fill=False, hatch='///',
                               edgecolor='0.6', linewidth=0))
    fontsize = 8 if count > 8 else 11
    for row, column in zip(*np.nonzero(np.nan_to_num(shares) >= 0.01)):
        value = shares[row, column]
        ax.text(column, row, f'{value:.2f}', ha='center', va='center', fontsize=fontsize,
                color='white' if value > 0.6 else 'black')
    ax.set_xticks(range(count), classes, rotation=45, ha='right', rotation_mode='anchor')
    ax.set_yticks(range(count),
                  [f'{name} (absent)' if empty else name for name, empty in zip(classes, absent)])
    ax.set_xlabel('prediction')
    ax.set_ylabel('ground truth')
    fig.colorbar(image, ax=ax, shrink=0.8, label="share of the ground-truth class's pixels")
    if title:
        ax.set_title(title, loc='left', fontsize=11)
    return fig
