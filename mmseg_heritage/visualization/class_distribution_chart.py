"""How the labelled pixels of a dataset divide among the classes, overall and per material."""
import json
from os import PathLike
from typing import Union

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from .class_scores_chart import class_colour

# What every statistics.json (mmseg_heritage/datasets/preparation/statistics.py) holds.
_REQUIRED_KEYS = ('version', 'classes', 'num_images', 'pixels', 'pixel_share')


def read_statistics(path: Union[str, PathLike]) -> dict:
    """A dataset's ``statistics.json``, checked to be one.

    Args:
        path (str | PathLike): The file.

    Returns:
        dict: Its content (layout in ``PixelStatistics.to_dict``).

    Raises:
        ValueError: If the file is not JSON or lacks the keys of a ``statistics.json``; the
            message names the file.
    """
    with open(path, 'rb') as f:
        try:
            statistics = json.load(f)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f'{path}: not valid JSON ({error})') from None
    missing = [key for key in _REQUIRED_KEYS if key not in statistics] \
        if isinstance(statistics, dict) else list(_REQUIRED_KEYS)
    if missing:
        raise ValueError(f'{path}: not a statistics.json (no {", ".join(missing)})')
    return statistics


def _share_bars(ax, statistics: dict) -> None:
    names = statistics['classes']
    for row, name in enumerate(names):
        share = 100 * statistics['pixel_share'].get(name, 0)
        if share <= 0:  # a log axis has no place for zero
            ax.text(0, row, '  none', transform=ax.get_yaxis_transform(), va='center',
                    color='0.4', style='italic', fontsize=9)
            continue
        ax.barh(row, share, height=0.7, color=class_colour(name), edgecolor='0.2',
                linewidth=0.6)
        ax.text(share * 1.15, row, f'{share:.3g} %', va='center', fontsize=8)
    ax.set_xscale('log')
    shares = [100 * s for s in statistics['pixel_share'].values() if s > 0]
    # Room on the right for the printed percentage of the largest class.
    ax.set_xlim(min(shares, default=0.01) / 3, max(shares, default=100) * 8)
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlabel('share of labelled pixels (%, log scale)')
    ax.set_title(f"{statistics['num_images']} images, "
                 f"{sum(statistics['pixels'].values()):,} labelled pixels", fontsize=10)
    ax.grid(axis='x', color='0.9')
    ax.set_axisbelow(True)


def _material_heatmap(fig: Figure, ax, statistics: dict) -> None:
    damage = statistics['classes'][1:]  # Clean is class 0
    materials = list(statistics['pixels_per_material'])
    counts = np.array([[statistics['pixels_per_material'][m].get(name, 0) for name in damage]
                       for m in materials], dtype=np.float64)
    labelled = np.array([sum(statistics['pixels_per_material'][m].values()) for m in materials])
    damaged = counts.sum(axis=1)
    with np.errstate(divide='ignore', invalid='ignore'):
        shares = 100 * counts / damaged[:, None]
    cmap = matplotlib.colormaps['YlOrRd'].with_extremes(bad='0.85')
    image = ax.imshow(shares, cmap=cmap, vmin=0, vmax=100, aspect='auto')
    for row, column in zip(*np.nonzero(np.nan_to_num(shares) >= 1)):
        value = shares[row, column]
        ax.text(column, row, f'{value:.0f}', ha='center', va='center', fontsize=8,
                color='white' if value > 60 else 'black')
    images = statistics.get('images_per_material', {})
    labels = []
    for material, total, damage_pixels in zip(materials, labelled, damaged):
        share = 100 * damage_pixels / total if total else 0
        number = f'{images[material]} img, ' if material in images else ''
        labels.append(f'{material} ({number}{share:.1f} % damage)')
    ax.set_yticks(range(len(materials)), labels)
    ax.set_xticks(range(len(damage)), damage, rotation=45, ha='right', rotation_mode='anchor')
    ax.set_title('damage classes per material (% of its damage pixels)', fontsize=10)
    fig.colorbar(image, ax=ax, shrink=0.8, label='% of the damage pixels')


def class_distribution_chart(statistics: dict, title: str = '') -> Figure:
    """Pixel share of each class (log scale) and, where counted, damage types per material.

    Args:
        statistics (dict): A dataset's ``statistics.json`` (see :func:`read_statistics`).
        title (str): Figure title. Defaults to ''.

    Returns:
        Figure: One panel of bars, plus a heat map of the damage classes' share of each
        material's damage pixels when ``statistics`` has ``pixels_per_material``.
    """
    names = statistics['classes']
    per_material = bool(statistics.get('pixels_per_material'))
    height = max(4.0, 0.3 * len(names) + 1.5)
    if per_material:
        fig = Figure(figsize=(16, height + 0.8), layout='constrained')
        bars_ax, heat_ax = fig.subplots(1, 2, width_ratios=(1, 1.6))
        _material_heatmap(fig, heat_ax, statistics)
    else:
        fig = Figure(figsize=(7, height), layout='constrained')
        bars_ax = fig.add_subplot()
    _share_bars(bars_ax, statistics)
    if title:
        fig.suptitle(title, x=0.01, ha='left', fontsize=11)
    return fig
