"""UNetDecoderHead: decodes a backbone's levels up to the finest (the image itself), where thin
damage keeps its resolution; its damage-first variant is the starter model's head."""
import pytest
import torch
from mmseg.registry import MODELS

from mmseg_heritage.models.decode_heads import damage_first_scores

# The levels TimmPyramidBackbone(out_strides=(1, 2, 4, 8)) gives of a 3-channel image.
LEVELS = [3, 8, 12, 16]
HEAD = dict(in_channels=LEVELS, in_index=[0, 1, 2, 3], decoder_channels=(12, 8, 6), channels=6,
            num_classes=16, norm_cfg=dict(type='BN'),
            loss_decode=dict(type='ClassWeightedDiceCELoss'))


def levels(batch=2, size=32):
    return [torch.randn(batch, channels, size // 2**i, size // 2**i)
            for i, channels in enumerate(LEVELS)]


def test_it_predicts_at_the_finest_levels_resolution_and_uses_it():
    torch.manual_seed(0)
    head = MODELS.build(dict(type='UNetDecoderHead', **HEAD)).eval()
    inputs = levels()
    with torch.no_grad():
        logits = head(inputs)
        assert logits.shape == (2, 16, 32, 32)
        # A one-pixel change of the image (the finest level) changes the logits right there.
        changed = [level.clone() for level in inputs]
        changed[0][:, :, 5, 7] += 10
        difference = (head(changed) - logits).abs().sum(dim=(0, 1))
    assert difference[5, 7] > 0 and difference[20:, 20:].sum() == 0
    assert [fusion[0].conv.in_channels for fusion in head.fusions] == [16 + 12, 12 + 8, 8 + 3]


def test_it_trains_and_its_channels_are_checked():
    head = MODELS.build(dict(type='UNetDecoderHead', num_convs=2, **HEAD))
    losses = head.loss_by_feat(head(levels()), [_sample() for _ in range(2)])
    total = sum(value for name, value in losses.items() if 'loss' in name)
    total.backward()
    assert torch.isfinite(total) and head.conv_seg.weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='one entry per level but the coarsest'):
        MODELS.build(dict(type='UNetDecoderHead', **dict(HEAD, decoder_channels=(12, 6))))
    with pytest.raises(ValueError, match='must equal channels'):
        MODELS.build(dict(type='UNetDecoderHead', **dict(HEAD, channels=8)))


def test_the_damage_first_variant_has_the_same_weights_and_predicts_damage_first():
    torch.manual_seed(0)
    plain = MODELS.build(dict(type='UNetDecoderHead', **HEAD)).eval()
    head = MODELS.build(dict(type='DamageFirstUNetDecoderHead', damage_threshold=0.3,
                             **HEAD)).eval()
    head.load_state_dict(plain.state_dict())
    inputs, metas = levels(), [dict(img_shape=(32, 32), pad_shape=(32, 32))] * 2
    with torch.no_grad():
        scores = head.predict(inputs, metas, {})
        torch.testing.assert_close(scores, damage_first_scores(plain.predict(inputs, metas, {}),
                                                               0.3))
        p_damage = head.damage_probability(scores)
    assert p_damage.shape == (2, 32, 32) and ((p_damage >= 0) & (p_damage <= 1)).all()


def _sample():
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    sample = SegDataSample(gt_sem_seg=PixelData(data=torch.randint(0, 16, (1, 32, 32))))
    sample.set_metainfo(dict(img_shape=(32, 32), pad_shape=(32, 32)))
    return sample
