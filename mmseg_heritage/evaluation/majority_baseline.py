"""Scores of predicting the split's most frequent class everywhere: what a model has to beat."""
import os
from typing import Iterable, Sequence, Union

import cv2
import numpy as np

from ..class_names import CLASSES
from ..utils.pixel_counts import count_pixels
from .metrics.artefact_metric import scores_from_confusion


def majority_baseline(annotations: Iterable[Union[str, os.PathLike]],
                      classes: Sequence[str] = CLASSES) -> dict:
    """Scores of predicting the most frequent class of a split on every labelled pixel.

    Scored as ``ArtefactMetric`` scores a split: one confusion matrix over all masks (255
    ignored), classes absent from the split left out of the mean. The majority class's IoU is
    then its pixel share and every other present class scores 0.

    Args:
        annotations (Iterable[str | PathLike]): The split's masks of class ids.
        classes (Sequence[str]): Class names. Defaults to the ARTeFACT classes.

    Returns:
        dict: ``class_name`` (the majority class), ``aAcc`` and ``mIoU`` in percent, rounded
        to two decimals.
    """
    counts = np.zeros(len(classes), np.int64)
    for path in annotations:
        counts += count_pixels(cv2.imread(str(path), cv2.IMREAD_UNCHANGED))[:len(classes)]
    majority = int(counts.argmax())
    confusion = np.zeros((len(classes), len(classes)), np.int64)
    confusion[:, majority] = counts
    scores = scores_from_confusion(confusion, classes)
    return dict(class_name=classes[majority], aAcc=round(scores['aAcc'], 2),
                mIoU=round(scores['mIoU'], 2))
