"""What every damage inferencer shares, whatever runs the model: the test pipeline, the tiles,
the precision and the prediction of one image.

:class:`~.damage_inferencer.DamageInferencer` (PyTorch) and
:class:`~.onnx_damage_inferencer.OnnxDamageInferencer` (ONNX Runtime) differ only in the model
they call; both predict through :func:`~.sliding_window.predict_labels`.
"""
import copy
from contextlib import nullcontext
from pathlib import Path
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmcv.transforms import Compose, RandomChoiceResize, RandomResize, Resize

from ...datasets.image_decoding import read_image_file
from ...utils.image_rows import ImageRows
from .sliding_window import TensorRows, predict_labels

# Tile for models configured for whole-image inference: an image (after the test pipeline's
# resize) up to this size runs whole, exactly as `tools/test.py` runs it; larger ones in tiles.
WHOLE_MODEL_TILE = (1024, 1024)
PRECISIONS = ('fp32', 'bf16')
RESIZES = (Resize, RandomResize, RandomChoiceResize)


def read_image(path: Union[str, Path]) -> np.ndarray:
    """Read an image file as HxWx3 BGR uint8, as the dataset's images are read (alpha dropped,
    grey replicated, 16-bit scaled down, EXIF orientation applied).

    Raises:
        FileNotFoundError: The file does not exist.
        ImageFileError: The file is empty, truncated or not an image OpenCV can decode (a
            ``ValueError`` whose message names the file and the problem).
    """
    return read_image_file(path)


def inference_pipeline(pipeline_cfg: Sequence[dict], native_resolution: bool = False) -> Compose:
    """A config's test pipeline made to take an image array, as ``MMSegInferencer`` makes it.

    Annotation loading is dropped and ``LoadImageFromFile`` becomes ``InferencerLoader`` (it
    takes a path or an array); with ``native_resolution`` the resizes are dropped too. Needs
    the ``mmseg`` default scope.

    Args:
        pipeline_cfg (Sequence[dict]): ``test_dataloader.dataset.pipeline`` of a config (left
            unchanged).
        native_resolution (bool): Skip the pipeline's resize. Defaults to False.

    Returns:
        Compose: The pipeline; ``pipeline(image)['inputs']`` is a 3 x H x W uint8 tensor.

    Raises:
        ValueError: The pipeline does not load an image with ``LoadImageFromFile``.
    """
    transforms = [_numbers_as_tuples(dict(t)) for t in copy.deepcopy(list(pipeline_cfg))
                  if t['type'] not in ('LoadAnnotations', 'LoadDepthAnnotation')]
    loaders = [t for t in transforms if t['type'] == 'LoadImageFromFile']
    if not loaders:
        raise ValueError('LoadImageFromFile is not found in the test pipeline')
    loaders[0]['type'] = 'InferencerLoader'
    pipeline = Compose(transforms)
    if native_resolution:
        pipeline.transforms = [t for t in pipeline.transforms if not isinstance(t, RESIZES)]
    return pipeline


def _numbers_as_tuples(value):
    """Lists of numbers as tuples, in nested dicts and lists: JSON (an exported model's
    metadata) turns a config's tuples into lists, and MMCV's ``Resize`` takes only tuples."""
    if isinstance(value, dict):
        return {key: _numbers_as_tuples(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_numbers_as_tuples(item) for item in value]
        return tuple(items) if all(isinstance(i, (int, float)) for i in items) else items
    return value


def tile_settings(test_cfg: Optional[dict], tile_size: Optional[Tuple[int, int]] = None,
                  tile_stride: Optional[Tuple[int, int]] = None
                  ) -> Tuple[Tuple[int, int], Tuple[int, int]]:
    """The tile (height, width) and the step between tiles for a model's ``test_cfg``.

    Slide-inference models run in their ``crop_size`` every ``stride``; whole-image models in
    tiles of up to 1024 px; a tile given without a stride steps two thirds of it.

    Raises:
        ValueError: A stride that is not positive or larger than the tile (pixels between
            tiles would go unseen).
    """
    test_cfg = test_cfg or {}
    slide = test_cfg.get('mode') == 'slide'
    size = tuple(tile_size or (test_cfg['crop_size'] if slide else WHOLE_MODEL_TILE))
    if tile_stride is None and tile_size is None and slide:
        tile_stride = test_cfg['stride']
    stride = tuple(tile_stride or (max(1, s * 2 // 3) for s in size))
    if min(size + stride) < 1 or any(s > t for s, t in zip(stride, size)):
        raise ValueError(f'tile stride {stride} must be positive and at most the tile size '
                         f'{size}, or pixels between tiles go unseen')
    return size, stride


class TiledInference:
    """Mix-in: the damage map of one image, tile by tile, through ``self.model``.

    A subclass sets ``model`` (``data_preprocessor``, ``encode_decode``, ``out_channels``,
    ``dataset_meta``), ``pipeline`` (see :func:`inference_pipeline`) and calls
    :meth:`_init_tiles`.
    """
    precision = 'fp32'

    def _init_tiles(self, test_cfg: Optional[dict], tile_size: Optional[Tuple[int, int]],
                    tile_stride: Optional[Tuple[int, int]], batch_size: int) -> None:
        self.tile_size, self.tile_stride = tile_settings(test_cfg, tile_size, tile_stride)
        self.batch_size = batch_size

    def predict(self, image: Union[str, Path, np.ndarray, ImageRows]) -> np.ndarray:
        """Class ids (H x W uint8) of one image: a file path, an HxWx3 BGR array, or an
        :class:`ImageRows`, read one row of tiles at a time (never held whole) when the test
        pipeline keeps the image's size, and read whole when it resizes it."""
        if isinstance(image, ImageRows):
            if not any(isinstance(t, RESIZES) for t in self.pipeline.transforms):
                rows = TensorRows((3, image.height, image.width),
                                  lambda top, bottom: self._model_rows(image, top, bottom))
                with self.autocast():
                    return predict_labels(self.model, rows, (image.height, image.width),
                                          self.tile_size, self.tile_stride, self.batch_size)
            image = image.read()
        elif not isinstance(image, np.ndarray):
            image = read_image(image)
        data = self.pipeline(image)
        height, width = image.shape[:2]
        with self.autocast():
            return predict_labels(self.model, data['inputs'], (height, width), self.tile_size,
                                  self.tile_stride, self.batch_size)

    def _model_rows(self, image: ImageRows, top: int, bottom: int) -> torch.Tensor:
        """Rows of ``image`` through the test pipeline, which must keep their size."""
        inputs = self.pipeline(image.rows(top, bottom))['inputs']
        if tuple(inputs.shape[-2:]) != (bottom - top, image.width):
            raise ValueError(f'the test pipeline changed the size of rows {top}:{bottom} '
                             f'({image.width} wide) to {tuple(inputs.shape[-2:])}: an image '
                             'read band by band needs one that keeps it')
        return inputs

    def autocast(self):
        """bfloat16 autocast of the model's convolutions and matrix products, if chosen."""
        if self.precision != 'bf16':
            return nullcontext()
        return torch.autocast(next(self.model.parameters()).device.type, dtype=torch.bfloat16)

    @property
    def classes(self) -> Tuple[str, ...]:
        return tuple(self.model.dataset_meta['classes'])

    @property
    def palette(self):
        return [tuple(colour) for colour in self.model.dataset_meta['palette']]
