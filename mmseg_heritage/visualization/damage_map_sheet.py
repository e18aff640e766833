"""A sheet of photographs beside their damage maps, with the damaged share of each."""
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..class_names import CLASSES, PALETTE
from .damage_overlay import damage_overlay

PANEL_INCHES = 2.6


@dataclass
class DamageMap:
    """One photograph and what a model found on it.

    Attributes:
        name (str): What to call it (a file name).
        image (np.ndarray): HxWx3 RGB uint8.
        prediction (np.ndarray): HxW predicted class ids.
        true_damaged_percent (float, optional): Damaged share of the annotation, where one
            exists.
    """
    name: str
    image: np.ndarray
    prediction: np.ndarray
    true_damaged_percent: Optional[float] = None

    @property
    def damaged_percent(self) -> float:
        """Share of the photograph predicted as any damage, in percent."""
        return 100 * float(np.count_nonzero(self.prediction)) / max(self.prediction.size, 1)


def damage_map_sheet(maps: Sequence[DamageMap], columns: int = 4,
                     title: Optional[str] = None) -> Figure:
    """Pairs of panels, the photograph and its damage tinted in the class colours, titled with
    the predicted damaged share (and the true one where known); a legend of the classes found.
    """
    if not maps:
        raise ValueError('no damage maps to draw')
    columns = max(1, min(columns, len(maps)))
    rows = -(-len(maps) // columns)
    fig = Figure(figsize=(2 * columns * PANEL_INCHES, rows * PANEL_INCHES + 0.6))
    found = set()
    for index, item in enumerate(maps):
        overlay = damage_overlay(np.ascontiguousarray(item.image[..., ::-1]), item.prediction,
                                 PALETTE)[..., ::-1]
        caption = f'predicted {item.damaged_percent:.1f} % damaged'
        if item.true_damaged_percent is not None:
            caption += f'\ntrue {item.true_damaged_percent:.1f} %'
        for offset, (picture, label) in enumerate(((item.image, item.name),
                                                   (overlay, caption))):
            axes = fig.add_subplot(rows, 2 * columns, 2 * index + offset + 1)
            axes.imshow(picture)
            axes.set_title(label, fontsize=8)
            axes.axis('off')
        found.update(int(c) for c in np.unique(item.prediction) if 0 < c < len(CLASSES))
    if found:
        fig.legend(handles=[Patch(color=np.array(PALETTE[c]) / 255, label=CLASSES[c])
                            for c in sorted(found)], loc='lower center', ncol=min(8, len(found)),
                   fontsize=8, frameon=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.05 if found else 0, 1, 1))
    return fig
