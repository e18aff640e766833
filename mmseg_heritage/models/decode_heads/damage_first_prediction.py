"""Damage-first prediction: damage where the damage classes together are more probable than a
threshold, then its most probable kind; for any MMSeg decode head.

A plain argmax compares Clean with each damage class alone: where a crack's probability is
shared among Cracks, Scratch and Hair, which look alike, Clean wins although damage is more
probable than not. :func:`damage_first_scores` turns a head's logits into scores whose argmax
is the damage-first decision, so every MMSeg path that takes the argmax (``tools/test.py``,
the inferencers, sliding windows, the ONNX export) predicts damage first;
:func:`damage_probability` reads the probability of damage back from such scores.
:class:`DamageFirstPrediction` makes a decode head predict them.

Which kind a damaged pixel gets can take a bias per kind (``kind_bias``, added to the kinds'
log-probabilities before the most probable is taken): a model that learnt to call most hairs
scratches names them better with a bias chosen on a validation split
(:mod:`mmseg_heritage.evaluation.kind_bias`). It never changes which pixels are damaged.
"""
import math
from typing import Optional, Sequence, Tuple

import torch
from torch import Tensor


def check_damage_threshold(damage_threshold: float) -> float:
    """``damage_threshold``, if it is a probability strictly between 0 and 1."""
    if not 0 < damage_threshold < 1:
        raise ValueError(f'damage_threshold must lie between 0 and 1, got {damage_threshold}')
    return damage_threshold


def check_kind_bias(kind_bias: Optional[Sequence[float]],
                    num_classes: Optional[int] = None) -> Optional[Tuple[float, ...]]:
    """``kind_bias`` as a tuple of finite floats, one per damage class (``num_classes - 1``,
    where given), or None."""
    if kind_bias is None:
        return None
    bias = tuple(float(value) for value in kind_bias)
    if not all(math.isfinite(value) for value in bias):
        raise ValueError(f'kind_bias must be finite numbers, got {list(kind_bias)}')
    if num_classes is not None and len(bias) != num_classes - 1:
        raise ValueError(f'kind_bias needs one value per damage class ({num_classes - 1}), '
                         f'got {len(bias)}')
    return bias


def _log_odds(damage_threshold: float) -> float:
    check_damage_threshold(damage_threshold)
    return math.log(damage_threshold / (1 - damage_threshold))


def damage_first_scores(logits: Tensor, damage_threshold: float = 0.5,
                        kind_bias: Optional[Sequence[float]] = None) -> Tensor:
    """Scores whose argmax decides damage before its kind.

    A pixel is damage where the damage classes together are more probable than
    ``damage_threshold`` (by default: more probable than Clean, class 0), and then of its most
    probable damage class, after ``kind_bias`` (one value per damage class, default none) is
    added to their log-probabilities.

    Returns ``log P(Clean) + logit(damage_threshold)`` for Clean and, for damage class ``f``,
    ``log P(damage) + s(f) - max_g s(g)`` with ``s(f) = log p(f) + kind_bias(f)`` (``g`` over
    the damage classes): the chosen kind scores ``log P(damage)``, the others less, and it
    beats Clean exactly where ``P(damage) > damage_threshold``. N x C x H x W, float32.
    """
    log_odds = _log_odds(damage_threshold)
    log_p = logits.float().log_softmax(dim=1)
    clean, damage = log_p[:, :1], log_p[:, 1:]
    any_damage = torch.logsumexp(damage, dim=1, keepdim=True)
    bias = check_kind_bias(kind_bias, logits.shape[1])
    if bias is not None:
        damage = damage + damage.new_tensor(bias).view(1, -1, 1, 1)
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


def damage_kind_scores(scores: Tensor, kind_bias: Optional[Sequence[float]] = None) -> Tensor:
    """The damage classes' log-probabilities per pixel, each less the same amount, read back
    from :func:`damage_first_scores` of the same ``kind_bias``: what a kind bias is added to.

    Returns:
        Tensor: N x (C - 1) x H x W, float32.
    """
    kinds = scores[:, 1:].float()
    bias = check_kind_bias(kind_bias, scores.shape[1])
    return kinds if bias is None else kinds - kinds.new_tensor(bias).view(1, -1, 1, 1)


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
        kind_bias (sequence of float, optional): Added to the log-probabilities of the damage
            classes (one value per class but Clean) before the most probable is taken.
            Defaults to None, no bias. :func:`mmseg_heritage.evaluation.set_kind_bias` sets
            the one chosen on a validation split.
        **kwargs: The decode head's arguments.
    """

    def __init__(self, damage_threshold: float = 0.5,
                 kind_bias: Optional[Sequence[float]] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.damage_threshold = check_damage_threshold(damage_threshold)
        self.kind_bias = check_kind_bias(kind_bias, self.num_classes)

    def predict_by_feat(self, seg_logits: Tensor, batch_img_metas) -> Tensor:
        """The head's logits resized to the images (its own ``predict_by_feat``), as
        damage-first scores."""
        return damage_first_scores(super().predict_by_feat(seg_logits, batch_img_metas),
                                   self.damage_threshold, self.kind_bias)

    def damage_probability(self, seg_logits: Tensor) -> Tensor:
        """The probability of damage per pixel (N x H x W) of the ``seg_logits`` this head
        predicted (its ``predict``, a segmentor's ``test_step``, sliding windows included)."""
        return damage_probability(seg_logits, self.damage_threshold)

    def damage_kind_scores(self, seg_logits: Tensor) -> Tensor:
        """The damage classes' log-probabilities per pixel (N x (C - 1) x H x W), each less the
        same amount, of the ``seg_logits`` this head predicted, before its kind bias."""
        return damage_kind_scores(seg_logits, self.kind_bias)
