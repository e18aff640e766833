import numpy as np
import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmseg_heritage.class_names import DEFAULT_COARSE_GROUPS
from mmseg_heritage.models import HierarchicalUPerHead

IN_CHANNELS = [8, 16, 32, 64]
LOSS = dict(type='ClassWeightedDiceCELoss')
LOSS_KEYS = {'binary': 'loss_binary_dice_ce', 'coarse': 'loss_coarse_dice_ce',
             'fine': 'loss_dice_ce'}

# The default hierarchy written out by hand, independent of the lookup tables under test.
COARSE_OF = {0: 0, **{c: g for g, ids in enumerate(DEFAULT_COARSE_GROUPS.values(), 1)
                      for c in ids}}


def make_head(**kwargs) -> HierarchicalUPerHead:
    config = dict(type='HierarchicalUPerHead', in_channels=IN_CHANNELS, in_index=[0, 1, 2, 3],
                  channels=16, pool_scales=(1, 2), num_classes=16,
                  norm_cfg=dict(type='BN', requires_grad=True), loss_decode=LOSS,
                  loss_binary=LOSS, loss_coarse=LOSS)
    head = MODELS.build({**config, **kwargs})
    head.init_weights()
    return head


def features(size: int = 64, batch: int = 2):
    """Random backbone features of a size x size image at strides 4, 8, 16 and 32."""
    generator = torch.Generator().manual_seed(0)
    return [torch.randn(batch, c, size // 2**(i + 2), size // 2**(i + 2), generator=generator)
            for i, c in enumerate(IN_CHANNELS)]


def samples(size: int = 64, batch: int = 2):
    generator = torch.Generator().manual_seed(1)
    result = []
    for _ in range(batch):
        mask = torch.randint(0, 16, (1, size, size), generator=generator)
        mask[:, :size // 4] = 255  # background rows
        result.append(SegDataSample(gt_sem_seg=PixelData(data=mask)))
    return result


def level_logits(size: int = 16, batch: int = 2):
    generator = torch.Generator().manual_seed(2)
    return {level: torch.randn(batch, channels, size, size, generator=generator,
                               requires_grad=True)
            for level, channels in (('binary', 2), ('coarse', 5), ('fine', 16))}


def test_forward_returns_fine_logits():
    head = make_head()
    assert head(features()).shape == (2, 16, 16, 16)  # N x 16 x H/4 x W/4
    levels = head.forward_levels(features())
    assert {k: tuple(v.shape[:2]) for k, v in levels.items()} == {
        'binary': (2, 2), 'coarse': (2, 5), 'fine': (2, 16)}


def test_losses_and_accuracies_of_all_levels():
    head = make_head()
    losses = head.loss(features(), samples(), train_cfg=None)
    assert set(losses) == set(LOSS_KEYS.values()) | {'acc_binary', 'acc_coarse', 'acc_seg'}
    assert all(torch.isfinite(value).all() for value in losses.values())
    assert all(losses[key].requires_grad for key in LOSS_KEYS.values())


def test_level_weights_scale_each_level():
    head = make_head()
    logits = level_logits()
    plain = head.loss_by_feat(logits, samples())
    head.level_weights = dict(binary=2.0, coarse=0.0, fine=0.5)
    weighted = head.loss_by_feat(logits, samples())
    for level, factor in head.level_weights.items():
        key = LOSS_KEYS[level]
        assert torch.allclose(weighted[key], factor * plain[key])
    # Weight 0 still leaves the level in the graph (DDP needs a gradient for every parameter).
    assert weighted['loss_coarse_dice_ce'] == 0 and weighted['loss_coarse_dice_ce'].grad_fn
    sum(weighted[key] for key in LOSS_KEYS.values()).backward()
    assert logits['coarse'].grad is not None and not logits['coarse'].grad.any()
    assert logits['binary'].grad.any() and logits['fine'].grad.any()
    # Accuracies are not weighted.
    for key in ('acc_binary', 'acc_coarse', 'acc_seg'):
        assert torch.equal(weighted[key], plain[key])


def test_level_weights_are_validated_and_default_to_one():
    head = make_head(level_weights=dict(fine=3))
    assert head.level_weights == dict(binary=1.0, coarse=1.0, fine=3.0)
    with pytest.raises(ValueError, match='medium'):
        head.level_weights = dict(medium=1.0)


def test_losses_see_labels_derived_from_the_fine_mask():
    head = make_head()
    logits, batch = level_logits(), samples()
    fine = torch.stack([sample.gt_sem_seg.data[0] for sample in batch])
    coarse = fine.clone().apply_(lambda c: COARSE_OF.get(c, 255))
    binary = fine.clone().apply_(lambda c: 255 if c == 255 else int(c > 0))
    assert (coarse == 255).equal(fine == 255) and set(coarse.unique().tolist()) == {
        0, 1, 2, 3, 4, 255}
    reference = MODELS.build(LOSS)
    losses = head.loss_by_feat(logits, batch)
    for level, label in (('binary', binary), ('coarse', coarse), ('fine', fine)):
        upsampled = torch.nn.functional.interpolate(logits[level], size=fine.shape[1:],
                                                    mode='bilinear', align_corners=False)
        assert torch.allclose(losses[LOSS_KEYS[level]], reference(upsampled, label))
        valid = label != 255
        accuracy = (upsampled.argmax(1) == label)[valid].float().mean() * 100
        key = {'binary': 'acc_binary', 'coarse': 'acc_coarse', 'fine': 'acc_seg'}[level]
        assert losses[key].item() == pytest.approx(accuracy.item(), abs=1e-3)


def backward_total_loss(head):
    losses = head.loss(features(), samples(), train_cfg=None)
    sum(value for key, value in losses.items() if key.startswith('loss')).backward()
    return {'binary': head.conv_binary.weight.grad, 'coarse': head.conv_coarse.weight.grad,
            'fine': head.conv_seg.weight.grad, 'neck': head.fpn_bottleneck.conv.weight.grad}


def test_gradients_reach_all_classifiers():
    grads = backward_total_loss(make_head())
    assert all(grad is not None and grad.abs().sum() > 0 for grad in grads.values())


def test_zero_weighted_level_gets_zero_gradients():
    """Every parameter still gets a gradient, as DDP without find_unused_parameters needs."""
    grads = backward_total_loss(make_head(level_weights=dict(coarse=0.0)))
    assert grads['coarse'] is not None and not grads['coarse'].any()
    assert grads['binary'].any() and grads['fine'].any()


def test_consistent_prediction_follows_the_formula():
    head = make_head(consistent_prediction=True)
    # One pixel: fine prefers Material loss (1) slightly over Fold (7); the coarse level is sure
    # of Mechanical deformation (group 3, holding Fold) and the binary level of damage.
    fine = torch.zeros(1, 16, 1, 1)
    fine[0, 1], fine[0, 7] = 0.5, 0.2
    coarse = torch.tensor([0.0, 0.0, 0.0, 3.0, 0.0]).view(1, 5, 1, 1)
    binary = torch.tensor([0.0, 2.0]).view(1, 2, 1, 1)
    levels = dict(binary=binary, coarse=coarse, fine=fine)

    log_probs = head.consistent_log_probs(levels)
    assert log_probs.shape == (1, 16, 1, 1)
    p_fine, p_coarse, p_binary = (levels[k].softmax(1).flatten().numpy()
                                  for k in ('fine', 'coarse', 'binary'))
    expected = np.array([p_fine[f] * p_coarse[COARSE_OF[f]] * p_binary[min(f, 1)]
                         for f in range(16)])
    expected /= expected.sum()
    np.testing.assert_allclose(log_probs.exp().flatten().numpy(), expected, rtol=1e-5)
    assert fine.argmax() == 1 and log_probs.argmax() == 7

    # forward applies it in eval mode only; training sees the raw fine logits.
    inputs = features()
    head.eval()
    with torch.no_grad():
        expected_eval = head.consistent_log_probs(head.forward_levels(inputs))
        assert torch.allclose(head(inputs), expected_eval)
        assert torch.allclose(head(inputs).exp().sum(1), torch.ones(1))
        head.consistent_prediction = False
        assert torch.allclose(head(inputs), head.forward_levels(inputs)['fine'])


def test_bad_settings_are_clear_errors():
    with pytest.raises(ValueError, match=r'15 \(Lightleak\) is in no coarse group'):
        make_head(coarse_groups={'a': list(range(1, 15))})
    with pytest.raises(ValueError, match='ignore_index must be 255'):
        make_head(ignore_index=0)


def _resnet_segmentor(**head_kwargs):
    norm_cfg = dict(type='BN', requires_grad=True)
    model = MODELS.build(dict(
        type='EncoderDecoder',
        data_preprocessor=dict(type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53],
                               std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_val=0,
                               seg_pad_val=255),
        backbone=dict(type='ResNetV1c', depth=18, stem_channels=16, base_channels=16,
                      norm_cfg=norm_cfg),
        decode_head=dict(type='HierarchicalUPerHead', in_channels=[16, 32, 64, 128],
                         in_index=[0, 1, 2, 3], channels=16, num_classes=16,
                         norm_cfg=norm_cfg, loss_decode=LOSS, loss_binary=LOSS,
                         loss_coarse=LOSS, **head_kwargs),
        test_cfg=ConfigDict(mode='slide', crop_size=(64, 64), stride=(48, 48))))
    model.init_weights()
    return model.eval()


@pytest.mark.parametrize('consistent', [False, True])
def test_slide_inference_predicts_sixteen_classes(consistent):
    model = _resnet_segmentor(consistent_prediction=consistent)
    image = torch.randint(0, 256, (3, 100, 130), dtype=torch.uint8)
    sample = SegDataSample(metainfo=dict(img_shape=(100, 130), ori_shape=(100, 130)))
    with torch.no_grad():
        result, = model.test_step(dict(inputs=[image], data_samples=[sample]))
    assert result.seg_logits.data.shape == (16, 100, 130)
    assert result.pred_sem_seg.data.shape == (1, 100, 130)
    assert torch.equal(result.pred_sem_seg.data[0], result.seg_logits.data.argmax(0))
