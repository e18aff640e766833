"""The kind bias chosen on a split: the damaged pixels' kind scores, the mean damage-class IoU,
the search, and the one place that sets the chosen bias on the model and its config."""
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmseg_heritage.evaluation import (DamagedPixels, KindBias, best_kind_bias,
                                       calibrate_kind_bias, damaged_pixels, set_kind_bias)
from mmseg_heritage.evaluation.kind_bias import mean_damage_iou

SCRATCH, HAIR, FOLD, CRACKS = 4, 5, 7, 9


def pixels_of(rows, truth, classes=16):
    """Damaged pixels with the given kind log-probabilities ({class id: value}, the others
    -9) and true classes; every class's count is that of the pixels, plus 100 Clean ones."""
    scores = np.full((len(rows), classes - 1), -9.0, np.float32)
    for pixel, row in enumerate(rows):
        for label, value in row.items():
            scores[pixel, label - 1] = value
    truth = np.array(truth)
    counts = np.bincount(truth, minlength=classes)
    counts[0] += 100
    return DamagedPixels(scores, truth, counts)


def test_the_mean_iou_is_over_the_damage_classes_present():
    pixels = pixels_of([{}] * 4, [SCRATCH, SCRATCH, HAIR, 0])
    # Scratch: 1 hit of 2 true and 2 named (IoU 1/3); Hair: 1 hit of 1 true, 2 named (1/2).
    named = np.array([SCRATCH, HAIR, HAIR, SCRATCH])
    assert mean_damage_iou(named, pixels) == pytest.approx((1 / 3 + 1 / 2) / 2)


def test_the_bias_renames_hairs_the_model_calls_scratches():
    # Hairs: a scratch a little more probable; scratches: clearly scratches; one speck of dust.
    rows = [{SCRATCH: 0, HAIR: -0.4}] * 6 + [{SCRATCH: 0, HAIR: -2}] * 4 + [{3: 0}]
    pixels = pixels_of(rows, [HAIR] * 6 + [SCRATCH] * 4 + [3])
    chosen = best_kind_bias(pixels)
    assert isinstance(chosen, KindBias) and len(chosen.values) == 15
    assert chosen.iou == pytest.approx(1) and chosen.iou_without == pytest.approx(1 / 3 * (1 + 0.4))
    named = (pixels.scores + np.array(chosen.values)).argmax(axis=1) + 1
    assert named.tolist() == pixels.truth.tolist()
    # Scratch moved, by the smallest step of the grid that does it; Hair, which the model
    # never names, got no bias of its own.
    moved = {index + 1: value for index, value in enumerate(chosen.values) if value}
    assert moved == {SCRATCH: -0.5}
    # Nothing to gain: no bias.
    assert best_kind_bias(pixels_of(rows[6:], [SCRATCH] * 4 + [3])).values == (0.0, ) * 15


def test_a_kind_the_model_never_names_gets_no_bias_of_its_own():
    # Folds a little less probable than Cracks: +0.25 on Fold would name them all right. But
    # the model never names Fold, and lowering Cracks would call the cracks Hair.
    rows = ([{CRACKS: 0, FOLD: -0.2}] * 4 + [{CRACKS: 0, HAIR: -0.1, FOLD: -3}] * 8
            + [{HAIR: 0, CRACKS: -2}] * 2)
    pixels = pixels_of(rows, [FOLD] * 4 + [CRACKS] * 8 + [HAIR] * 2)
    chosen = best_kind_bias(pixels)
    assert chosen.values == (0.0, ) * 15 and chosen.iou == chosen.iou_without
    # Once it names a fold, Fold's bias is free to move.
    rows[0] = {CRACKS: 0, FOLD: 0.1}
    assert best_kind_bias(pixels_of(rows, pixels.truth)).values[FOLD - 1] == 0.25


def head(**kwargs):
    """A tiny decode head of Clean and two damage classes."""
    return MODELS.build(dict(in_channels=1, channels=1, num_convs=1, concat_input=False,
                             loss_decode=dict(type='ClassWeightedDiceCELoss'), out_channels=3,
                             num_classes=3, **kwargs))


class FakeModel:
    """A segmentor stand-in whose decode head predicts from the given probabilities of
    Clean, class 1 and class 2 per pixel, as a segmentor's ``test_step`` does (its scores and
    their argmax)."""

    def __init__(self, decode_head):
        self.decode_head = decode_head

    def eval(self):
        return self

    def test_step(self, data):
        probabilities, truth = data
        logits = torch.tensor(probabilities).log().permute(2, 0, 1)[None]
        metas = [dict(img_shape=tuple(logits.shape[2:]))]
        scores = self.decode_head.predict_by_feat(logits, metas)[0]
        return [SegDataSample(seg_logits=PixelData(data=scores),
                              pred_sem_seg=PixelData(data=scores.argmax(0, keepdim=True)),
                              gt_sem_seg=PixelData(data=torch.tensor(truth)[None]))]


# Four pixels: clean; damage (0.9) that is class 2 though 1 is likelier; the same, labelled
# 255; class 1.
BATCHES = [([[[0.9, 0.06, 0.04], [0.1, 0.5, 0.4], [0.1, 0.5, 0.4], [0.2, 0.7, 0.1]]],
            [[0, 2, 255, 1]])]


def test_the_damaged_pixels_are_read_without_the_models_own_bias():
    model = FakeModel(head(type='DamageFirstFCNHead', kind_bias=[0, 3]))
    pixels = damaged_pixels(model, BATCHES)
    assert pixels.truth.tolist() == [2, 1] and pixels.counts.tolist() == [1, 1, 1]
    # log p(1) - log p(2), as the logits say, whatever bias the head predicts with
    differences = pixels.scores[:, 0] - pixels.scores[:, 1]
    np.testing.assert_allclose(differences, np.log([0.5 / 0.4, 0.7 / 0.1]), atol=0.01)  # float16
    chosen = calibrate_kind_bias(model, BATCHES)
    assert chosen.iou == pytest.approx(1)  # class 2 gets its pixel, class 1 keeps its own
    assert 0.23 < chosen.values[1] - chosen.values[0] < 1.94
    assert model.decode_head.kind_bias == (0, 3)  # choosing sets nothing
    assert calibrate_kind_bias(FakeModel(head(type='FCNHead')), BATCHES) is None
    nothing_damaged = [([[[0.9, 0.06, 0.04]]], [[1]])]
    assert calibrate_kind_bias(model, nothing_damaged) is None


def test_the_chosen_bias_is_set_on_the_model_and_its_config():
    model = FakeModel(head(type='DamageFirstFCNHead'))
    cfg = Config(dict(model=dict(decode_head=dict(type='DamageFirstFCNHead'))))
    set_kind_bias(model, cfg, (0.5, -1))
    assert model.decode_head.kind_bias == (0.5, -1.0)
    assert cfg.model.decode_head.kind_bias == [0.5, -1.0]
    with pytest.raises(ValueError, match=r'one value per damage class \(2\), got 3'):
        set_kind_bias(model, cfg, (0.5, -1, 2))
    with pytest.raises(ValueError, match='kind_bias must be finite numbers'):
        set_kind_bias(model, cfg, (0.5, float('nan')))
    assert model.decode_head.kind_bias == (0.5, -1.0)
    with pytest.raises(TypeError, match='FCNHead does not predict damage first'):
        set_kind_bias(FakeModel(head(type='FCNHead')), cfg, (0, 0))
