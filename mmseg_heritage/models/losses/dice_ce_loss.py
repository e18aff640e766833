"""Class-weighted soft Dice + cross-entropy for heavily imbalanced damage segmentation.

With ``V`` the labelled pixels (label != ignore index), ``p`` the softmax probabilities,
``g`` the one-hot labels, ``w`` the class weights, ``v_i`` the optional per-pixel weight
from a pixel sampler (1 without one) and ``sum_V`` a sum over the pixels ``i`` in ``V``:

- cross-entropy, a weighted mean over the labelled pixels::

      CE = sum_V v_i w_{y_i} ce_i / sum_V v_i w_{y_i}

  Dividing by the summed weights (not by the pixel count) keeps the loss on the scale of an
  unweighted CE whatever the share of rare pixels in the batch; a batch of only Clean pixels
  and one rich in Burn marks give comparable loss values, only their gradients lean differently.
  Without pixel weights this is PyTorch's ``F.cross_entropy(weight=w, reduction='mean')``.
- soft Dice, over the whole batch (not per image)::

      dice_c = (2 sum_V p_ic g_ic + smooth) / (sum_V p_ic + sum_V g_ic + smooth)
      Dice   = sum_{c in P} w_c (1 - dice_c) / sum_{c in P} w_c

  where ``P`` holds the classes present among the batch's labelled pixels. A class absent
  from the labels would score ``1 - smooth / (sum p_c + smooth)``, which over a batch of
  hundreds of thousands of pixels sits at about 1 with a vanishing gradient until the model
  predicts well under one pixel's worth of it: the rare, heavily weighted classes, absent from
  most batches, would add a near-constant floor that drowns the Dice signal of the classes that
  are there. Wrongly predicting an absent class is still paid for, by the cross-entropy and by
  the Dice of the present class whose pixels lost that probability. Summing over the batch
  rather than per image scores a rare class once on all its pixels, not once per image on a
  handful of them (noisy, and undefined on the images without it).

The total is ``loss_weight * (ce_weight * CE + dice_weight * Dice)``. Without labelled
pixels both sums are empty and the loss is exactly 0, still part of the graph, with zero
gradients.
"""
from pathlib import Path
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS

from ...utils.class_weights_file import load_class_weights


def _safe_ratio(numerator: torch.Tensor, denominator: torch.Tensor) -> torch.Tensor:
    """``numerator / denominator``, with 0 where the denominator is 0.

    Every caller's numerator is 0 wherever its denominator is (an empty or zero-weighted sum,
    or a Dice with ``smooth=0`` on no pixels), so 0 stands for the empty sum, reached without
    NaN, not even in the gradient, and without a data-dependent branch.
    """
    empty = denominator == 0
    return torch.where(empty, torch.zeros_like(numerator),
                       numerator / torch.where(empty, torch.ones_like(denominator), denominator))


def _check_inputs(cls_score: torch.Tensor, label: torch.Tensor,
                  weight: Optional[torch.Tensor], reduction_override: Optional[str],
                  kwargs: dict) -> None:
    """Refuse what :meth:`ClassWeightedDiceCELoss.forward` cannot compute, naming it."""
    passed = sorted(key for key, value in kwargs.items() if value is not None)
    if passed:
        raise TypeError(f'ClassWeightedDiceCELoss does not take {passed}')
    if reduction_override not in (None, 'mean', 'none'):
        raise ValueError(f"reduction_override must be None, 'mean' or 'none', "
                         f'got {reduction_override!r}')
    if cls_score.dim() != 4 or label.shape != cls_score.shape[:1] + cls_score.shape[2:]:
        raise ValueError(f'expected logits N x C x H x W and labels N x H x W, got logits '
                         f'{tuple(cls_score.shape)} and labels {tuple(label.shape)}')
    if weight is not None and weight.shape != label.shape:
        raise ValueError(f'per-pixel weights have shape {tuple(weight.shape)}, '
                         f'the labels {tuple(label.shape)}')


def labelled_pixels(label: torch.Tensor, num_classes: int,
                    ignore_index: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """The labelled pixels of a batch and their class ids.

    Args:
        label (Tensor): Class ids, shape (N, H, W); ``ignore_index`` marks unlabelled pixels.
        num_classes (int): Number of classes of the logits.
        ignore_index (int): Label of the pixels that take no part.

    Returns:
        tuple[Tensor, Tensor]: The class ids with 0 on unlabelled pixels (long, N x H x W) and
        the mask of labelled pixels (bool, N x H x W).

    Raises:
        ValueError: A label is neither a class id nor ``ignore_index``.
    """
    label = label.long()
    valid = label != ignore_index
    out_of_range = valid & ((label < 0) | (label >= num_classes))
    if out_of_range.any():
        found = label[out_of_range].unique().tolist()
        raise ValueError(f'labels must be class ids 0-{num_classes - 1} or the ignore '
                         f'index {ignore_index}; found {found}')
    return torch.where(valid, label, torch.zeros_like(label)), valid


def class_weighted_cross_entropy(log_prob: torch.Tensor, target: torch.Tensor,
                                 pixel_weight: torch.Tensor,
                                 reduction: str = 'mean') -> torch.Tensor:
    """Cross-entropy weighted per pixel: ``sum_i v_i ce_i / sum_i v_i`` (0 without weight).

    Args:
        log_prob (Tensor): Log-probabilities, shape (N, C, H, W).
        target (Tensor): Class ids, shape (N, H, W).
        pixel_weight (Tensor): Each pixel's weight ``v_i``, its class weight times its sampler
            weight (0 on unlabelled pixels), shape (N, H, W).
        reduction (str): ``'mean'`` for the weighted mean, ``'none'`` for the weighted
            per-pixel cross-entropy ``v_i ce_i``. Defaults to ``'mean'``.

    Returns:
        Tensor: A scalar, or (N, H, W) for ``reduction='none'``.
    """
    ce = -log_prob.gather(1, target.unsqueeze(1)).squeeze(1)
    if reduction == 'none':
        return pixel_weight * ce
    return _safe_ratio((pixel_weight * ce).sum(), pixel_weight.sum())


def class_weighted_dice_loss(prob: torch.Tensor, target: torch.Tensor, valid: torch.Tensor,
                             class_weight: torch.Tensor, smooth: float = 1.0) -> torch.Tensor:
    """Soft Dice loss over the whole batch, a class-weighted mean over the classes present
    among its labelled pixels (see the module docstring).

    Args:
        prob (Tensor): Probabilities, 0 on unlabelled pixels, shape (N, C, H, W).
        target (Tensor): Class ids, shape (N, H, W).
        valid (Tensor): Mask of the labelled pixels, shape (N, H, W).
        class_weight (Tensor): One weight per class, shape (C, ).
        smooth (float): Added to the numerator and denominator of each class's Dice.
            Defaults to 1.0.

    Returns:
        Tensor: The scalar loss; 0 without labelled pixels.
    """
    classes = torch.arange(prob.shape[1], device=target.device).view(1, -1, 1, 1)
    one_hot = ((target.unsqueeze(1) == classes) & valid.unsqueeze(1)).to(prob.dtype)
    dims = (0, 2, 3)  # the whole batch at once
    intersection = (prob * one_hot).sum(dims)
    target_area = one_hot.sum(dims)
    dice = _safe_ratio(2 * intersection + smooth, prob.sum(dims) + target_area + smooth)
    present_weight = class_weight * (target_area > 0)
    return _safe_ratio((present_weight * (1 - dice)).sum(), present_weight.sum())


@MODELS.register_module()
class ClassWeightedDiceCELoss(nn.Module):
    """Class-weighted softmax cross-entropy plus class-weighted multi-class soft Dice.

    See the module docstring for the formulas. The loss is computed in float32 (in float64
    for float64 logits), so bfloat16 and float16 logits from mixed precision are safe.

    Args:
        class_weight (list[float] | str, optional): One non-negative weight per class, or the
            path of a JSON file holding a plain list or the record written by
            :func:`mmseg_heritage.datasets.preparation.class_weights.class_weights_record`.
            Defaults to None (every class weighs 1).
        weighting (str, optional): Which scheme of a JSON record to read (``'inverse'``,
            ``'median'`` or ``'log'``). Defaults to None (the record's default).
        ce_weight (float): Factor of the cross-entropy term. Defaults to 1.0.
        dice_weight (float): Factor of the Dice term. Defaults to 1.0.
        smooth (float): Added to the numerator and denominator of each class's Dice, so a
            class with few pixels gets a smooth, finite score. Defaults to 1.0.
        loss_weight (float): Factor of the whole loss. Defaults to 1.0.
        loss_name (str): Key of the loss in mmseg's loss dict; must start with ``'loss_'`` so
            mmseg adds it to the total it back-propagates. Defaults to ``'loss_dice_ce'``.
        ignore_index (int): Label of pixels that take no part (background outside the
            artefact). Used when the caller passes none; mmseg's decode heads pass theirs.
            Defaults to 255.
    """

    def __init__(self,
                 class_weight: Union[None, str, Path, Sequence[float]] = None,
                 weighting: Optional[str] = None,
                 ce_weight: float = 1.0,
                 dice_weight: float = 1.0,
                 smooth: float = 1.0,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_dice_ce',
                 ignore_index: int = 255) -> None:
        super().__init__()
        # Only training needs the weights: a model built for inference where the dataset's
        # weights file is absent still loads, and training stops at its first loss instead.
        self.missing_weights_file = None
        if isinstance(class_weight, (str, Path)) and not Path(class_weight).is_file():
            self.missing_weights_file, class_weight = str(class_weight), None
        if class_weight is not None:
            class_weight = load_class_weights(class_weight, weighting)
            if not all(0 <= w < float('inf') for w in class_weight):
                raise ValueError(f'class weights must be finite and non-negative, '
                                 f'got {class_weight}')
        for name, value in (('ce_weight', ce_weight), ('dice_weight', dice_weight),
                            ('smooth', smooth)):
            if not value >= 0:
                raise ValueError(f'{name} must be non-negative, got {value}')
        if not loss_name.startswith('loss_'):
            raise ValueError(f"loss_name must start with 'loss_' (mmseg only back-propagates "
                             f"such keys), got {loss_name!r}")
        self.class_weight = class_weight
        self.ce_weight = ce_weight
        self.dice_weight = dice_weight
        self.smooth = smooth
        self.loss_weight = loss_weight
        self.ignore_index = ignore_index
        self._loss_name = loss_name

    def extra_repr(self) -> str:
        """Settings shown when the model is printed."""
        return (f'ce_weight={self.ce_weight}, dice_weight={self.dice_weight}, '
                f'smooth={self.smooth}, ignore_index={self.ignore_index}')

    def forward(self,
                cls_score: torch.Tensor,
                label: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                ignore_index: Optional[int] = None,
                reduction_override: Optional[str] = None,
                **kwargs) -> torch.Tensor:
        """Loss of a batch of logits against its labels.

        Args:
            cls_score (Tensor): Logits, shape (N, C, H, W).
            label (Tensor): Class ids, shape (N, H, W); ``ignore_index`` marks unlabelled
                pixels.
            weight (Tensor, optional): Per-pixel weights, shape (N, H, W), e.g. the 0/1 mask
                of mmseg's ``OHEMPixelSampler``. They weight each pixel's cross-entropy in the
                weighted mean; Dice keeps every labelled pixel, because an overlap measured on
                the hard pixels alone would no longer be the overlap of the regions.
            ignore_index (int, optional): Overrides the ``ignore_index`` given at
                construction; mmseg's decode heads pass their own.
            reduction_override (str, optional): None or ``'mean'`` for the scalar loss;
                ``'none'`` for the per-pixel class-weighted cross-entropy
                ``loss_weight * v_i * w_{y_i} * ce_i`` (0 on ignored pixels), shape (N, H, W),
                which ``OHEMPixelSampler`` without ``thresh`` asks for to rank pixels. It leaves
                out ``ce_weight`` so that a Dice-heavy mix still ranks pixels by difficulty;
                Dice has no per-pixel share.
            **kwargs: Further arguments mmseg may pass to its losses (``avg_factor``); only
                None is accepted, since this loss normalises itself.

        Returns:
            Tensor: The scalar loss, or the per-pixel map for ``reduction_override='none'``.
        """
        _check_inputs(cls_score, label, weight, reduction_override, kwargs)
        if ignore_index is None:
            ignore_index = self.ignore_index
        num_classes = cls_score.shape[1]
        dtype = torch.promote_types(cls_score.dtype, torch.float32)
        class_weight = self._class_weight(num_classes, cls_score.device, dtype)
        target, valid = labelled_pixels(label, num_classes, ignore_index)
        # Ignored pixels' logits are replaced, not merely weighted by 0: whatever they hold
        # (even inf or NaN) then changes neither the loss nor any gradient.
        logits = torch.where(valid.unsqueeze(1), cls_score.to(dtype),
                             torch.zeros((), dtype=dtype, device=cls_score.device))
        log_prob = F.log_softmax(logits, dim=1)

        pixel_weight = class_weight[target] * valid
        if weight is not None:
            pixel_weight = pixel_weight * weight.to(dtype)
        if reduction_override == 'none':
            return class_weighted_cross_entropy(log_prob, target, self.loss_weight * pixel_weight,
                                                reduction='none')
        ce_loss = class_weighted_cross_entropy(log_prob, target, pixel_weight)
        dice_loss = class_weighted_dice_loss(log_prob.exp() * valid.unsqueeze(1), target, valid,
                                             class_weight, self.smooth)
        return self.loss_weight * (self.ce_weight * ce_loss + self.dice_weight * dice_loss)

    def _class_weight(self, num_classes: int, device: torch.device,
                      dtype: torch.dtype) -> torch.Tensor:
        """The class weights as a tensor, checked against the logits' number of classes."""
        if self.missing_weights_file:
            raise FileNotFoundError(f'{self.missing_weights_file}: class weights file not '
                                    'found (the loss needs it to train)')
        if self.class_weight is None:
            return torch.ones(num_classes, device=device, dtype=dtype)
        if len(self.class_weight) != num_classes:
            raise ValueError(f'{len(self.class_weight)} class weights given, but the logits '
                             f'have {num_classes} classes')
        return torch.tensor(self.class_weight, device=device, dtype=dtype)

    @property
    def loss_name(self) -> str:
        """Key of this loss in mmseg's loss dict, where 'loss_' marks a term to back-propagate."""
        return self._loss_name
