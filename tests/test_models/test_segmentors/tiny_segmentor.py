"""A tiny segmentor and toy batches shared by the segmentor tests (fixtures imported there)."""
import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

import mmseg_heritage  # noqa: F401  registers the project's components

NUM_CLASSES = 4
SIZE = 32


def tiny_segmentor_cfg(**kwargs) -> dict:
    """A tiny UNet + FCN head (batch norm in the backbone, group norm in the head), with
    ``kwargs`` (``type`` and its options) added."""
    return dict(
        kwargs,
        data_preprocessor=dict(type='SegDataPreProcessor', mean=[128.0] * 3, std=[64.0] * 3,
                               pad_val=0, seg_pad_val=255, size_divisor=16),
        backbone=dict(type='UNet', in_channels=3, base_channels=8, num_stages=3,
                      strides=(1, 1, 1), enc_num_convs=(1, 1, 1), dec_num_convs=(1, 1),
                      downsamples=(True, True), enc_dilations=(1, 1, 1), dec_dilations=(1, 1),
                      norm_cfg=dict(type='BN'), upsample_cfg=dict(type='InterpConv')),
        decode_head=dict(type='FCNHead', in_channels=8, in_index=2, channels=8, num_convs=1,
                         concat_input=False, dropout_ratio=0.0, num_classes=NUM_CLASSES,
                         norm_cfg=dict(type='GN', num_groups=2), align_corners=False,
                         loss_decode=dict(type='CrossEntropyLoss', avg_non_ignore=True)),
        test_cfg=ConfigDict(mode='whole'))  # attribute access, as from a config file


@pytest.fixture(scope='session')
def segmentor_cfg():
    """:func:`tiny_segmentor_cfg`, for the tests of this folder."""
    return tiny_segmentor_cfg


def toy_batch(num_images: int, seed: int = 0, gain: float = 1.0, offset: float = 0.0,
              materials=None) -> dict:
    """Raw uint8 images, as the data loader gives them: grey with red, green and blue
    squares (classes 1-3 on 0), optionally with contrast ``gain`` and brightness ``offset``."""
    generator = torch.Generator().manual_seed(seed)
    colours = torch.tensor([[128, 128, 128], [220, 40, 40], [40, 220, 40], [40, 40, 220]])
    inputs, samples = [], []
    for index in range(num_images):
        label = torch.zeros(SIZE, SIZE, dtype=torch.long)
        for cls in range(1, NUM_CLASSES):
            top, left = torch.randint(0, SIZE - 10, (2, ), generator=generator).tolist()
            label[top:top + 10, left:left + 10] = cls
        image = colours[label].permute(2, 0, 1).float()
        image = image + 10 * torch.randn(image.shape, generator=generator)
        image = (gain * (image - 128) + 128 + offset).clamp(0, 255).to(torch.uint8)
        metainfo = dict(img_shape=(SIZE, SIZE), ori_shape=(SIZE, SIZE))
        if materials is not None:
            metainfo['material'] = materials[index]
        inputs.append(image)
        samples.append(SegDataSample(gt_sem_seg=PixelData(data=label[None]), metainfo=metainfo))
    return dict(inputs=inputs, data_samples=samples)


@pytest.fixture(scope='session')
def make_batch():
    """:func:`toy_batch`, for the tests of this folder."""
    return toy_batch
