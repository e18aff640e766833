"""A UNet decoder over a backbone's levels, up to the finest one: the image itself."""
from typing import List, Sequence

import torch
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class UNetDecoderHead(BaseDecodeHead):
    """Decodes a backbone's levels from the coarsest to the finest, as a UNet does: at each
    level the map decoded so far is upsampled to the level's size, concatenated with it and
    fused by convolutions. The prediction comes at the finest level's resolution; with a
    backbone that also returns its input (``TimmPyramidBackbone(out_strides=(1, 2, ...))``)
    that is the image's own, where damage a pixel or two wide is not blurred away, and the
    image's own pixels take part in the last decision.

    Args:
        decoder_channels (Sequence[int]): Channels of the map fused at each level but the
            coarsest, from the coarse end to the fine one; the last equals ``channels``.
        num_convs (int): Convolutions (3 x 3, norm, activation) per fusion. Defaults to 1.
        **kwargs: ``BaseDecodeHead``'s: ``in_channels`` and ``in_index`` list the levels
            finest first, as the backbone returns them (``input_transform`` is always
            ``'multiple_select'``).
    """

    def __init__(self, decoder_channels: Sequence[int], num_convs: int = 1, **kwargs) -> None:
        super().__init__(input_transform='multiple_select', **kwargs)
        levels = list(self.in_channels)
        if len(decoder_channels) != len(levels) - 1:
            raise ValueError(f'decoder_channels needs one entry per level but the coarsest '
                             f'({len(levels) - 1}), got {len(decoder_channels)}')
        if decoder_channels[-1] != self.channels:
            raise ValueError(f'the last decoder_channels ({decoder_channels[-1]}) must equal '
                             f'channels ({self.channels}), which the classifier reads')
        self.fusions = nn.ModuleList()
        previous = levels[-1]
        for skip, out in zip(reversed(levels[:-1]), decoder_channels):
            self.fusions.append(nn.Sequential(*[
                ConvModule(previous + skip if i == 0 else out, out, 3, padding=1,
                           conv_cfg=self.conv_cfg, norm_cfg=self.norm_cfg, act_cfg=self.act_cfg)
                for i in range(num_convs)]))
            previous = out

    def forward(self, inputs: List[Tensor]) -> Tensor:
        levels = self._transform_inputs(inputs)
        x = levels[-1]
        for fusion, skip in zip(self.fusions, reversed(levels[:-1])):
            x = resize(x, size=skip.shape[2:], mode='bilinear', align_corners=self.align_corners)
            x = fusion(torch.cat([x, skip], dim=1))
        return self.cls_seg(x)
