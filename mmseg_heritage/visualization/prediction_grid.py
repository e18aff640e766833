"""Pictures of predictions: one row per image, image | ground truth | prediction | errors.

The errors panel shows the photograph in dimmed grey with every labelled pixel predicted
wrong in red; pixels without a label (255 in the ground truth) are drawn in a flat light grey,
in the ground truth panel too, since no prediction there is right or wrong.
"""
from pathlib import Path
from typing import TYPE_CHECKING, Sequence, Union

import cv2
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..class_names import CLASSES, IGNORE_INDEX, PALETTE, colourise
from .figure_files import save_figure

if TYPE_CHECKING:  # the apis import MMSeg's inferencer, which drawing does not need
    from ..apis.inference.sample_predictions import SamplePrediction

__all__ = ['colourise', 'error_map', 'prediction_grid', 'save_prediction_grid']

WRONG_COLOUR = (255, 0, 0)
IGNORED_COLOUR = (215, 215, 215)
# Grey level g of the photograph is drawn as g * DIM: dark enough for red to stand out, light
# enough to recognise the image.
DIM = 0.55
PANEL_INCHES = 2.6
LEGEND_COLUMNS = 5
COLUMNS = ('image', 'ground truth', 'prediction', 'errors')


def error_map(image: np.ndarray, ground_truth: np.ndarray, prediction: np.ndarray) -> np.ndarray:
    """Where a prediction is wrong, drawn over the image.

    Args:
        image (np.ndarray): HxWx3 RGB uint8.
        ground_truth (np.ndarray): HxW class ids, 255 where nothing is labelled.
        prediction (np.ndarray): HxW predicted class ids.

    Returns:
        np.ndarray: HxWx3 RGB uint8: the image in dimmed grey, labelled pixels predicted wrong
        in ``WRONG_COLOUR``, unlabelled pixels in ``IGNORED_COLOUR``.
    """
    if not image.shape[:2] == ground_truth.shape == prediction.shape:
        raise ValueError(f'image {image.shape[:2]}, ground truth {ground_truth.shape} and '
                         f'prediction {prediction.shape} differ in size')
    grey = np.round(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) * DIM).astype(np.uint8)
    errors = np.repeat(grey[..., None], 3, axis=2)
    ignored = ground_truth == IGNORE_INDEX
    errors[~ignored & (prediction != ground_truth)] = WRONG_COLOUR
    errors[ignored] = IGNORED_COLOUR
    return errors


def _draw_mask(mask: np.ndarray) -> np.ndarray:
    """The mask in the ARTeFACT palette, unlabelled pixels as in the errors panel."""
    picture = colourise(mask)
    picture[mask == IGNORE_INDEX] = IGNORED_COLOUR
    return picture


def _row_title(sample: 'SamplePrediction') -> str:
    if sample.mIoU is None:
        return f'{sample.name}: no labelled pixel'
    return f'{sample.name}: mIoU {sample.mIoU:.1f} %, accuracy {sample.accuracy:.1f} %'


def prediction_grid(samples: Sequence['SamplePrediction']) -> Figure:
    """A figure with one row per sample: image | ground truth | prediction | errors.

    Each row is titled with the sample's name and scores; one legend at the bottom names the
    classes present and the colours of the errors panel.

    Args:
        samples (Sequence[SamplePrediction]): What to draw, e.g. from
            :func:`mmseg_heritage.apis.inference.sample_predictions.sample_predictions`.

    Returns:
        matplotlib.figure.Figure: The figure (not attached to pyplot: nothing to close).
    """
    if not samples:
        raise ValueError('no samples to draw')
    present = set()
    for sample in samples:
        present |= set(np.unique(sample.ground_truth)) | set(np.unique(sample.prediction))
    handles = [Patch(color=np.array(PALETTE[c]) / 255, label=CLASSES[c])
               for c in sorted(present) if c < len(CLASSES)]
    handles += [Patch(color=np.array(WRONG_COLOUR) / 255, label='wrong'),
                Patch(facecolor=np.array(IGNORED_COLOUR) / 255, edgecolor='0.6',
                      label='ignored (not labelled)')]
    # Rows as high as their pictures (within limits), plus their title.
    heights = [PANEL_INCHES * min(max(s.image.shape[0] / s.image.shape[1], 0.3), 1.5) + 0.35
               for s in samples]
    legend_lines = -(-len(handles) // LEGEND_COLUMNS)
    fig = Figure(figsize=(len(COLUMNS) * PANEL_INCHES, sum(heights) + 0.2 * legend_lines + 0.2),
                 layout='constrained')
    rows = fig.subfigures(len(samples), 1, height_ratios=heights, squeeze=False)[:, 0]
    for index, (sample, row) in enumerate(zip(samples, rows)):
        row.suptitle(_row_title(sample), fontsize=10)
        pictures = (sample.image, _draw_mask(sample.ground_truth), _draw_mask(sample.prediction),
                    error_map(sample.image, sample.ground_truth, sample.prediction))
        for axes, picture, column in zip(row.subplots(1, len(COLUMNS)), pictures, COLUMNS):
            # Masks drawn pixel by pixel keep their palette colours when shrunk.
            axes.imshow(picture, interpolation='antialiased' if column in ('image', 'errors')
                        else 'nearest')
            # A thin frame instead of axes: unlabelled light grey must not merge into the page.
            axes.set_xticks([])
            axes.set_yticks([])
            axes.spines[:].set_color('0.8')
            if index == 0:
                axes.set_title(column, fontsize=9, color='0.3')
    fig.legend(handles=handles, loc='outside lower center', ncol=LEGEND_COLUMNS, fontsize=8,
               frameon=False)
    return fig


def save_prediction_grid(samples: Sequence['SamplePrediction'],
                         path: Union[str, Path]) -> None:
    """Write :func:`prediction_grid` of ``samples`` to ``path`` (PNG), atomically.

    Args:
        samples (Sequence[SamplePrediction]): What to draw.
        path (str | Path): Output PNG file.
    """
    save_figure(prediction_grid(samples), path)
