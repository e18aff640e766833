import math

import torch
from mmseg.models.decode_heads import FCNHead
from mmseg.registry import MODELS
from torch import Tensor


def check_damage_threshold(damage_threshold: float) -> float:
    """``damage_threshold``, if it is a probability strictly between 0 and 1."""
    if not 0 < damage_threshold < 1:
        raise ValueError(f'damage_threshold must lie between 0 and 1, got {damage_threshold}')
    return damage_threshold


def damage_first_scores(logits: Tensor, damage_threshold: float = 0.5) -> Tensor:
    """Scores whose argmax decides damage before its kind.

    A pixel is damage where the damage classes together are more probable than
    ``damage_threshold`` (by default: more probable than Clean, class 0), and then of its most
    probable damage class. The plain argmax compares Clean with each damage class alone: where
    a crack's probability is shared among Cracks, Scratch and Hair, which look alike, Clean
    wins although damage is more probable than not.

    Returns ``log P(Clean) + logit(damage_threshold)`` for Clean and, for damage class ``f``,
    ``log P(damage) + log p(f) - log max_g p(g)`` (``g`` over the damage classes): the most
    probable damage class scores ``log P(damage)``, the others less, and it beats Clean exactly
    where ``P(damage) > damage_threshold``. N x C x H x W, float32.
    """
    check_damage_threshold(damage_threshold)
    log_p = logits.float().log_softmax(dim=1)
    clean, damage = log_p[:, :1], log_p[:, 1:]
    any_damage = torch.logsumexp(damage, dim=1, keepdim=True)
    clean = clean + math.log(damage_threshold / (1 - damage_threshold))
    return torch.cat([clean, any_damage + damage - damage.amax(dim=1, keepdim=True)], dim=1)


@MODELS.register_module()
class DamageFirstFCNHead(FCNHead):
    """MMSeg's ``FCNHead`` whose predictions decide damage before its kind.

    Training and the weights are ``FCNHead``'s (a checkpoint of one loads into the other);
    at prediction the logits become :func:`damage_first_scores`, so every MMSeg path that
    takes the argmax (``tools/test.py``, the inferencers, sliding windows) predicts damage
    where its probability exceeds ``damage_threshold``, in the damage class most probable there.

    Args:
        damage_threshold (float): The probability of damage (all damage classes together)
            above which a pixel is damage. Defaults to 0.5: damage where it is more probable
            than Clean. ``tools/train_starter.py`` sets it to the value that gives the best
            damage-against-clean IoU on the validation split.
        **kwargs: ``FCNHead``'s arguments.
    """

    def __init__(self, damage_threshold: float = 0.5, **kwargs) -> None:
        super().__init__(**kwargs)
        self.damage_threshold = check_damage_threshold(damage_threshold)

    def predict_by_feat(self, seg_logits: Tensor, batch_img_metas) -> Tensor:
        return damage_first_scores(super().predict_by_feat(seg_logits, batch_img_metas),
                                   self.damage_threshold)
