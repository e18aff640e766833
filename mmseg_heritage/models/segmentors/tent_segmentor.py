"""TENT test-time adaptation (Wang et al., "Tent: Fully Test-Time Adaptation by Entropy
Minimization", ICLR 2021) for MMSeg's encoder-decoder segmentors.

Before predicting a test batch, the model takes ``adapt_steps`` optimiser steps that lower the
mean entropy of its softmax predictions on that batch, updating only the affine weight and
bias of its normalisation layers; batch-norm layers normalise with the test batch's own
statistics, as in TENT. The running statistics stored in batch-norm layers are left untouched
(TENT discards them instead), so every buffer of the model stays as trained.
"""
from contextlib import contextmanager
from typing import Iterator, List, Optional, Sequence

import torch
import torch.nn as nn
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS, OPTIMIZERS
from mmseg.utils import ConfigType, OptSampleList, SampleList
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm


def batch_img_metas(inputs: Tensor, data_samples: OptSampleList) -> List[dict]:
    """Image metainfo of a batch, as ``EncoderDecoder.predict`` makes it."""
    if data_samples is not None:
        return [data_sample.metainfo for data_sample in data_samples]
    shape = inputs.shape[2:]
    return [dict(ori_shape=shape, img_shape=shape, pad_shape=shape, padding_size=[0] * 4)
            for _ in range(inputs.shape[0])]


def _batch_statistics_where_defined(module: _BatchNorm, args: tuple) -> None:
    """Forward pre-hook: batch statistics, or the running ones for one value per channel.

    A pooled 1 x 1 map of a single image (UPerNet's pyramid pooling, DeepLabV3+'s image
    pooling) has no batch variance; such a layer falls back to its running statistics.
    """
    values = args[0]
    module.training = values.numel() > values.shape[1]


@contextmanager
def normalisation_for_adaptation(layers: Sequence[nn.Module]) -> Iterator[None]:
    """Within the block, batch-norm layers among ``layers`` normalise with batch statistics.

    Their running statistics are neither used (where batch statistics exist) nor updated,
    and their ``training`` flags and settings are restored on leaving.
    """
    batch_norms = [layer for layer in layers if isinstance(layer, _BatchNorm)]
    saved = [(layer, layer.training, layer.track_running_stats) for layer in batch_norms]
    handles = [layer.register_forward_pre_hook(_batch_statistics_where_defined)
               for layer in batch_norms]
    for layer in batch_norms:
        layer.track_running_stats = False  # in training mode: batch statistics, no updates
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
        for layer, training, track_running_stats in saved:
            layer.training = training
            layer.track_running_stats = track_running_stats


@MODELS.register_module()
class TentSegmentor(EncoderDecoder):
    """``EncoderDecoder`` that adapts itself to each test batch by TENT before predicting.

    Select it in a config on top of any ``EncoderDecoder`` model:
    ``model = dict(type='TentSegmentor', adapt_optimizer=dict(type='Adam', lr=1e-3))``.
    Its parameters and buffers are those of ``EncoderDecoder``, under the same names, so a
    checkpoint trained without TENT loads as it is (``tools/test.py CONFIG CHECKPOINT``);
    training is plain ``EncoderDecoder`` training. Adaptation runs wherever MMSeg predicts
    (``val_step``, ``test_step``, ``forward(mode='predict')``, ``MMSegInferencer``), even
    inside ``torch.no_grad()``.

    The model's own parameters are back to their trained values after every batch, so
    checkpoints saved after a validation (``save_best``) hold trained weights, never adapted
    ones. With ``episodic=False`` the adapted values and the optimiser state are carried over
    from batch to batch, in memory only, so adaptation continues over the whole test set;
    :meth:`reset_adaptation`, or switching the model back to training, discards them. Under
    distributed testing each process adapts on its own share of the test set.

    Args:
        adapt_steps (int): Optimiser steps of entropy minimisation per test batch; 0 only
            switches batch-norm layers to the test batch's statistics. Defaults to 1.
        adapt_optimizer (dict): Optimiser of the normalisation parameters, built from MMSeg's
            (MMEngine's, PyTorch's) optimisers. TENT's rates (Adam at 1e-3, SGD with momentum
            0.9 at 2.5e-4) were for batches of 64 images and more; smaller test batches give
            noisier gradients and want a smaller rate. Defaults to
            ``dict(type='Adam', lr=1e-4)``.
        episodic (bool): True: every batch starts from the trained weights (per-batch
            adaptation). False: each batch starts where the previous one left off
            (continual adaptation over the test set, TENT's default). Defaults to False.
        adapt_norm_types (Sequence[str]): Normalisation layers whose affine parameters are
            adapted, by their names in MMCV's norm registry (``norm_cfg`` types; subclasses
            count, e.g. timm's ``LayerNorm2d`` as ``'LN'``). Batch-norm layers among them use
            batch statistics. Defaults to ``('BN', 'SyncBN', 'GN', 'LN')``.
        **kwargs: Passed to :class:`mmseg.models.segmentors.EncoderDecoder` (``backbone``,
            ``decode_head``, ``data_preprocessor``, ...).
    """

    def __init__(self,
                 adapt_steps: int = 1,
                 adapt_optimizer: ConfigType = dict(type='Adam', lr=1e-4),
                 episodic: bool = False,
                 adapt_norm_types: Sequence[str] = ('BN', 'SyncBN', 'GN', 'LN'),
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if adapt_steps < 0:
            raise ValueError(f'adapt_steps must be non-negative, got {adapt_steps}')
        if self.out_channels == 1:
            raise ValueError('TentSegmentor minimises the entropy of a softmax over classes; '
                             'a single-channel (sigmoid) decode head is not supported')
        unknown = [name for name in adapt_norm_types if MODELS.get(name) is None]
        if unknown:
            raise ValueError(f'unknown normalisation types {unknown}; use norm_cfg type names '
                             f"such as 'BN', 'SyncBN', 'GN', 'LN'")
        self.adapt_steps = adapt_steps
        self.adapt_optimizer = adapt_optimizer
        self.episodic = episodic
        self.adapt_norm_types = tuple(adapt_norm_types)
        self._norm_classes = tuple(MODELS.get(name) for name in adapt_norm_types)
        if not self.adapted_parameters():
            raise ValueError(f'the model has no normalisation layer of types '
                             f'{self.adapt_norm_types} with affine parameters to adapt')
        self.reset_adaptation()

    def extra_repr(self) -> str:
        """Settings shown when the model is printed."""
        return (f'adapt_steps={self.adapt_steps}, adapt_optimizer={self.adapt_optimizer}, '
                f'episodic={self.episodic}, adapt_norm_types={self.adapt_norm_types}')

    def norm_layers(self) -> List[nn.Module]:
        """The normalisation layers TENT adapts."""
        return [module for module in self.modules() if isinstance(module, self._norm_classes)]

    def adapted_parameters(self) -> List[nn.Parameter]:
        """The affine weights and biases of :meth:`norm_layers`, the only parameters TENT
        changes."""
        return [param for layer in self.norm_layers() for param in (layer.weight, layer.bias)
                if isinstance(param, nn.Parameter)]

    def reset_adaptation(self) -> None:
        """Forget the adaptation carried over between batches (``episodic=False``)."""
        self._adapted_values: Optional[List[Tensor]] = None
        self._optimizer: Optional[torch.optim.Optimizer] = None

    def train(self, mode: bool = True) -> 'TentSegmentor':
        """Set training mode; entering it discards the carried-over adaptation, which was
        made for the weights about to change."""
        if mode:
            self.reset_adaptation()
        return super().train(mode)

    def prediction_entropy(self, inputs: Tensor, data_samples: OptSampleList = None) -> Tensor:
        """Mean per-pixel entropy of the softmax predictions, padding excluded.

        Args:
            inputs (Tensor): Preprocessed images, shape (N, C, H, W).
            data_samples (list[:obj:`SegDataSample`], optional): Their samples (for the
                padding and the sliding-window settings).

        Returns:
            Tensor: The scalar entropy, in nats, averaged over the pixels of each image and
            then over the images.
        """
        metas = batch_img_metas(inputs, data_samples)
        seg_logits = self.inference(inputs, metas)
        height, width = seg_logits.shape[2:]
        entropies = []
        for logits, meta in zip(seg_logits, metas):
            left, right, top, bottom = meta.get('img_padding_size',
                                                meta.get('padding_size', [0] * 4))
            log_prob = logits[:, top:height - bottom, left:width - right].float().log_softmax(0)
            entropies.append(-(log_prob.exp() * log_prob).sum(0).mean())
        return torch.stack(entropies).mean()

    def adapt(self, inputs: Tensor, data_samples: OptSampleList = None,
              optimizer: Optional[torch.optim.Optimizer] = None) -> None:
        """Take ``adapt_steps`` entropy-minimisation steps on a batch, in place.

        Only :meth:`adapted_parameters` change; gradients are enabled for the adaptation even
        inside ``torch.no_grad()`` and are not left on any parameter.

        Args:
            inputs (Tensor): Preprocessed images, shape (N, C, H, W).
            data_samples (list[:obj:`SegDataSample`], optional): Their samples.
            optimizer (Optimizer, optional): Optimiser over :meth:`adapted_parameters`.
                Defaults to None (a new one from ``adapt_optimizer``).
        """
        params = self.adapted_parameters()
        if optimizer is None:
            optimizer = OPTIMIZERS.build(dict(self.adapt_optimizer, params=params))
        # Frozen layers (e.g. a backbone's first stages) are adapted too, as in TENT.
        requires_grad = [param.requires_grad for param in params]
        try:
            with torch.enable_grad(), normalisation_for_adaptation(self.norm_layers()):
                for param in params:
                    param.requires_grad_(True)
                for _ in range(self.adapt_steps):
                    optimizer.zero_grad(set_to_none=True)
                    # Gradients for the adapted parameters only: none pile up elsewhere.
                    self.prediction_entropy(inputs, data_samples).backward(inputs=params)
                    optimizer.step()
        finally:
            optimizer.zero_grad(set_to_none=True)
            for param, flag in zip(params, requires_grad):
                param.requires_grad_(flag)

    def predict(self, inputs: Tensor, data_samples: OptSampleList = None) -> SampleList:
        """Adapt to the batch (see :meth:`adapt`), then predict it as ``EncoderDecoder``.

        Args:
            inputs (Tensor): Preprocessed images, shape (N, C, H, W).
            data_samples (list[:obj:`SegDataSample`], optional): Their samples.

        Returns:
            list[:obj:`SegDataSample`]: The predictions (``pred_sem_seg``, ``seg_logits``).
        """
        params = self.adapted_parameters()
        trained = [param.detach().clone() for param in params]
        carry_over = not self.episodic and self._adapted_values is not None
        try:
            if carry_over:
                self._copy_into(params, self._adapted_values)
                optimizer = self._optimizer
            else:
                optimizer = OPTIMIZERS.build(dict(self.adapt_optimizer, params=params))
            self.adapt(inputs, data_samples, optimizer)
            with normalisation_for_adaptation(self.norm_layers()):
                predictions = super().predict(inputs, data_samples)
            if not self.episodic:
                self._adapted_values = [param.detach().clone() for param in params]
                self._optimizer = optimizer
        finally:
            self._copy_into(params, trained)
        return predictions

    @staticmethod
    def _copy_into(params: Sequence[nn.Parameter], values: Sequence[Tensor]) -> None:
        with torch.no_grad():
            for param, value in zip(params, values):
                param.copy_(value)
