"""The damage threshold of a damage-first model, chosen on a split, and set where it is used.

A model trained on a few hundred photographs is not calibrated: on validation scans of
photographs it never trained on, the share of pixels where damage is more probable than not
can be a third of the true damaged share. The threshold that gives the best damage-against-
clean IoU on the validation split is the one to predict with. A model predicts damage first
where its decode head can say the probability of damage of its predictions
(``damage_probability``, as
:class:`~mmseg_heritage.models.decode_heads.damage_first_prediction.DamageFirstPrediction`
gives it).
"""
from typing import Iterable, NamedTuple, Optional, Tuple

import numpy as np
import torch
from mmengine.config import Config

from ..models.decode_heads.damage_first_prediction import check_damage_threshold

BINS = 200


class DamageThreshold(NamedTuple):
    """A damage threshold chosen on a split.

    Attributes:
        value (float): The probability of damage above which a pixel is damage.
        iou (float): The damage-against-clean IoU (0-1) it gives on the split.
    """
    value: float
    iou: float


def predicts_damage_first(model) -> bool:
    """Whether the segmentor's decode head predicts damage first: it can say the probability
    of damage of its predictions."""
    return callable(getattr(model.decode_head, 'damage_probability', None))


def damage_probability_histograms(model, dataloader: Iterable,
                                  bins: int = BINS) -> Tuple[np.ndarray, np.ndarray]:
    """Histograms of the predicted probability of damage over a split: of its damaged pixels
    and of its clean ones (pixels labelled 255 left out).

    Args:
        model: A segmentor whose decode head predicts damage first.
        dataloader: The split's loader (its samples carry their annotations).
        bins (int): Bins over [0, 1]. Defaults to 200.

    Returns:
        tuple[np.ndarray, np.ndarray]: Pixel counts per bin, damaged and clean.
    """
    head = model.decode_head
    damaged, clean = np.zeros(bins), np.zeros(bins)
    model.eval()
    with torch.no_grad():
        for data in dataloader:
            for sample in model.test_step(data):
                p_damage = head.damage_probability(sample.seg_logits.data[None])[0]
                p_damage = p_damage.cpu().numpy()
                truth = sample.gt_sem_seg.data[0].cpu().numpy()
                known = truth != 255
                is_damage = known & (truth > 0)
                damaged += np.histogram(p_damage[is_damage], bins, (0, 1))[0]
                clean += np.histogram(p_damage[known & ~is_damage], bins, (0, 1))[0]
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


def calibrate_damage_threshold(model, dataloader: Iterable) -> Optional[DamageThreshold]:
    """The damage threshold with the best damage-against-clean IoU on a split, or None for a
    model that does not predict damage first. The model is left as it was.

    Args:
        model: A segmentor.
        dataloader: The split's loader (its samples carry their annotations).
    """
    if not predicts_damage_first(model):
        return None
    return DamageThreshold(*best_damage_threshold(
        *damage_probability_histograms(model, dataloader)))


def set_damage_threshold(model, cfg: Config, value: float) -> None:
    """Set the damage threshold of a damage-first model and of its config, which is what
    gets published: the two never disagree.

    Args:
        model: A segmentor whose decode head predicts damage first.
        cfg (Config): The model's config; ``cfg.model.decode_head.damage_threshold`` is set.
        value (float): The threshold, strictly between 0 and 1.
    """
    if not predicts_damage_first(model):
        raise TypeError(f'{type(model.decode_head).__name__} does not predict damage first '
                        '(it has no damage_probability): it has no damage threshold to set')
    model.decode_head.damage_threshold = cfg.model.decode_head.damage_threshold = \
        check_damage_threshold(value)
