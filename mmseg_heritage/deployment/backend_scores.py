"""Scores of several inferencers (PyTorch, ONNX Runtime fp32 and int8) on the same images of a
dataset split, scored as ``ArtefactMetric`` scores a split, and how often they agree."""
from pathlib import Path
from typing import Dict, Sequence, Tuple

import numpy as np

from ..apis import read_image
from ..datasets.image_decoding import read_mask_file
from ..evaluation.metrics.artefact_metric import confusion_matrix, scores_from_confusion


def score_backends(inferencers: Dict[str, object], files: Sequence[Tuple[Path, Path]]) -> dict:
    """mIoU and aAcc of each inferencer over ``files``, from one confusion matrix per
    inferencer over all images (background 255 left out), and each one's share of labels equal
    to the first inferencer's.

    Args:
        inferencers (dict): Name to an inferencer with ``predict`` and ``classes``; the first
            is the reference for the agreement.
        files (Sequence): (image, annotation) pairs, e.g. from
            :func:`~mmseg_heritage.datasets.preparation.split_files`.

    Returns:
        dict: ``images`` and, per name, ``mIoU`` and ``aAcc`` (percent, as ``ArtefactMetric``
        gives them; None without labelled pixels), ``label_agreement`` with the first (share
        of all pixels) and ``mIoU_difference`` from the first (points).
    """
    names = list(inferencers)
    classes = list(inferencers[names[0]].classes)
    confusion = {name: np.zeros((len(classes), ) * 2, dtype=np.int64) for name in names}
    equal = dict.fromkeys(names, 0)
    pixels = 0
    for image_path, annotation_path in files:
        image, truth = read_image(image_path), read_mask_file(annotation_path)
        reference = None
        for name in names:
            labels = inferencers[name].predict(image)
            confusion[name] += confusion_matrix(truth, labels, len(classes))
            reference = labels if reference is None else reference
            equal[name] += int((labels == reference).sum())
        pixels += truth.size
    result = dict(images=len(files))
    for name in names:
        scores = scores_from_confusion(confusion[name], classes)
        result[name] = dict(mIoU=scores['mIoU'], aAcc=scores['aAcc'],
                            label_agreement=round(equal[name] / pixels, 6))
    first = result[names[0]]['mIoU']
    for name in names:
        mine = result[name]['mIoU']
        result[name]['mIoU_difference'] = (None if first is None or mine is None else
                                           round(mine - first, 4))
    return result
