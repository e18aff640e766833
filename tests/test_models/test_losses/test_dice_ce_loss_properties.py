"""Invariants of ClassWeightedDiceCELoss over random batches, checked with hypothesis.

``test_dice_ce_loss.py`` pins values on fixed batches (and already permutes images and fills
ignored logits); the tests here generalise those to any shape, class weights, pixel weights and
settings. Most run in float64 so that the tolerances test the formulas, not float32 rounding.
"""
import math
from typing import NamedTuple

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mmseg_heritage.models.losses import ClassWeightedDiceCELoss

IGNORE = 255
# Small batches: the few dozen examples per test of `make test` (tests/conftest.py) keep the
# file well under ten seconds.


class Batch(NamedTuple):
    logits: torch.Tensor  # N x C x H x W
    labels: torch.Tensor  # N x H x W, class ids or the ignore index
    pixel_weight: torch.Tensor  # N x H x W, as a pixel sampler passes them
    class_weight: list
    smooth: float

    def loss(self, **kwargs) -> ClassWeightedDiceCELoss:
        """The loss with this batch's class weights and smoothing."""
        return ClassWeightedDiceCELoss(self.class_weight, smooth=self.smooth, **kwargs)


@st.composite
def batches(draw, dtype=torch.float64, logit_bound=10.0, ignore_index=IGNORE):
    """Up to 4 images of up to 8 x 8 pixels, 2-5 classes, some pixels ignored."""
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 5))
    h, w = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    labels = draw(arrays(np.int64, (n, h, w), elements=st.sampled_from([*range(c), ignore_index])))
    logits = draw(arrays(np.float32, (n, c, h, w),
                         elements=st.floats(-logit_bound, logit_bound, width=32)))
    # Zero weights included: a pixel or class weighed 0 must neither divide by 0 nor count.
    # Non-zero ones are at least 2**-10 (OHEM gives 0/1, class weights come from pixel shares):
    # sums so tiny that their square underflows make the division's gradient NaN.
    pixel_weight = draw(arrays(np.float32, (n, h, w),
                               elements=st.just(0.0) | st.floats(2**-10, 4, width=32)))
    class_weight = draw(st.lists(st.just(0.0) | st.floats(2**-10, 20), min_size=c, max_size=c))
    smooth = draw(st.sampled_from([0.0, 0.5, 1.0, 10.0]))
    return Batch(torch.tensor(logits, dtype=dtype), torch.tensor(labels),
                 torch.tensor(pixel_weight, dtype=dtype), class_weight, smooth)


def close_to_scale(actual: torch.Tensor, expected: torch.Tensor, rtol: float = 1e-12) -> bool:
    """Equal up to ``rtol`` times the largest magnitude of ``expected`` (float64 rounding)."""
    scale = float(expected.abs().max()) if expected.numel() else 0.0
    return bool(((actual - expected).abs() <= rtol * scale + 1e-300).all())


def divisors(number: int) -> list:
    return [d for d in range(1, number + 1) if number % d == 0]


def to_pixels(per_pixel: torch.Tensor) -> torch.Tensor:
    """N x C x H x W (or N x H x W) to one row per pixel."""
    if per_pixel.dim() == 4:
        per_pixel = per_pixel.permute(0, 2, 3, 1)
    return per_pixel.reshape(-1, *per_pixel.shape[3:])


def from_pixels(rows: torch.Tensor, shape: tuple) -> torch.Tensor:
    """Rows of pixels back to N x C x H x W (with channels) or N x H x W."""
    if rows.dim() == 1:
        return rows.reshape(shape)
    return rows.reshape(*shape, rows.shape[1]).permute(0, 3, 1, 2).contiguous()


@given(batch=batches(), data=st.data())
def test_rearranging_pixels_changes_neither_loss_nor_gradients(batch, data):
    # Both terms sum over the batch's labelled pixels, so moving pixels between or within images
    # (a new image order is one such move) keeps the loss, and each gradient moves with its pixel.
    n, _, h, w = batch.logits.shape
    count = n * h * w
    order = torch.tensor(data.draw(st.permutations(range(count))))
    new_n = data.draw(st.sampled_from(divisors(count)))
    new_h = data.draw(st.sampled_from(divisors(count // new_n)))
    shape = (new_n, new_h, count // new_n // new_h)
    loss = batch.loss(ce_weight=0.7, dice_weight=1.3)

    logits = batch.logits.clone().requires_grad_()
    moved = from_pixels(to_pixels(batch.logits)[order], shape).requires_grad_()
    value = loss(logits, batch.labels, weight=batch.pixel_weight)
    moved_value = loss(moved, from_pixels(to_pixels(batch.labels)[order], shape),
                       weight=from_pixels(to_pixels(batch.pixel_weight)[order], shape))
    assert math.isclose(moved_value.item(), value.item(), rel_tol=1e-9, abs_tol=1e-12)
    value.backward()
    moved_value.backward()
    assert torch.allclose(to_pixels(moved.grad), to_pixels(logits.grad)[order],
                          rtol=1e-7, atol=1e-12)


@given(data=st.data(), ignore_index=st.sampled_from([IGNORE, -100]))
def test_ignored_pixels_logits_and_pixel_weights_do_not_matter(data, ignore_index):
    # mmseg's heads pass their own ignore index to the loss; here it differs from the one the
    # loss was built with, so a loss reading the wrong one fails on the -100 labels.
    batch = data.draw(batches(ignore_index=ignore_index))
    ignored = batch.labels == ignore_index
    # Non-finite values half the time: finite ones are masked out even by a mere 0 weight.
    any_float = (st.sampled_from([math.nan, math.inf, -math.inf])
                 | st.floats(allow_nan=True, allow_infinity=True, width=32))
    changed_logits = torch.where(
        ignored.unsqueeze(1),
        torch.tensor(data.draw(arrays(np.float32, batch.logits.shape, elements=any_float)),
                     dtype=batch.logits.dtype),
        batch.logits)
    changed_weight = torch.where(
        ignored,
        torch.tensor(data.draw(arrays(np.float64, ignored.shape, elements=st.floats(0, 1e6)))),
        batch.pixel_weight)
    loss = batch.loss(loss_weight=1.5)

    def value_and_gradient(logits, weight):
        logits = logits.clone().requires_grad_()
        value = loss(logits, batch.labels, weight=weight, ignore_index=ignore_index)
        value.backward()
        return value, logits.grad

    value, gradient = value_and_gradient(batch.logits, batch.pixel_weight)
    changed_value, changed_gradient = value_and_gradient(changed_logits, changed_weight)
    assert torch.equal(changed_value, value)
    assert torch.equal(changed_gradient, gradient)
    assert not changed_gradient.permute(0, 2, 3, 1)[ignored].any()
    per_pixel = loss(changed_logits, batch.labels, weight=changed_weight,
                     ignore_index=ignore_index, reduction_override='none')
    assert torch.equal(per_pixel, loss(batch.logits, batch.labels, weight=batch.pixel_weight,
                                       ignore_index=ignore_index, reduction_override='none'))
    assert not per_pixel[ignored].any()


@given(batch=batches(dtype=torch.float32, logit_bound=1e4),
       ce_weight=st.floats(0, 3), dice_weight=st.floats(0, 3), loss_weight=st.floats(0, 10))
def test_loss_is_finite_and_non_negative(batch, ce_weight, dice_weight, loss_weight):
    # float32 logits up to 1e4 apart, as an overconfident model under mixed precision gives:
    # a naive softmax would overflow to inf or NaN here.
    logits = batch.logits.requires_grad_()
    value = batch.loss(ce_weight=ce_weight, dice_weight=dice_weight, loss_weight=loss_weight)(
        logits, batch.labels, weight=batch.pixel_weight)
    assert torch.isfinite(value) and value >= 0
    value.backward()
    assert torch.isfinite(logits.grad).all()
    # Dice alone is a weighted mean of 1 - dice_c with each dice_c in [0, 1].
    dice = batch.loss(ce_weight=0.0)(batch.logits, batch.labels)
    assert 0 <= dice <= 1


@given(batch=batches(), margin=st.floats(10, 40))
def test_confident_correct_predictions_give_almost_zero(batch, margin):
    # The true class leads every other by ``margin`` (on top of a per-pixel offset, which softmax
    # ignores). With V labelled pixels and G_c of class c, each pixel leaks at most
    # e = exp(-margin) to every other class, so CE <= (C - 1) e and
    # 1 - dice_c <= (G_c (C - 1) e + (V - G_c) e) / (G_c + smooth): the smoothing only shrinks
    # it, yet a one-pixel class among many pixels keeps the largest share of the leak.
    num_classes = batch.logits.shape[1]
    valid = batch.labels != IGNORE
    target = torch.where(valid, batch.labels, 0)
    confident = batch.logits[:, :1] + margin * torch.nn.functional.one_hot(
        target, num_classes).permute(0, 3, 1, 2)
    logits = torch.where(valid.unsqueeze(1), confident, batch.logits)
    value = batch.loss()(logits, batch.labels, weight=batch.pixel_weight).item()

    leak = math.exp(-margin)
    labelled = int(valid.sum())
    dice_bound = max((((g * (num_classes - 1) + labelled - g) * leak / (g + batch.smooth))
                      for g in map(int, torch.bincount(batch.labels[valid],
                                                       minlength=num_classes)) if g),
                     default=0.0)
    assert 0 <= value <= (num_classes - 1) * leak + dice_bound + 1e-12


@given(batch=batches(), loss_weight=st.floats(0, 10),
       fill=st.sampled_from([math.nan, math.inf, -math.inf]) | st.floats(width=32))
def test_all_ignored_batch_gives_exactly_zero(batch, fill, loss_weight):
    # Whatever the logits hold, a batch with nothing labelled must add nothing to a training
    # step: the value and every gradient are exactly 0, never NaN.
    labels = torch.full_like(batch.labels, IGNORE)
    logits = torch.full_like(batch.logits, fill).requires_grad_()
    loss = batch.loss(loss_weight=loss_weight)
    value = loss(logits, labels, weight=batch.pixel_weight)
    assert value.item() == 0.0 and value.requires_grad
    value.backward()
    assert torch.equal(logits.grad, torch.zeros_like(logits))
    assert not loss(logits, labels, reduction_override='none').any()


@given(batch=batches(), factor=st.floats(0, 100))
def test_loss_weight_scales_loss_gradients_and_per_pixel_map(batch, factor):
    def run(loss_weight):
        logits = batch.logits.clone().requires_grad_()
        loss = batch.loss(loss_weight=loss_weight)
        value = loss(logits, batch.labels, weight=batch.pixel_weight)
        value.backward()
        return value, logits.grad, loss(batch.logits, batch.labels, reduction_override='none')

    value, gradient, per_pixel = run(1.0)
    scaled_value, scaled_gradient, scaled_per_pixel = run(factor)
    assert math.isclose(scaled_value.item(), factor * value.item(), rel_tol=1e-12, abs_tol=1e-12)
    # Relative to the largest entry, not entry by entry: an entry that is a difference of
    # terms of order 1 (softmax gradients of tied logits) keeps only its absolute precision,
    # and scaling before or after that subtraction rounds differently (factor 7: 6e-5 vs 1).
    assert close_to_scale(scaled_gradient, factor * gradient)
    assert close_to_scale(scaled_per_pixel, factor * per_pixel)
