"""MMSeg's inferencer, predicting large scans tile by tile with bounded memory."""
import warnings
from pathlib import Path
from typing import Optional, Tuple, Union

import numpy as np
from mmcv.transforms import Compose, RandomChoiceResize, RandomResize, Resize
from mmseg.apis import MMSegInferencer

from ..class_names import CLASSES, PALETTE
from ..datasets.image_decoding import read_image_file
from ..zoo import config_and_checkpoint
from .tiled_prediction import predict_labels

# Tile for models configured for whole-image inference: an image (after the test pipeline's
# resize) up to this size runs whole, exactly as `tools/test.py` runs it; larger ones in tiles.
WHOLE_MODEL_TILE = (1024, 1024)


def read_image(path: Union[str, Path]) -> np.ndarray:
    """Read an image file as HxWx3 BGR uint8, as the dataset's images are read (alpha dropped,
    grey replicated, 16-bit scaled down, EXIF orientation applied).

    Raises:
        FileNotFoundError: The file does not exist.
        ImageFileError: The file is empty, truncated or not an image OpenCV can decode (a
            ``ValueError`` whose message names the file and the problem).
    """
    return read_image_file(path)


class DamageInferencer(MMSegInferencer):
    """``MMSegInferencer`` with :meth:`predict`, sliding-window prediction of one large image.

    Everything else (config, checkpoint, test pipeline, ``__call__``) is MMSeg's. The test
    pipeline's resize is applied, as in ``tools/test.py``; the model then runs in tiles of its
    ``test_cfg.crop_size`` (slide models) or of up to 1024 x 1024 px (whole-image models), and
    the labels come back at the image's own size.

    Args:
        model (str | Config): Config file or config; or a published model (a folder written
            by ``tools/publish_model.py``, or its Hugging Face hub id), which brings its own
            weights.
        weights (str): Checkpoint file of a config. Required there: a randomly initialised
            model is refused.
        device (str, optional): Device; the first GPU if there is one, else the CPU.
        tile_size (tuple[int, int], optional): Tile (height, width) instead of the model's.
        tile_stride (tuple[int, int], optional): Step between tiles; defaults to the model's
            stride, or two thirds of the tile.
        batch_size (int): Tiles run together. Defaults to 1 (least memory; more can be faster
            on a GPU).
        native_resolution (bool): Skip the test pipeline's resize and predict at the image's
            own resolution (for models trained on crops of full-resolution scans).
        download (bool): Fetch a hub id that is not in the Hugging Face cache. Defaults to
            False (the cache only).
    """

    def __init__(self, model, weights: Optional[str] = None, device: Optional[str] = None,
                 tile_size: Optional[Tuple[int, int]] = None,
                 tile_stride: Optional[Tuple[int, int]] = None, batch_size: int = 1,
                 native_resolution: bool = False, download: bool = False) -> None:
        model, weights = config_and_checkpoint(model, weights, download=download)
        if not weights:
            raise ValueError('DamageInferencer needs a checkpoint (weights); it does not '
                             'predict with a randomly initialised model')
        self.native_resolution = native_resolution  # read by _init_pipeline
        super().__init__(model=model, weights=weights, device=device)
        test_cfg = self.model.test_cfg or {}
        slide = test_cfg.get('mode') == 'slide'
        self.tile_size = tuple(tile_size or
                               (test_cfg['crop_size'] if slide else WHOLE_MODEL_TILE))
        if tile_stride is None and tile_size is None and slide:
            tile_stride = test_cfg['stride']
        self.tile_stride = tuple(tile_stride or (max(1, s * 2 // 3) for s in self.tile_size))
        if (min(self.tile_size + self.tile_stride) < 1
                or any(s > t for s, t in zip(self.tile_stride, self.tile_size))):
            raise ValueError(f'tile stride {self.tile_stride} must be positive and at most the '
                             f'tile size {self.tile_size}, or pixels between tiles go unseen')
        self.batch_size = batch_size

    def _load_weights_to_model(self, model, checkpoint, cfg) -> None:
        """MMSeg's loading, with ARTeFACT's classes where the checkpoint names none
        (MMSeg would fall back to Cityscapes')."""
        meta = (checkpoint or {}).get('meta', {})
        if 'dataset_meta' in meta or 'CLASSES' in meta:
            return super()._load_weights_to_model(model, checkpoint, cfg)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            super()._load_weights_to_model(model, checkpoint, cfg)
        warnings.warn('the checkpoint names no classes; using the ARTeFACT classes')
        model.dataset_meta = dict(classes=CLASSES, palette=PALETTE)

    def _init_visualizer(self, cfg):
        # Only used for drawing here; without a save_dir its file backend just warns.
        cfg.visualizer.pop('vis_backends', None)
        return super()._init_visualizer(cfg)

    def _init_pipeline(self, cfg) -> Compose:
        pipeline = super()._init_pipeline(cfg)
        if self.native_resolution:
            resizes = (Resize, RandomResize, RandomChoiceResize)
            pipeline.transforms = [t for t in pipeline.transforms if not isinstance(t, resizes)]
        return pipeline

    def predict(self, image: Union[str, Path, np.ndarray]) -> np.ndarray:
        """Class ids (H x W uint8) of one image, a file path or an HxWx3 BGR array."""
        if not isinstance(image, np.ndarray):
            image = read_image(image)
        data = self.pipeline(image)
        height, width = image.shape[:2]
        return predict_labels(self.model, data['inputs'], (height, width), self.tile_size,
                              self.tile_stride, self.batch_size)

    @property
    def classes(self):
        return tuple(self.model.dataset_meta['classes'])

    @property
    def palette(self):
        return [tuple(colour) for colour in self.model.dataset_meta['palette']]
