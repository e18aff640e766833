"""An exported model quantised to 8-bit integers for CPUs: static, per channel, calibrated on
tiles of a dataset split exactly as inference cuts and preprocesses them."""
import tempfile
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Union

import numpy as np

from ..apis import OnnxDamageInferencer, preprocess_tiles, read_image, tile_starts, write_metadata
from ..utils.atomic_files import atomic_path


def calibration_tiles(inferencer: OnnxDamageInferencer, images: Sequence[Union[str, Path]],
                      max_tiles: int) -> Iterator[np.ndarray]:
    """Normalised tiles (1 x 3 x h x w float32) of ``images``, as ``inferencer`` predicts them.

    Each image goes through the model's test pipeline, is cut into the inferencer's tiles and
    preprocessed by its data preprocessor; tiles are taken image by image until ``max_tiles``.
    """
    given = 0
    for path in images:
        inputs = inferencer.pipeline(read_image(path))['inputs']
        height, width = inputs.shape[-2:]
        crop_h, crop_w = (min(t, s) for t, s in zip(inferencer.tile_size, (height, width)))
        for y in tile_starts(height, crop_h, inferencer.tile_stride[0]):
            for x in tile_starts(width, crop_w, inferencer.tile_stride[1]):
                if given == max_tiles:
                    return
                tile = inputs[:, y:y + crop_h, x:x + crop_w]
                yield preprocess_tiles(inferencer.model, [tile]).numpy()
                given += 1


def float_convolutions(graph) -> List[str]:
    """Names of the convolutions that int8 leaves in float: the first, which reads the
    normalised image (its rounding spreads through the whole network), and the classifiers
    (MMSeg's ``conv_seg``), whose logits' argmax is the label. On the demo UNet this took the
    labels equal to fp32 from 99.51 to 99.71 % at the same speed."""
    convolutions = [node.name for node in graph.node if node.op_type == 'Conv']
    return sorted({*convolutions[:1], *(name for name in convolutions if 'conv_seg' in name)})


def quantize_int8(fp32_file: Union[str, Path], out: Union[str, Path],
                  calibration_images: Sequence[Union[str, Path]], max_tiles: int = 64,
                  calibration: Optional[Dict] = None) -> dict:
    """Quantise an exported fp32 model statically to int8 (ONNX Runtime, QDQ format).

    Weights are quantised per output channel (int8), activations per tensor (uint8, the
    format ONNX Runtime's x86 kernels run fastest), their ranges the minimum and maximum seen
    on the calibration tiles; the first convolution and the classifiers stay float
    (:func:`float_convolutions`). The file keeps the fp32 model's metadata, with ``precision``
    'int8' and ``int8`` recording the calibration.

    Args:
        fp32_file (str | Path): A model written by :func:`~.onnx_export.export_onnx`.
        out (str | Path): The int8 ``.onnx`` file (written atomically).
        calibration_images (Sequence): Image files (e.g. a training split's).
        max_tiles (int): Calibration tiles at most. Defaults to 64.
        calibration (dict, optional): What to record about the images (e.g. dataset and
            split) in the file's ``int8`` metadata.

    Returns:
        dict: ``tiles`` used, ``seconds``, ``float_convolutions`` and ``calibration``.

    Raises:
        ValueError: No calibration image given.
    """
    import onnx
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat,
                                          QuantType, quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process
    if not calibration_images:
        raise ValueError('int8 quantisation needs calibration images')
    started = time.perf_counter()
    inferencer = OnnxDamageInferencer(fp32_file)
    tiles = calibration_tiles(inferencer, calibration_images, max_tiles)
    used = []

    class Reader(CalibrationDataReader):

        def get_next(self):
            tile = next(tiles, None)
            if tile is None:
                return None
            used.append(tile.shape)
            return {inferencer.model.input_name: tile}

    with tempfile.TemporaryDirectory() as tmp:
        prepared, quantised = Path(tmp) / 'prepared.onnx', Path(tmp) / 'int8.onnx'
        # Shape inference and graph fusions first, as ONNX Runtime advises before quantising.
        quant_pre_process(str(fp32_file), str(prepared), skip_symbolic_shape=True)
        kept_float = float_convolutions(onnx.load(str(prepared)).graph)
        quantize_static(str(prepared), str(quantised), Reader(), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax,
                        nodes_to_exclude=kept_float)
        graph = onnx.load(str(quantised))
    record = dict(tiles=len(used), method='static QDQ, per-channel int8 weights, uint8 '
                  'activations, MinMax ranges', float_convolutions=kept_float,
                  calibration=calibration or {})
    write_metadata(graph, dict(inferencer.model.metadata, precision='int8', int8=record))
    with atomic_path(out) as partial:
        onnx.save(graph, str(partial))
    return dict(record, seconds=round(time.perf_counter() - started, 1))
