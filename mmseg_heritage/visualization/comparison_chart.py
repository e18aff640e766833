"""Per-class IoU of several runs side by side."""
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..evaluation.run_comparison import CLASS_IOU_PREFIX


def comparison_chart(rows: Sequence[dict]) -> Figure:
    """Grouped horizontal bars: per class one bar per run, each run in its own colour.

    Args:
        rows (Sequence[dict]): Rows from ``comparison_rows`` (``name``, ``mIoU`` and
            ``IoU.<class>`` are used).

    Returns:
        Figure: The chart; the legend gives each run's mIoU. A class no run has ground truth
        of is labelled '(absent)'.
    """
    if not rows:
        raise ValueError('no runs to compare')
    classes = [key[len(CLASS_IOU_PREFIX):] for key in rows[0] if key.startswith(CLASS_IOU_PREFIX)]
    runs = len(rows)
    height = 0.8 / runs  # the runs' bars of one class fill 80 % of its slot
    fig = Figure(figsize=(8, 1.5 + len(classes) * (0.25 + 0.16 * runs)), layout='constrained')
    ax = fig.add_subplot()
    for index, row in enumerate(rows):
        values = [row[CLASS_IOU_PREFIX + name] for name in classes]
        positions = [slot - 0.4 + height * (index + 0.5)
                     for slot, value in enumerate(values) if value is not None]
        mean = '—' if row['mIoU'] is None else f"{row['mIoU']:.1f}"
        ax.barh(positions, [v for v in values if v is not None], height=height,
                color=f'C{index % 10}', label=f"{row['name']} (mIoU {mean})")
    absent = [all(row[CLASS_IOU_PREFIX + name] is None for row in rows) for name in classes]
    ax.set_yticks(range(len(classes)),
                  [f'{name} (absent)' if gone else name for name, gone in zip(classes, absent)])
    ax.set_ylim(len(classes) - 0.5, -0.5)
    # Light lines between the classes' groups of bars.
    for boundary in np.arange(0.5, len(classes) - 0.5):
        ax.axhline(boundary, color='0.9', linewidth=0.8)
    ax.set_xlim(0, 100)
    ax.set_xlabel('IoU (%)')
    ax.grid(axis='x', color='0.9')
    ax.set_axisbelow(True)
    ax.legend(loc='upper center', bbox_to_anchor=(0.5, -0.06 - 0.4 / len(classes)),
              ncol=min(runs, 2), frameon=False, fontsize=9)
    ax.set_title('per-class IoU', loc='left', fontsize=11)
    return fig
