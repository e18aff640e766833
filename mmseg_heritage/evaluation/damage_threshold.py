"""The damage threshold of a damage-first model (``DamageFirstFCNHead``), chosen on a split.

A model trained on a few hundred photographs is not calibrated: on validation scans of
photographs it never trained on, the share of pixels where damage is more probable than not
can be a third of the true damaged share. The threshold that gives the best damage-against-
clean IoU on the validation split is the one to predict with.
"""
from typing import Iterable, Tuple

import numpy as np
import torch

BINS = 200


def damage_probability_histograms(model, dataloader: Iterable,
                                  bins: int = BINS) -> Tuple[np.ndarray, np.ndarray]:
    """Histograms of the predicted probability of damage over a split: of its damaged pixels
    and of its clean ones (pixels labelled 255 left out).

    Args:
        model: A segmentor whose decode head is a ``DamageFirstFCNHead``.
        dataloader: The split's loader (its samples carry their annotations).
        bins (int): Bins over [0, 1]. Defaults to 200.

    Returns:
        tuple[np.ndarray, np.ndarray]: Pixel counts per bin, damaged and clean.
    """
    head = model.decode_head
    threshold, head.damage_threshold = head.damage_threshold, 0.5  # scores: log-probabilities
    damaged, clean = np.zeros(bins), np.zeros(bins)
    model.eval()
    try:
        with torch.no_grad():
            for data in dataloader:
                for sample in model.test_step(data):
                    p_damage = 1 - sample.seg_logits.data[0].exp().cpu().numpy()
                    truth = sample.gt_sem_seg.data[0].cpu().numpy()
                    known = truth != 255
                    is_damage = known & (truth > 0)
                    damaged += np.histogram(p_damage[is_damage], bins, (0, 1))[0]
                    clean += np.histogram(p_damage[known & ~is_damage], bins, (0, 1))[0]
    finally:
        head.damage_threshold = threshold
    return damaged, clean


def best_damage_threshold(damaged: np.ndarray, clean: np.ndarray) -> Tuple[float, float]:
    """The threshold, a bin edge strictly between 0 and 1, whose damage-against-clean IoU on
    the histograms is best, and that IoU (0-1).

    Pixels at or above the threshold count as predicted damage.
    """
    bins = len(damaged)
    hits = damaged[::-1].cumsum()[::-1]  # damaged pixels at or above each bin's lower edge
    false_alarms = clean[::-1].cumsum()[::-1]
    iou = hits / np.maximum(damaged.sum() + false_alarms, 1)  # TP / (TP + FN + FP)
    best = 1 + int(iou[1:].argmax())
    return best / bins, float(iou[best])
