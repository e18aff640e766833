"""Damage-first prediction: damage where the damage classes together are more probable than a
threshold, then its most probable kind; for any MMSeg decode head.

A plain argmax compares Clean with each damage class alone: where a crack's probability is
shared among Cracks, Scratch and Hair, which look alike, Clean wins although damage is more
probable than not. :func:`damage_first_scores` turns a head's logits into scores whose argmax
is the damage-first decision, so every MMSeg path that takes the argmax (``tools/test.py``,
the inferencers, sliding windows, the ONNX export) predicts damage first;
:func:`damage_probability` reads the probability of damage back from such scores.
:class:`DamageFirstPrediction` makes a decode head predict them.
"""
import math

import torch
from torch import Tensor


def check_damage_threshold(damage_threshold: float) -> float:
    """``damage_threshold``, if it is a probability strictly between 0 and 1."""
    if not 0 < damage_threshold < 1:
        raise ValueError(f'damage_threshold must lie between 0 and 1, got {damage_threshold}')
    return damage_threshold


def _log_odds(damage_threshold: float) -> float:
    check_damage_threshold(damage_threshold)
    return math.log(damage_threshold / (1 - damage_threshold))


def damage_first_scores(logits: Tensor, damage_threshold: float = 0.5) -> Tensor:
    """Scores whose argmax decides damage before its kind.

    A pixel is damage where the damage classes together are more probable than
    ``damage_threshold`` (by default: more probable than Clean, class 0), and then of its most
    probable damage class.

    Returns ``log P(Clean) + logit(damage_threshold)`` for Clean and, for damage class ``f``,
    ``log P(damage) + log p(f) - log max_g p(g)`` (``g`` over the damage classes): the most
    probable damage class scores ``log P(damage)``, the others less, and it beats Clean exactly
    where ``P(damage) > damage_threshold``. N x C x H x W, float32.
    """
    log_odds = _log_odds(damage_threshold)
    log_p = logits.float().log_softmax(dim=1)
    clean, damage = log_p[:, :1], log_p[:, 1:]
    any_damage = torch.logsumexp(damage, dim=1, keepdim=True)
    clean = clean + log_odds
    return torch.cat([clean, any_damage + damage - damage.amax(dim=1, keepdim=True)], dim=1)


def damage_probability(scores: Tensor, damage_threshold: float = 0.5) -> Tensor:
    """The probability of damage (all damage classes together) per pixel, read back from
    :func:`damage_first_scores` of the same ``damage_threshold``: ``1 - P(Clean)``.

    Args:
        scores (Tensor): Damage-first scores, N x C x H x W (or their average over sliding
            windows, whose Clean score is then the mean ``log P(Clean)`` plus the same offset).
        damage_threshold (float): The threshold the scores were made with. Defaults to 0.5.

    Returns:
        Tensor: N x H x W, float32.
    """
    return 1 - (scores[:, 0].float() - _log_odds(damage_threshold)).exp()


class DamageFirstPrediction:
    """Makes an MMSeg decode head predict damage first; list it before the head's class
    (``class MyHead(DamageFirstPrediction, FCNHead)``).

    Training and the weights stay the head's (a checkpoint of one loads into the other); at
    prediction the head's logits become :func:`damage_first_scores`. Calibration
    (:mod:`mmseg_heritage.evaluation.damage_threshold`) recognises such a head by its
    :meth:`damage_probability`.

    Args:
        damage_threshold (float): The probability of damage (all damage classes together)
            above which a pixel is damage. Defaults to 0.5: damage where it is more probable
            than Clean. :func:`mmseg_heritage.evaluation.set_damage_threshold` sets the one
            chosen on a validation split.
        **kwargs: The decode head's arguments.
    """

    def __init__(self, damage_threshold: float = 0.5, **kwargs) -> None:
        super().__init__(**kwargs)
        self.damage_threshold = check_damage_threshold(damage_threshold)

    def predict_by_feat(self, seg_logits: Tensor, batch_img_metas) -> Tensor:
        """The head's logits resized to the images (its own ``predict_by_feat``), as
        damage-first scores."""
        return damage_first_scores(super().predict_by_feat(seg_logits, batch_img_metas),
                                   self.damage_threshold)

    def damage_probability(self, seg_logits: Tensor) -> Tensor:
        """The probability of damage per pixel (N x H x W) of the ``seg_logits`` this head
        predicted (its ``predict``, a segmentor's ``test_step``, sliding windows included)."""
        return damage_probability(seg_logits, self.damage_threshold)
