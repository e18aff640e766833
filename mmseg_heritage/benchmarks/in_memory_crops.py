"""Synthetic training crops held in memory, so that a speed figure leaves data loading out."""
from typing import Tuple, Union

import torch
from mmengine.structures import PixelData
from mmseg.registry import DATASETS
from mmseg.structures import SegDataSample

from ..class_names import CLASSES, PALETTE
from ..datasets.preparation import make_sample


def packed_image(seed: int, size: Union[int, Tuple[int, int]]) -> dict:
    """A synthetic artefact as ``PackSegInputs`` gives it.

    Args:
        seed (int): Seed of the synthetic artefact.
        size (int | tuple[int, int]): Side, or (height, width), in pixels.

    Returns:
        dict: ``inputs`` (BGR uint8 3 x H x W) and ``data_samples`` (its mask as
        ``gt_sem_seg``).
    """
    sample = make_sample(seed, size)
    image = torch.from_numpy(sample.image[..., ::-1].transpose(2, 0, 1).copy())
    shape = tuple(image.shape[-2:])
    data_sample = SegDataSample(metainfo=dict(ori_shape=shape, img_shape=shape,
                                              pad_shape=shape))
    data_sample.gt_sem_seg = PixelData(data=torch.from_numpy(sample.mask[None].astype('int64')))
    return dict(inputs=image, data_samples=data_sample)


@DATASETS.register_module()
class InMemoryCrops:
    """``num_images`` synthetic crops held in memory, already packed, repeated to ``length``
    items: the Runner's data loader then only collates them.

    Args:
        size (int): Crop side in pixels.
        num_images (int): Distinct crops.
        length (int): Items the dataset claims; more than the run's images, so that no epoch
            ends (loggers act at epoch ends).
    """

    def __init__(self, size: int, num_images: int, length: int) -> None:
        self.items = [packed_image(seed, size) for seed in range(num_images)]
        self.length = length
        self.metainfo = dict(classes=CLASSES, palette=PALETTE)

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> dict:
        return self.items[index % len(self.items)]
