from typing import Dict, List, Mapping, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmseg.models.decode_heads import UPerHead
from mmseg.models.losses import accuracy
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, SampleList
from torch import Tensor

from ...class_names import IGNORE_INDEX, LEVELS, build_level_luts, derive_labels

LossConfig = Union[ConfigType, Sequence[ConfigType]]

# Logged per level; keys without 'loss' are logged by mmseg but not added to the total.
_ACCURACY_KEYS = {'binary': 'acc_binary', 'coarse': 'acc_coarse', 'fine': 'acc_seg'}


@MODELS.register_module()
class HierarchicalUPerHead(UPerHead):
    """UPerNet head that classifies each pixel at three levels of the damage hierarchy.

    One shared UPerNet neck (pyramid pooling, FPN and bottleneck of :class:`UPerHead`) feeds
    three 1x1 classifiers: ``binary`` (Clean / Damage), ``coarse`` (Clean and one class per
    damage group of ``coarse_groups``) and ``fine`` (the ``num_classes`` classes; UPerHead's own
    ``conv_seg``). Training supervises every level: the binary and coarse labels are derived
    from the fine mask (:mod:`mmseg_heritage.class_names`), 255 stays ignored, and each
    level's losses are multiplied by ``level_weights[level]``, which
    :class:`~mmseg_heritage.engine.hooks.HierarchyCurriculumHook` changes during training.

    :meth:`forward` returns the fine logits only, with ``num_classes`` channels (= the head's
    ``out_channels``, which mmseg's slide inference allocates), so ``predict``, slide
    inference, test-time augmentation and ``MMSegInferencer`` work unchanged. With
    ``consistent_prediction`` the fine prediction at test time (eval mode) agrees with the
    other levels: for fine class ``f`` with damage group ``g(f)`` and binary level ``b(f)``,

    .. code:: text

        log p'(f) = log_softmax_f( log p_fine(f) + log p_coarse(g(f)) + log p_binary(b(f)) )

    i.e. ``p'(f) = p_fine(f) p_coarse(g(f)) p_binary(b(f)) / Z``, renormalised over the fine
    classes; these log-probabilities are returned in place of the logits (same argmax and
    softmax semantics). A fine class then only wins where its group and the damage/clean
    decision agree with it. Training always uses the raw level logits.

    Args:
        coarse_groups (Mapping[str, Sequence[int]], optional): Damage group name -> fine
            class ids, in coarse class order (coarse class 0 is Clean). Defaults to None
            (``DEFAULT_COARSE_GROUPS``).
        level_weights (Mapping[str, float], optional): Factor of each level's losses, keys
            among ``'binary'``, ``'coarse'`` and ``'fine'``; a missing level weighs 1.
            Defaults to None (all 1).
        loss_binary (dict | Sequence[dict]): Loss config(s) of the binary level, like
            ``loss_decode``. Defaults to softmax cross-entropy.
        loss_coarse (dict | Sequence[dict]): Loss config(s) of the coarse level. Defaults to
            softmax cross-entropy.
        consistent_prediction (bool): Combine the three levels into the fine prediction at
            test time, as above. Defaults to False.
        init_cfg (dict | list[dict], optional): Initialisation; by default the three
            classifiers are drawn from N(0, 0.01) as mmseg does for ``conv_seg``.
        **kwargs: Passed to :class:`mmseg.models.decode_heads.UPerHead` (``in_channels``,
            ``channels``, ``num_classes``, ``loss_decode`` for the fine level, ``sampler``,
            ...). A pixel ``sampler`` (e.g. OHEM) weights the fine level's pixels only; it
            ranks pixels by the fine losses, which say nothing about the other levels.
    """

    def __init__(self,
                 coarse_groups: Optional[Mapping[str, Sequence[int]]] = None,
                 level_weights: Optional[Mapping[str, float]] = None,
                 loss_binary: LossConfig = dict(type='CrossEntropyLoss', use_sigmoid=False,
                                                loss_weight=1.0),
                 loss_coarse: LossConfig = dict(type='CrossEntropyLoss', use_sigmoid=False,
                                                loss_weight=1.0),
                 consistent_prediction: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = dict(
                     type='Normal', std=0.01,
                     override=[dict(name='conv_seg'), dict(name='conv_binary'),
                               dict(name='conv_coarse')]),
                 **kwargs) -> None:
        super().__init__(init_cfg=init_cfg, **kwargs)
        if self.out_channels != self.num_classes:
            raise ValueError('HierarchicalUPerHead predicts one channel per fine class: '
                             f'out_channels must equal num_classes ({self.num_classes}), '
                             f'got {self.out_channels}')
        if self.ignore_index != IGNORE_INDEX:
            raise ValueError(f'the hierarchy keeps {IGNORE_INDEX} as the ignored label at '
                             f'every level; ignore_index must be {IGNORE_INDEX}, '
                             f'got {self.ignore_index}')
        luts = build_level_luts(coarse_groups, self.num_classes)
        # Buffers follow the model's device; not persistent, so checkpoints hold only weights.
        for level, lut in luts.items():
            self.register_buffer(f'{level}_lut', torch.from_numpy(lut), persistent=False)
        num_coarse = int(luts['coarse'][:self.num_classes].max()) + 1
        self.conv_binary = nn.Conv2d(self.channels, 2, kernel_size=1)
        self.conv_coarse = nn.Conv2d(self.channels, num_coarse, kernel_size=1)
        self.loss_binary = _build_losses(loss_binary)
        self.loss_coarse = _build_losses(loss_coarse)
        self.level_weights = level_weights or {}
        self.consistent_prediction = consistent_prediction

    @property
    def level_weights(self) -> Dict[str, float]:
        """Factor of each level's losses, ``{'binary': w, 'coarse': w, 'fine': w}``."""
        return self._level_weights

    @level_weights.setter
    def level_weights(self, weights: Mapping[str, float]) -> None:
        unknown = set(weights) - set(LEVELS)
        if unknown:
            raise ValueError(f'unknown level(s) {sorted(unknown)} in level_weights; '
                             f'levels are {LEVELS}')
        self._level_weights = {level: float(weights.get(level, 1.0)) for level in LEVELS}

    def forward_levels(self, inputs: List[Tensor]) -> Dict[str, Tensor]:
        """Logits of every level, at the resolution of the first input level.

        Args:
            inputs (list[Tensor]): Multi-level features from the backbone.

        Returns:
            dict[str, Tensor]: ``binary`` (N x 2 x H x W), ``coarse`` (N x (1 + groups) x H x
            W) and ``fine`` (N x num_classes x H x W) logits.
        """
        feats = self._forward_feature(inputs)
        if self.dropout is not None:
            feats = self.dropout(feats)  # one mask for all levels, as they share the neck
        return {'binary': self.conv_binary(feats), 'coarse': self.conv_coarse(feats),
                'fine': self.conv_seg(feats)}

    def forward(self, inputs: List[Tensor]) -> Tensor:
        """Fine logits (consistent log-probabilities in eval mode if so configured).

        Args:
            inputs (list[Tensor]): Multi-level features from the backbone.

        Returns:
            Tensor: N x num_classes x H x W.
        """
        levels = self.forward_levels(inputs)
        if self.consistent_prediction and not self.training:
            return self.consistent_log_probs(levels)
        return levels['fine']

    def consistent_log_probs(self, levels: Mapping[str, Tensor]) -> Tensor:
        """Fine log-probabilities made consistent with the coarse and binary levels.

        Args:
            levels (Mapping[str, Tensor]): Level logits as from :meth:`forward_levels`.

        Returns:
            Tensor: ``log_softmax(log p_fine(f) + log p_coarse(g(f)) + log p_binary(b(f)))``
            over the fine classes ``f``, N x num_classes x H x W.
        """
        score = levels['fine'].log_softmax(dim=1)
        for level in ('coarse', 'binary'):
            # Column f of the gathered map is the level's log-probability of f's ancestor.
            ancestor = getattr(self, f'{level}_lut')[:self.num_classes].long()
            score = score + levels[level].log_softmax(dim=1).index_select(1, ancestor)
        return score.log_softmax(dim=1)

    def loss(self, inputs: List[Tensor], batch_data_samples: SampleList,
             train_cfg: ConfigType) -> dict:
        """Losses of all levels for one batch.

        Args:
            inputs (list[Tensor]): Multi-level features from the backbone.
            batch_data_samples (list[SegDataSample]): Samples holding the fine ``gt_sem_seg``.
            train_cfg (dict): The training config (unused, as in mmseg's heads).

        Returns:
            dict[str, Tensor]: See :meth:`loss_by_feat`.
        """
        return self.loss_by_feat(self.forward_levels(inputs), batch_data_samples)

    def loss_by_feat(self, seg_logits: Mapping[str, Tensor],
                     batch_data_samples: SampleList) -> dict:
        """Weighted losses and accuracy of every level.

        Args:
            seg_logits (Mapping[str, Tensor]): Level logits as from :meth:`forward_levels`.
            batch_data_samples (list[SegDataSample]): Samples holding the fine ``gt_sem_seg``.

        Returns:
            dict[str, Tensor]: Each loss times its level's weight, under the loss's own name
            for the fine level and with the level after ``loss_`` for the others (e.g.
            ``loss_dice_ce``, ``loss_coarse_dice_ce``, ``loss_binary_dice_ce``); and the pixel
            accuracy of each level (``acc_seg``, ``acc_coarse``, ``acc_binary``).
        """
        fine_label = self._stack_batch_gt(batch_data_samples)
        losses = dict()
        for level, loss_modules in (('binary', self.loss_binary),
                                    ('coarse', self.loss_coarse),
                                    ('fine', self.loss_decode)):
            logits = resize(seg_logits[level], size=fine_label.shape[2:], mode='bilinear',
                            align_corners=self.align_corners)
            if level == 'fine':
                label = fine_label
                seg_weight = None if self.sampler is None else self.sampler.sample(logits, label)
            else:
                label = derive_labels(fine_label, getattr(self, f'{level}_lut'))
                seg_weight = None
            label = label.squeeze(1)
            weight = self.level_weights[level]
            modules = loss_modules if isinstance(loss_modules, nn.ModuleList) else [loss_modules]
            for loss_module in modules:
                key = _level_loss_key(level, loss_module.loss_name)
                # A zero weight still runs the loss and multiplies by 0: the level stays in the
                # graph, so under DDP every parameter gets a (zero) gradient each step instead
                # of raising the unused-parameters error.
                value = weight * loss_module(logits, label, weight=seg_weight,
                                             ignore_index=self.ignore_index)
                losses[key] = losses[key] + value if key in losses else value
            losses[_ACCURACY_KEYS[level]] = accuracy(logits, label,
                                                     ignore_index=self.ignore_index)
        return losses


def _build_losses(config: LossConfig) -> nn.ModuleList:
    configs = [config] if isinstance(config, Mapping) else list(config)
    return nn.ModuleList(MODELS.build(cfg) for cfg in configs)


def _level_loss_key(level: str, loss_name: str) -> str:
    """``loss_dice_ce`` -> ``loss_coarse_dice_ce``; the fine level keeps the loss's name."""
    if level == 'fine':
        return loss_name
    if loss_name.startswith('loss_'):
        return f'loss_{level}_{loss_name[len("loss_"):]}'
    return f'{level}_{loss_name}'
