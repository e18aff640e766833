from mmseg.registry import MODELS

from .damage_first_prediction import DamageFirstPrediction
from .unet_decoder_head import UNetDecoderHead


@MODELS.register_module()
class DamageFirstUNetDecoderHead(DamageFirstPrediction, UNetDecoderHead):
    """:class:`~.unet_decoder_head.UNetDecoderHead` whose predictions decide damage before its
    kind (see :class:`~.damage_first_prediction.DamageFirstPrediction`): the starter model's
    head, thin damage decided at the image's own resolution.

    Args:
        damage_threshold (float): The probability of damage (all damage classes together)
            above which a pixel is damage. Defaults to 0.5. ``tools/train_starter.py`` sets
            the one with the best damage-against-clean IoU on the validation split.
        kind_bias (sequence of float, optional): Added to the damage classes'
            log-probabilities before the most probable is named. Defaults to None.
            ``tools/train_starter.py`` sets the one with the best mean damage-class IoU on the
            validation split.
        **kwargs: ``UNetDecoderHead``'s arguments.
    """
