"""MMSeg's decode heads build their losses through the registry (mmseg_backports.py)."""
import warnings

from mmseg.models.decode_heads import FCNHead
from mmseg.models.losses import CrossEntropyLoss

import mmseg_heritage  # noqa: F401  applies the backport, as the configs' custom_imports do


def test_decode_heads_build_losses_without_the_deprecation_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        head = FCNHead(in_channels=4, channels=4, num_classes=3, loss_decode=[
            dict(type='CrossEntropyLoss', loss_name='loss_ce'),
            dict(type='ClassWeightedDiceCELoss', loss_name='loss_dice_ce')])
    assert [str(w.message) for w in caught if 'build_loss' in str(w.message)] == []
    assert isinstance(head.loss_decode[0], CrossEntropyLoss)
    assert type(head.loss_decode[1]).__name__ == 'ClassWeightedDiceCELoss'
