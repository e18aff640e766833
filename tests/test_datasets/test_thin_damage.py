"""Thin damage of the starter recipe: scratches across the frame, hairs and specks, a pixel or
two wide."""
import cv2
import numpy as np

from mmseg_heritage.datasets.preparation.synthetic.thin_damage import (dust_specks,
                                                                        frame_scratch,
                                                                        single_hair)

IMAGE = np.zeros((200, 300, 3), np.float32)


def test_frame_scratches_cross_the_whole_frame_and_stay_thin():
    along, across = 0, 0
    for seed in range(20):
        alpha = frame_scratch(np.random.default_rng(seed), IMAGE)
        assert alpha.shape == IMAGE.shape[:2] and 0 <= alpha.min() and alpha.max() <= 1
        marked = alpha > 0.3
        if marked[0].any() and marked[-1].any():  # top to bottom, along the film
            along += 1
            # At most three scratches, each at most a few pixels wide, in every row.
            assert marked.sum(axis=1).max() <= 3 * 5
        if marked[:, 0].any() and marked[:, -1].any():
            across += 1
    assert along >= 10 and across >= 1


def test_a_hair_is_one_thin_curve_and_specks_are_small():
    for seed in range(10):
        hair = single_hair(np.random.default_rng(seed), IMAGE) > 0.3
        count, _, stats, _ = cv2.connectedComponentsWithStats(hair.astype(np.uint8), 8)
        assert count - 1 <= 2 and hair.sum() >= 10  # one strand (it may leave and re-enter)
        thin = cv2.erode(hair.astype(np.uint8), np.ones((4, 4), np.uint8))
        assert not thin.any()  # nowhere four pixels thick
        specks = dust_specks(np.random.default_rng(seed), IMAGE) > 0.3
        count, _, stats, _ = cv2.connectedComponentsWithStats(specks.astype(np.uint8), 8)
        areas = stats[1:, cv2.CC_STAT_AREA]  # up to 29 px each; two may touch
        assert count > 1 and np.median(areas) <= 13 and areas.max() <= 60


def test_hairs_bend_where_scratches_run_straight():
    def bend(alpha):
        """How far the marked pixels stray from their best straight line, per unit of length."""
        rows, cols = np.nonzero(alpha > 0.3)
        points = np.stack([cols, rows], 1).astype(float)
        points -= points.mean(0)
        along, across = np.linalg.svd(points, full_matrices=False)[2]
        return np.abs(points @ across).max() / max(np.ptp(points @ along), 1)

    hairs = [bend(single_hair(np.random.default_rng(seed), IMAGE)) for seed in range(30)]
    assert np.median(hairs) > 0.1 and np.mean(np.array(hairs) > 0.2) > 0.3
    assert bend(frame_scratch(np.random.default_rng(2), IMAGE)) < 0.05  # one scratch
