from mmseg.models.decode_heads import FCNHead
from mmseg.registry import MODELS

from .damage_first_prediction import DamageFirstPrediction


@MODELS.register_module()
class DamageFirstFCNHead(DamageFirstPrediction, FCNHead):
    """MMSeg's ``FCNHead`` whose predictions decide damage before its kind.

    Training and the weights are ``FCNHead``'s (a checkpoint of one loads into the other);
    at prediction the logits become
    :func:`~mmseg_heritage.models.decode_heads.damage_first_prediction.damage_first_scores`,
    so every MMSeg path that takes the argmax predicts damage where its probability exceeds
    ``damage_threshold``, in the damage class most probable there (see
    :class:`~mmseg_heritage.models.decode_heads.damage_first_prediction.DamageFirstPrediction`).

    Args:
        damage_threshold (float): The probability of damage (all damage classes together)
            above which a pixel is damage. Defaults to 0.5: damage where it is more probable
            than Clean. ``tools/train_starter.py`` sets it to the value that gives the best
            damage-against-clean IoU on the validation split.
        kind_bias (sequence of float, optional): Added to the damage classes'
            log-probabilities before the most probable is named. Defaults to None.
            ``tools/train_starter.py`` sets the one with the best mean damage-class IoU on the
            validation split.
        **kwargs: ``FCNHead``'s arguments.
    """
