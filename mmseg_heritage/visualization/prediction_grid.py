from typing import Sequence, Tuple

import matplotlib

matplotlib.use('Agg')  # pictures are written to files; no screen on training machines
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from ..datasets.artefact import CLASSES, IGNORE_INDEX, PALETTE  # noqa: E402
from ..datasets.layout import colourise  # noqa: E402


def save_prediction_grid(rows: Sequence[Tuple[str, np.ndarray, np.ndarray, np.ndarray]],
                         path: str) -> None:
    """Save a picture with one row per image: image | ground truth | prediction.

    Args:
        rows: ``(title, rgb_image, gt_mask, pred_mask)`` per image; masks hold class ids.
        path (str): Output image file (PNG recommended).
    """
    fig, axes = plt.subplots(len(rows), 3, figsize=(9, 3 * len(rows)), squeeze=False)
    present = set()
    for (title, image, gt, pred), ax in zip(rows, axes):
        for a, picture, name in zip(ax, (image, colourise(gt), colourise(pred)),
                                    (title, 'ground truth', 'prediction')):
            a.imshow(picture)
            a.set_title(name, fontsize=9)
            a.axis('off')
        present |= set(np.unique(gt)) | set(np.unique(pred))
    handles = [Patch(color=np.array(PALETTE[c]) / 255, label=CLASSES[c])
               for c in sorted(present) if c != IGNORE_INDEX]
    fig.legend(handles=handles, loc='lower center', ncol=4, fontsize=8)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.savefig(path, dpi=100)
    plt.close(fig)
