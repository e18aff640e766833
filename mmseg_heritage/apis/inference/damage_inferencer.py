"""MMSeg's inferencer, predicting large scans tile by tile with bounded memory."""
import warnings
from typing import Callable, Optional, Tuple

from mmcv.transforms import Compose
from mmengine.dataset import pseudo_collate
from mmengine.registry import FUNCTIONS
from mmseg.apis import MMSegInferencer

from ...class_names import CLASSES, PALETTE
from ...zoo import config_and_checkpoint
from .tiled_inference import PRECISIONS, TiledInference, inference_pipeline, read_image

__all__ = ['DamageInferencer', 'read_image']


class DamageInferencer(TiledInference, MMSegInferencer):
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
        precision (str): 'fp32', or 'bf16' to run the model's convolutions and matrix
            products under bfloat16 autocast (faster on CPUs with AVX512-BF16 or AMX and on
            recent GPUs; labels may differ in a few pixels). Defaults to 'fp32'.
        download (bool): Fetch a hub id that is not in the Hugging Face cache. Defaults to
            False (the cache only).
    """

    def __init__(self, model, weights: Optional[str] = None, device: Optional[str] = None,
                 tile_size: Optional[Tuple[int, int]] = None,
                 tile_stride: Optional[Tuple[int, int]] = None, batch_size: int = 1,
                 native_resolution: bool = False, precision: str = 'fp32',
                 download: bool = False) -> None:
        model, weights = config_and_checkpoint(model, weights, download=download)
        if not weights:
            raise ValueError('DamageInferencer needs a checkpoint (weights); it does not '
                             'predict with a randomly initialised model')
        if precision not in PRECISIONS:
            raise ValueError(f'precision must be one of {", ".join(PRECISIONS)}, '
                             f'not {precision!r}')
        self.native_resolution = native_resolution  # read by _init_pipeline
        self.precision = precision
        super().__init__(model=model, weights=weights, device=device)
        self._init_tiles(self.model.test_cfg, tile_size, tile_stride, batch_size)

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

    def _init_collate(self, cfg) -> Callable:
        # Collate functions are MMEngine's: MMSeg registers none, and MMEngine's inferencer
        # looking for them in the 'mmseg' scope only warns and falls back to MMEngine's.
        collate_fn = cfg.test_dataloader.get('collate_fn')
        if isinstance(collate_fn, dict):
            collate_fn = collate_fn['type']
        return FUNCTIONS.get(collate_fn) if collate_fn else pseudo_collate

    def _init_pipeline(self, cfg) -> Compose:
        return inference_pipeline(cfg.test_dataloader.dataset.pipeline, self.native_resolution)
