"""The kind bias of a damage-first model, chosen on a split, and set where it is used.

Which damage a damaged pixel is matters to a conservator (a hair is dusted off, a scratch is
not), and a model trained on synthetic damage is not calibrated between kinds that look
alike: the starter model learnt to call most hairs scratches. A bias per kind, added to the
kinds' log-probabilities before the most probable is named, chosen for the best mean IoU of
the damage classes on the validation split, names them better. It never changes which pixels
are damaged (the damage threshold decides that), so damaged shares stay as they were.

A bias breaks near-ties between kinds the model has learnt; it should not raise a kind the
model never names. A kind never named on the split gets no bias of its own, and no bias goes
beyond +-1 (e times as likely): on the starter model's validation scans, +1.25 on Fold, which
it never named, made a fifth of their Fold right, and renamed most of the crack networks of
the real photographs in ``resources/real_photos`` Fold.
"""
from typing import Iterable, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config

from ..models.decode_heads.damage_first_prediction import check_kind_bias
from .damage_threshold import predicts_damage_first

# Biases tried per kind: from e^-1 to e times as likely, in quarter steps.
GRID = tuple(np.arange(-4, 5) / 4)


class KindBias(NamedTuple):
    """A kind bias chosen on a split.

    Attributes:
        values (tuple[float]): One bias per damage class (all classes but Clean).
        iou (float): The mean IoU (0-1) of the damage classes present in the split with it.
        iou_without (float): The same without a bias.
    """
    values: Tuple[float, ...]
    iou: float
    iou_without: float


class DamagedPixels(NamedTuple):
    """What naming the damaged pixels of a split needs.

    Attributes:
        scores (np.ndarray): P x K damage classes' log-probabilities (each row less the same
            amount, float16) of the P pixels predicted damaged.
        truth (np.ndarray): Their true classes (P).
        counts (np.ndarray): Pixels of each class in the split (C = K + 1), Clean first.
    """
    scores: np.ndarray
    truth: np.ndarray
    counts: np.ndarray


def damaged_pixels(model, dataloader: Iterable) -> DamagedPixels:
    """The pixels a damage-first model predicts damaged over a split (pixels labelled 255 left
    out), with its unbiased kind scores there, and every class's pixel count."""
    head = model.decode_head
    scores, truth, counts = [], [], np.zeros(head.num_classes, np.int64)
    model.eval()
    with torch.no_grad():
        for data in dataloader:
            for sample in model.test_step(data):
                logits = sample.seg_logits.data[None]
                kinds = head.damage_kind_scores(logits)[0].cpu().numpy()
                labels = sample.gt_sem_seg.data[0].cpu().numpy()
                # the model's own decision: where it predicts a damage class
                damaged = (sample.pred_sem_seg.data[0].cpu().numpy() > 0) & (labels != 255)
                counts += np.bincount(labels[labels != 255].ravel(),
                                      minlength=head.num_classes)[:head.num_classes]
                scores.append(kinds[:, damaged].T.astype(np.float16))
                truth.append(labels[damaged])
    return DamagedPixels(np.concatenate(scores).astype(np.float32),
                         np.concatenate(truth).astype(np.int64), counts)


def mean_damage_iou(named: np.ndarray, pixels: DamagedPixels) -> float:
    """The mean IoU (0-1) of the damage classes present, where the damaged pixels are named
    ``named`` (class ids, 1 to K) and the others Clean."""
    counts = pixels.counts
    classes = len(counts)
    confusion = np.bincount(pixels.truth * classes + named,
                            minlength=classes * classes).reshape(classes, classes)
    hits = np.diag(confusion)
    union = counts + confusion.sum(axis=0) - hits
    present = np.flatnonzero(counts[1:] > 0) + 1
    return float(np.mean(hits[present] / union[present])) if len(present) else float('nan')


def best_kind_bias(pixels: DamagedPixels, grid: Sequence[float] = GRID,
                   rounds: int = 4) -> KindBias:
    """The kind bias with the best mean damage-class IoU, by coordinate ascent over ``grid``:
    each kind present in the split and named there without a bias in turn takes the value
    best with the others held, until a round changes nothing. Of equal IoUs, the bias kept
    is the one closest to zero; the other kinds keep none.
    """
    scores, kinds = pixels.scores, pixels.scores.shape[1]
    bias = np.zeros(kinds)
    named = scores.argmax(axis=1) + 1
    without = best = mean_damage_iou(named, pixels)
    learnt = np.bincount(named, minlength=kinds + 1)[1:] > 0
    present = np.flatnonzero((pixels.counts[1:] > 0) & learnt)
    for _ in range(rounds):
        changed = False
        for kind in present:
            others = scores + bias
            others[:, kind] = -np.inf
            runner_up, second = others.max(axis=1), others.argmax(axis=1) + 1
            trials = []
            for value in grid:
                trial = np.where(scores[:, kind] + value > runner_up, kind + 1, second)
                trials.append((mean_damage_iou(trial, pixels), -abs(value), value))
            iou, _, value = max(trials)
            if iou > best:
                best, bias[kind], changed = iou, value, True
        if not changed:
            break
    return KindBias(tuple(float(value) for value in bias), best, without)


def calibrate_kind_bias(model, dataloader: Iterable) -> Optional[KindBias]:
    """The kind bias with the best mean damage-class IoU on a split, at the model's damage
    threshold, or None for a model that does not predict damage first or a split without
    predicted damage. The model is left as it was.
    """
    if not predicts_damage_first(model):
        return None
    pixels = damaged_pixels(model, dataloader)
    return best_kind_bias(pixels) if len(pixels.truth) else None


def set_kind_bias(model, cfg: Config, values: Sequence[float]) -> None:
    """Set the kind bias of a damage-first model and of its config, which is what gets
    published: the two never disagree.

    Args:
        model: A segmentor whose decode head predicts damage first.
        cfg (Config): The model's config; ``cfg.model.decode_head.kind_bias`` is set.
        values (sequence of float): One bias per damage class.
    """
    if not predicts_damage_first(model):
        raise TypeError(f'{type(model.decode_head).__name__} does not predict damage first '
                        '(it has no damage_probability): it has no kind bias to set')
    bias = check_kind_bias(values, model.decode_head.num_classes)
    model.decode_head.kind_bias = bias
    cfg.model.decode_head.kind_bias = list(bias)
