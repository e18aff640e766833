"""The damage threshold chosen on a split: histograms of the damage probability, best IoU, and
the one place that sets the chosen value on the model and its config."""
import math

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmseg_heritage.evaluation import (DamageThreshold, best_damage_threshold,
                                       calibrate_damage_threshold,
                                       damage_probability_histograms, set_damage_threshold)


def test_the_best_threshold_is_the_edge_with_the_best_damage_iou():
    damaged = np.array([0, 0, 0, 5, 5, 0, 0, 0, 0, 0])  # 10 damaged pixels at p 0.3-0.5
    clean = np.array([50, 20, 3, 0, 0, 0, 0, 1, 0, 0])  # one confident false alarm
    # at 0.2: 10 / (10 + 4); at 0.3: 10 / (10 + 1); at 0.4: 5 / (10 + 1)
    threshold, iou = best_damage_threshold(damaged, clean)
    assert threshold == 0.3 and iou == pytest.approx(10 / 11)


def head(**kwargs):
    """A tiny decode head of Clean and one damage class."""
    return MODELS.build(dict(in_channels=1, channels=1, num_convs=1, concat_input=False,
                             loss_decode=dict(type='ClassWeightedDiceCELoss'), out_channels=2,
                             num_classes=2, **kwargs))


class FakeModel:
    """A segmentor stand-in whose decode head predicts from logits of P(damage) = p per pixel,
    as a segmentor's ``test_step`` does after the head's forward pass."""

    def __init__(self, decode_head):
        self.decode_head = decode_head
        self.seen = []

    def eval(self):
        return self

    def test_step(self, data):
        self.seen.append(getattr(self.decode_head, 'damage_threshold', None))
        p_damage, truth = data
        p_damage = torch.tensor(p_damage)
        logits = torch.stack([torch.log(1 - p_damage), torch.log(p_damage)])[None]
        metas = [dict(img_shape=tuple(p_damage.shape))]
        return [SegDataSample(seg_logits=PixelData(
                    data=self.decode_head.predict_by_feat(logits, metas)[0]),
                              gt_sem_seg=PixelData(data=torch.tensor(truth)[None]))]


BATCHES = [([[0.05, 0.35], [0.95, 0.5]], [[0, 3], [255, 1]]),
           ([[0.15, 0.85]], [[2, 0]])]


def test_histograms_count_damaged_and_clean_pixels_by_their_damage_probability():
    model = FakeModel(head(type='DamageFirstFCNHead', damage_threshold=0.3))
    damaged, clean = damage_probability_histograms(model, BATCHES, bins=10)
    assert damaged.tolist() == [0, 1, 0, 1, 0, 1, 0, 0, 0, 0]  # 0.35, 0.5 and 0.15
    assert clean.tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 1, 0]  # 0.05 and 0.85; 255 left out
    # Read from what the head predicts with its own threshold, which nothing touched.
    assert model.seen == [0.3, 0.3]
    assert model.decode_head.damage_threshold == 0.3
    assert not math.isnan(best_damage_threshold(damaged, clean)[1])


def test_only_heads_that_predict_damage_first_are_calibrated():
    model = FakeModel(head(type='DamageFirstFCNHead', damage_threshold=0.3))
    chosen = calibrate_damage_threshold(model, BATCHES)
    assert chosen == DamageThreshold(*best_damage_threshold(
        *damage_probability_histograms(model, BATCHES)))
    assert model.decode_head.damage_threshold == 0.3  # choosing sets nothing
    plain = FakeModel(head(type='FCNHead'))
    assert calibrate_damage_threshold(plain, BATCHES) is None and plain.seen == []


def test_the_chosen_threshold_is_set_on_the_model_and_its_config():
    model = FakeModel(head(type='DamageFirstFCNHead'))
    cfg = Config(dict(model=dict(decode_head=dict(type='DamageFirstFCNHead'))))
    set_damage_threshold(model, cfg, 0.305)
    assert model.decode_head.damage_threshold == cfg.model.decode_head.damage_threshold == 0.305
    with pytest.raises(ValueError, match='damage_threshold must lie between 0 and 1, got 1'):
        set_damage_threshold(model, cfg, 1)
    assert model.decode_head.damage_threshold == cfg.model.decode_head.damage_threshold == 0.305
    with pytest.raises(TypeError, match='FCNHead does not predict damage first'):
        set_damage_threshold(FakeModel(head(type='FCNHead')), cfg, 0.4)
