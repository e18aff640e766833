import pytest
import torch
import torch.nn as nn
from mmseg.registry import MODELS
from tiny_segmentor import make_batch, segmentor_cfg  # noqa: F401  (fixtures)

from mmseg_heritage.models.segmentors.tent_segmentor import normalisation_for_adaptation

SHIFT = dict(gain=0.5, offset=50.0)  # lower contrast and brighter than the training images


@pytest.fixture(scope='module')
def trained_state(segmentor_cfg, make_batch):
    """The tiny segmentor's weights after a short training on unshifted toy images."""
    torch.manual_seed(0)
    model = MODELS.build(segmentor_cfg(type='EncoderDecoder'))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for step in range(30):
        losses = model(**model.data_preprocessor(make_batch(4, seed=step), True), mode='loss')
        optimizer.zero_grad()
        losses['decode.loss_ce'].backward()
        optimizer.step()
    return model.state_dict()


@pytest.fixture
def build_tent(segmentor_cfg, trained_state):
    """A ``TentSegmentor`` with the trained weights, in eval mode as MMSeg's test loop sets it."""
    def build(**options):
        model = MODELS.build(segmentor_cfg(type='TentSegmentor', **options))
        model.load_state_dict(trained_state)  # strict: the plain segmentor's keys fit
        return model.eval()
    return build


def entropy(predictions) -> float:
    """Mean per-pixel softmax entropy of ``test_step`` predictions."""
    log_prob = seg_logits(predictions).log_softmax(1)
    return -(log_prob.exp() * log_prob).sum(1).mean().item()


def seg_logits(predictions) -> torch.Tensor:
    return torch.stack([prediction.seg_logits.data for prediction in predictions])


def state(model) -> dict:
    return {name: value.clone() for name, value in model.state_dict().items()}


def test_adaptation_changes_only_normalisation_affine_parameters(build_tent, make_batch):
    model = build_tent(adapt_steps=3, adapt_optimizer=dict(type='SGD', lr=0.1))
    data = model.data_preprocessor(make_batch(2, seed=100, **SHIFT), False)
    before = state(model)
    with torch.no_grad():  # as in MMSeg's test loop
        model.adapt(**data)

    affine = {f'{name}.{kind}' for name, module in model.named_modules()
              if isinstance(module, (nn.BatchNorm2d, nn.GroupNorm)) for kind in ('weight', 'bias')}
    changed = {name for name, value in model.state_dict().items()
               if not torch.equal(value, before[name])}
    assert changed and changed <= affine
    # Every other parameter and every buffer, batch-norm running statistics included.
    assert any(name.endswith('running_mean') for name in before)
    assert {name for name, _ in model.named_parameters() if name in changed} == changed
    # Gradients neither linger on the adapted parameters nor were made for the others.
    assert all(param.grad is None for param in model.parameters())


def test_only_the_chosen_normalisation_types_adapt(build_tent, make_batch):
    model = build_tent(adapt_steps=2, adapt_optimizer=dict(type='SGD', lr=0.1),
                       adapt_norm_types=('GN', ))
    data = model.data_preprocessor(make_batch(2, seed=100, **SHIFT), False)
    before = state(model)
    model.adapt(**data)
    changed = {name for name, value in model.state_dict().items()
               if not torch.equal(value, before[name])}
    assert changed and all(name.startswith('decode_head.convs.0.gn.') for name in changed)


def test_tent_lowers_the_entropy_on_a_shifted_batch(build_tent, make_batch):
    batch = make_batch(2, seed=100, **SHIFT)
    options = dict(adapt_optimizer=dict(type='Adam', lr=1e-2), episodic=True)
    with torch.no_grad():
        # Same normalisation (test-batch statistics) without and with the entropy steps.
        unadapted = entropy(build_tent(adapt_steps=0, **options).test_step(batch))
        adapted = entropy(build_tent(adapt_steps=5, **options).test_step(batch))
    assert adapted < 0.9 * unadapted


def test_episodic_mode_starts_every_batch_from_the_trained_weights(build_tent, make_batch):
    model = build_tent(adapt_steps=2, adapt_optimizer=dict(type='Adam', lr=1e-2), episodic=True)
    batch = make_batch(2, seed=100, **SHIFT)
    before = state(model)
    with torch.no_grad():
        first = seg_logits(model.test_step(batch))
        model.test_step(make_batch(2, seed=101, **SHIFT))
        again = seg_logits(model.test_step(batch))
    torch.testing.assert_close(again, first)
    assert all(torch.equal(value, before[name]) for name, value in model.state_dict().items())


def test_continual_mode_carries_adaptation_over_until_reset(build_tent, make_batch):
    model = build_tent(adapt_steps=2, adapt_optimizer=dict(type='Adam', lr=1e-2))
    batch = make_batch(2, seed=100, **SHIFT)
    before = state(model)
    with torch.no_grad():
        first = model.test_step(batch)
        second = model.test_step(batch)
        # The model's own weights are the trained ones between batches (checkpoints stay
        # clean); the adaptation lives on in memory.
        assert all(torch.equal(value, before[name])
                   for name, value in model.state_dict().items())
        assert entropy(second) < entropy(first)

        model.train()  # training again (e.g. after a validation) discards the adaptation
        model.eval()
        restarted = model.test_step(batch)
    torch.testing.assert_close(seg_logits(restarted), seg_logits(first))


def test_batch_norm_uses_batch_statistics_and_keeps_its_running_ones():
    norm = nn.BatchNorm2d(3).eval()
    norm.running_mean.fill_(5.0)
    buffers = {name: value.clone() for name, value in norm.named_buffers()}
    values = torch.randn(2, 3, 4, 4) * 3 + 1
    with normalisation_for_adaptation([norm]):
        normalised = norm(values)
        # A single value per channel (an image's pooled 1 x 1 map) has no batch variance:
        # the layer falls back to its running statistics there instead of failing.
        pooled = norm(values[:1, :, :1, :1])
    torch.testing.assert_close(normalised.mean((0, 2, 3)), torch.zeros(3), atol=1e-5, rtol=0)
    torch.testing.assert_close(pooled, (values[:1, :, :1, :1] - 5) / (1 + norm.eps) ** 0.5)
    assert all(torch.equal(value, buffers[name]) for name, value in norm.named_buffers())
    assert not norm.training and norm.track_running_stats


def test_rejects_what_it_cannot_adapt(segmentor_cfg):
    with pytest.raises(ValueError, match='unknown normalisation types'):
        MODELS.build(segmentor_cfg(type='TentSegmentor', adapt_norm_types=('BatchNorm', )))
    with pytest.raises(ValueError, match='no normalisation layer'):
        MODELS.build(segmentor_cfg(type='TentSegmentor', adapt_norm_types=('LN', )))
