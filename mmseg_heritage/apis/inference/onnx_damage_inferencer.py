"""Damage maps from an exported model with ONNX Runtime: no config, no checkpoint, no GPU."""
from pathlib import Path
from typing import Optional, Tuple, Union

from mmengine.registry import init_default_scope

from .onnx_segmentor import OnnxSegmentor
from .tiled_inference import TiledInference, inference_pipeline


class OnnxDamageInferencer(TiledInference):
    """:class:`~.damage_inferencer.DamageInferencer`'s predictions from a ``.onnx`` file.

    The test pipeline (its resize), the preprocessing, the classes and the tiles come from the
    file's metadata, so :meth:`predict` takes the same steps as PyTorch inference, with the
    model call run by ONNX Runtime.

    Args:
        model_file (str | Path): A model exported by ``tools/export_onnx.py``.
        tile_size (tuple[int, int], optional): Tile (height, width) instead of the file's.
        tile_stride (tuple[int, int], optional): Step between tiles; defaults to the file's
            with its tile, else two thirds of the tile.
        batch_size (int): Tiles run together. Defaults to 1.
        native_resolution (bool): Skip the test pipeline's resize. Defaults to False.
        threads (int): Threads of one operator; 0 lets ONNX Runtime choose. Defaults to 0.

    Raises:
        FileNotFoundError: No such file.
        ValueError: Not a model exported by ``tools/export_onnx.py``, or tiles larger than
            the one size a fixed-size model takes.
    """

    def __init__(self, model_file: Union[str, Path], tile_size: Optional[Tuple[int, int]] = None,
                 tile_stride: Optional[Tuple[int, int]] = None, batch_size: int = 1,
                 native_resolution: bool = False, threads: int = 0) -> None:
        self.model = OnnxSegmentor(model_file, threads)
        metadata = self.model.metadata
        self.precision = metadata['precision']
        init_default_scope('mmseg')  # the pipeline's transforms, as MMSegInferencer sets it
        self.pipeline = inference_pipeline(metadata['test_pipeline'], native_resolution)
        if tile_size is None:
            tile_size = tuple(metadata['tile_size'])
            tile_stride = tile_stride or tuple(metadata['tile_stride'])
        self._init_tiles(None, tile_size, tile_stride, batch_size)
        fixed = self.model.input_size
        if fixed and any(t > f for t, f in zip(self.tile_size, fixed)):
            raise ValueError(f'{model_file} takes {fixed[0]} x {fixed[1]} inputs only: tiles '
                             f'of {self.tile_size[0]} x {self.tile_size[1]} cannot run')
