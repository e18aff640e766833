"""Per-class loss weights from pixel counts, saved as ``class_weights.json`` (read back by
``mmseg_heritage.utils.load_class_weights``, ``utils/class_weights_file.py``, which the loss
and the rare-class crop use).

With ``f_c`` the share of class ``c`` among labelled pixels (255 excluded):

- ``inverse``: ``1 / f_c``, scaled so that the mean weight of a labelled pixel is 1 (the
  weighted loss keeps the scale of the unweighted one).
- ``median``: median-frequency balancing (Eigen & Fergus), ``median(f) / f_c``: the inverse
  frequency scaled so that the median class weighs 1.
- ``log``: log-smoothed inverse frequency (ENet), ``1 / ln(1.02 + f_c)``, scaled like
  ``inverse``.
- ``sqrt_log``: its square root, ``1 / sqrt(ln(1.02 + f_c))``, scaled like ``inverse``: the
  same order by rarity, the rarest class at most about 6 times Clean.

Each is then clipped to ``clip``. Classes absent from the counts get the upper clip.

``log`` is the default. On ARTeFACT, Burn marks cover about 0.001 % of the labelled pixels and
Clean 86 %: ``inverse`` and ``median`` put the rare classes 10^4-10^5 times above Clean, so
after clipping every rare class sits at the clip and a few hundred pixels steer the gradient.
``log`` is bounded (the rarest class at most about 32 times Clean), still orders the classes
by rarity, and gives Clean about 0.35 and the rare classes about 10, which trains stably with
Dice + cross-entropy. ``sqrt_log`` is gentler still, for data whose damage is a few per cent of
the pixels (the starter's photo scans): stronger weights there paint damage over clean content.
"""
from typing import Dict, Sequence, Tuple

import numpy as np

from ...class_names import CLASSES
from ...utils.class_weights_file import DEFAULT_METHOD, WEIGHTING_METHODS

DEFAULT_CLIP = (0.05, 50.0)


def compute_class_weights(pixel_counts: Sequence[int], method: str = DEFAULT_METHOD,
                          clip: Tuple[float, float] = DEFAULT_CLIP) -> np.ndarray:
    """Class weights from per-class pixel counts.

    Args:
        pixel_counts: Labelled pixels of each class (255 excluded).
        method (str): One of ``WEIGHTING_METHODS``. Defaults to ``'log'``.
        clip (tuple): Lower and upper bound of the normalised weights.
            Defaults to (0.05, 50).

    Returns:
        np.ndarray: float64 weights, one per class.
    """
    counts = np.asarray(pixel_counts, np.float64)
    if counts.ndim != 1 or counts.size == 0 or (counts < 0).any():
        raise ValueError(f'pixel counts must be a list of non-negative numbers, got {counts}')
    if counts.sum() <= 0:
        raise ValueError('pixel counts are all zero: no labelled pixels to weight from')
    share = counts / counts.sum()
    present = share > 0
    with np.errstate(divide='ignore'):
        if method == 'inverse':
            raw = 1.0 / share
        elif method == 'median':
            raw = np.median(share[present]) / share
        elif method == 'log':
            raw = 1.0 / np.log(1.02 + share)
        elif method == 'sqrt_log':
            raw = 1.0 / np.sqrt(np.log(1.02 + share))
        else:
            raise ValueError(f'unknown class weighting {method!r}; use one of {WEIGHTING_METHODS}')
    if method != 'median':
        raw = raw / np.sum(share[present] * raw[present])
    raw[~present] = np.inf  # absent classes: as rare as can be, i.e. the upper clip
    return np.clip(raw, *clip)


def class_weights_record(pixel_counts: Sequence[int],
                         clip: Tuple[float, float] = DEFAULT_CLIP) -> Dict:
    """Every weighting scheme for the counts, as the dict saved in ``class_weights.json``."""
    return dict(
        version=1,
        default=DEFAULT_METHOD,
        classes=list(CLASSES),
        pixel_counts=[int(n) for n in pixel_counts],
        clip=list(clip),
        weights={method: [round(float(w), 6) for w in
                          compute_class_weights(pixel_counts, method, clip)]
                 for method in WEIGHTING_METHODS},
    )
