"""The damage threshold chosen on a split: histograms of the damage probability, best IoU."""
import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmseg_heritage.evaluation import best_damage_threshold, damage_probability_histograms


def test_the_best_threshold_is_the_edge_with_the_best_damage_iou():
    damaged = np.array([0, 0, 0, 5, 5, 0, 0, 0, 0, 0])  # 10 damaged pixels at p 0.3-0.5
    clean = np.array([50, 20, 3, 0, 0, 0, 0, 1, 0, 0])  # one confident false alarm
    # at 0.2: 10 / (10 + 4); at 0.3: 10 / (10 + 1); at 0.4: 5 / (10 + 1)
    threshold, iou = best_damage_threshold(damaged, clean)
    assert threshold == 0.3 and iou == pytest.approx(10 / 11)


class FakeModel:
    """A damage-first segmentor stand-in: scores of P(Clean) = 1 - p per pixel."""

    def __init__(self, threshold):
        self.decode_head = SimpleNamespace(damage_threshold=threshold)
        self.seen = []

    def eval(self):
        return self

    def test_step(self, data):
        self.seen.append(self.decode_head.damage_threshold)
        p_damage, truth = data
        clean = torch.log(1 - torch.tensor(p_damage))[None]
        return [SegDataSample(seg_logits=PixelData(data=torch.cat([clean, clean - 1])),
                              gt_sem_seg=PixelData(data=torch.tensor(truth)[None]))]


def test_histograms_count_damaged_and_clean_pixels_by_their_damage_probability():
    batches = [([[0.05, 0.35], [0.95, 0.5]], [[0, 3], [255, 1]]),
               ([[0.15, 0.85]], [[2, 0]])]
    model = FakeModel(threshold=0.3)
    damaged, clean = damage_probability_histograms(model, batches, bins=10)
    assert damaged.tolist() == [0, 1, 0, 1, 0, 1, 0, 0, 0, 0]  # 0.35, 0.5 and 0.15
    assert clean.tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 1, 0]  # 0.05 and 0.85; 255 left out
    assert model.seen == [0.5, 0.5]  # predicted as probabilities
    assert model.decode_head.damage_threshold == 0.3  # and given back its threshold
    assert not math.isnan(best_damage_threshold(damaged, clean)[1])
