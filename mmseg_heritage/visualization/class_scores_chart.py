"""Bar chart of one per-class score of a ``metrics.json`` (IoU, Dice, precision, recall...)."""
from typing import Tuple

import numpy as np
from matplotlib.figure import Figure

from ..class_names import BINARY_CLASSES, CLASSES, DEFAULT_COARSE_GROUPS, PALETTE
from ..evaluation.metrics.artefact_metric import PER_CLASS

_DAMAGE_RED = (0.84, 0.15, 0.16)
_OTHER_GREY = (0.6, 0.6, 0.6)


def class_colour(name: str) -> Tuple[float, float, float]:
    """The RGB colour (0-1) of a class name of any level.

    Fine classes get their ARTeFACT palette colour, a coarse damage group that of its first
    fine class, the binary ``Damage`` class red and unknown names grey.
    """
    if name in CLASSES:
        return tuple(np.array(PALETTE[CLASSES.index(name)]) / 255)
    if name in DEFAULT_COARSE_GROUPS:
        return class_colour(CLASSES[DEFAULT_COARSE_GROUPS[name][0]])
    if name == BINARY_CLASSES[1]:
        return _DAMAGE_RED
    return _OTHER_GREY


def text_colour(background: Tuple[float, float, float]) -> str:
    """Black or white, whichever is easier to read on ``background`` (RGB, 0-1)."""
    luminance = 0.299 * background[0] + 0.587 * background[1] + 0.114 * background[2]
    return 'black' if luminance > 0.5 else 'white'


def class_scores_chart(scores: dict, title: str = '', metric: str = 'IoU') -> Figure:
    """Horizontal bars of one score per class, in class order from the top.

    Classes without ground-truth pixels in the split are labelled 'absent' instead of a bar;
    a dashed line marks the mean over the present classes (e.g. ``mIoU``) where ``scores``
    holds it.

    Args:
        scores (dict): One score block of a ``metrics.json`` (``metrics['overall']``,
            ``['binary']``, ``['coarse']`` or one domain of ``['per_material']``), see
            docs/metrics_schema.md.
        title (str): Figure title. Defaults to ''.
        metric (str): Per-class key to plot: one of ``IoU``, ``Dice``, ``F1``, ``precision``,
            ``recall``, ``accuracy``. Defaults to 'IoU'.

    Returns:
        Figure: The chart.
    """
    if metric not in PER_CLASS:
        raise ValueError(f'unknown metric {metric!r}; one of {", ".join(PER_CLASS)}')
    classes = scores['classes']
    names = list(classes)
    fig = Figure(figsize=(7, max(2.6, 1.4 + 0.32 * len(names))), layout='constrained')
    ax = fig.add_subplot()
    for row, name in enumerate(names):
        value = classes[name].get(metric)
        if not classes[name].get('present', True) or value is None:
            ax.text(1, row, 'absent', va='center', color='0.4', style='italic', fontsize=9)
            continue
        ax.barh(row, value, height=0.7, color=class_colour(name), edgecolor='0.2',
                linewidth=0.6)
        if value > 90:  # inside the bar's end, where the axes' edge would cross it
            ax.text(value - 1, row, f'{value:.1f}', va='center', ha='right', fontsize=9,
                    color=text_colour(class_colour(name)))
        else:
            ax.text(value + 1, row, f'{value:.1f}', va='center', fontsize=9)
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(len(names) - 0.5, -0.5)  # first class at the top
    ax.set_xlim(0, 100)
    ax.set_xlabel(f'{metric} (%)')
    ax.grid(axis='x', color='0.9')
    ax.set_axisbelow(True)
    mean_key = 'm' + metric[0].upper() + metric[1:]
    if scores.get(mean_key) is not None:
        ax.axvline(scores[mean_key], color='0.25', linestyle='--', linewidth=1.2,
                   label=f'{mean_key} {scores[mean_key]:.1f}')
        # Above the axes, so the legend never hides a bar or its value.
        ax.legend(loc='lower right', bbox_to_anchor=(1, 1), frameon=False, fontsize=9)
    if title:  # a figure title sits above the legend, so a long one never runs into it
        fig.suptitle(title, x=0.01, ha='left', fontsize=11)
    return fig
