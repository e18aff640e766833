import pytest
import torch
from mmseg.registry import MODELS
from tiny_segmentor import make_batch, segmentor_cfg  # noqa: F401  (fixtures)

MATERIALS = ['Paper', 'Glass', 'Paper', 'Wood']


@pytest.fixture
def model(segmentor_cfg):
    torch.manual_seed(0)
    return MODELS.build(segmentor_cfg(
        type='CoralEncoderDecoder', coral_loss=dict(type='CoralLoss', loss_weight=10.0)))


def training_losses(model, batch) -> dict:
    model.train()
    return model(**model.data_preprocessor(batch, True), mode='loss')


def test_adds_a_coral_loss_that_reaches_the_backbone(model, make_batch):
    losses = training_losses(model, make_batch(4, materials=MATERIALS))
    assert {'decode.loss_ce', 'loss_coral'} <= set(losses)
    assert losses['loss_coral'].item() > 0
    losses['loss_coral'].backward()
    assert model.backbone.encoder[0][0].convs[0].conv.weight.grad.abs().sum() > 0
    assert model.decode_head.conv_seg.weight.grad is None  # the head is not aligned


def test_a_single_domain_batch_gives_zero_still_in_the_graph(model, make_batch):
    losses = training_losses(model, make_batch(2, materials=['Paper', 'Paper']))
    assert losses['loss_coral'].item() == 0 and losses['loss_coral'].requires_grad


def test_samples_pixels_per_image(segmentor_cfg, make_batch):
    model = MODELS.build(segmentor_cfg(type='CoralEncoderDecoder', coral_pixels_per_image=16))
    losses = training_losses(model, make_batch(4, materials=MATERIALS))
    assert torch.isfinite(losses['loss_coral']) and losses['loss_coral'].item() > 0


def test_needs_the_domain_of_each_sample(model, make_batch):
    with pytest.raises(KeyError, match='PackArtefactInputs'):
        training_losses(model, make_batch(2))
    model.domain_key = 'content'
    with pytest.raises(KeyError, match="'content'"):
        training_losses(model, make_batch(2, materials=['Paper', 'Glass']))


def test_checkpoints_load_both_ways_with_the_plain_segmentor(model, segmentor_cfg):
    plain = MODELS.build(segmentor_cfg(type='EncoderDecoder'))
    plain.load_state_dict(model.state_dict())  # strict: same names, no extra parameters
    model.load_state_dict(plain.state_dict())
