"""A trained model as an ONNX file that ONNX Runtime runs without config, checkpoint or PyTorch
model code, checked against PyTorch before it is written.

MMSeg 1.x has no ONNX export of its own (it points to mmdeploy). The graph is the segmentor's
``encode_decode``: from the normalised batch to the logits at the input's size; preprocessing,
tiling and the damage report stay in Python, shared with PyTorch inference
(:class:`~mmseg_heritage.apis.OnnxDamageInferencer`).
"""
import copy
import io
import json
import time
import warnings
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.config import Config

from ..apis import DamageInferencer, OnnxSegmentor, preprocess_tiles, write_metadata
from ..datasets.preparation import make_sample
from ..utils.atomic_files import atomic_path
from .traceable_modules import traceable_for_export

OPSET = 17
# Share of equal labels below which an fp32 export is refused as wrong, not rounding.
MIN_LABEL_AGREEMENT = 0.999
# Segmentors whose prediction is not a fixed function of the image.
TEST_TIME_ADAPTATION = {
    'TentSegmentor': 'it adapts its normalisation layers to every test batch by gradient steps '
                     '(TENT), which a fixed graph cannot do; export the config it is built on '
                     '(the same checkpoint without test-time adaptation)',
}


class OnnxExportError(ValueError):
    """A model that cannot be exported (or whose export disagrees with PyTorch), and why."""


class EncodeDecode(nn.Module):
    """The graph that is exported: normalised batch (N x 3 x H x W) to logits at its size."""

    def __init__(self, segmentor: nn.Module) -> None:
        super().__init__()
        self.segmentor = segmentor

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        # img_shape as a torch.Size: MMSeg then resizes the logits to it, traced as a variable.
        return self.segmentor.encode_decode(inputs, [dict(img_shape=inputs.shape[2:])])


def plain(value):
    """Config values as plain JSON data (tuples become lists)."""
    return json.loads(json.dumps(value))


def synthetic_tiles(size: Tuple[int, int], count: int = 1, seed: int = 0) -> List[torch.Tensor]:
    """Synthetic artefacts of ``size`` as BGR uint8 3 x H x W tiles, for checking exports."""
    return [torch.from_numpy(make_sample(seed + i, tuple(size)).image[..., ::-1]
                             .transpose(2, 0, 1).copy()) for i in range(count)]


@torch.no_grad()
def tile_logits(model, tiles: Sequence[torch.Tensor]) -> torch.Tensor:
    """Logits of tiles through a model's own preprocessing and ``encode_decode``."""
    batch = preprocess_tiles(model, tiles)
    shape = tuple(batch.shape[-2:])
    metas = [dict(img_shape=shape, pad_shape=shape, ori_shape=shape)] * len(tiles)
    return model.encode_decode(batch, metas).float()


def compare_with_pytorch(model, exported: OnnxSegmentor, size: Tuple[int, int],
                         count: int = 1, seed: int = 0) -> dict:
    """Logits of the PyTorch model and of the exported one on the same synthetic tiles.

    Returns:
        dict: ``size``, ``batch``, ``max_logit_difference`` and ``label_agreement`` (share of
        pixels with the same class).
    """
    tiles = synthetic_tiles(size, count, seed)
    reference, result = tile_logits(model, tiles), tile_logits(exported, tiles)
    return dict(size=list(size), batch=count,
                max_logit_difference=float((reference - result).abs().max()),
                label_agreement=float((reference.argmax(1) == result.argmax(1))
                                      .double().mean()))


def trace_to_onnx(model: nn.Module, example: torch.Tensor, dynamic: bool,
                  opset: int = OPSET) -> bytes:
    """``model.encode_decode`` traced at ``example`` (a normalised batch) as ONNX bytes.

    The batch axis is always variable; height and width too with ``dynamic``.

    Raises:
        OnnxExportError: The exporter failed; the message names the model's parts and the
            exporter's reason.
    """
    axes = {0: 'batch', 2: 'height', 3: 'width'} if dynamic else {0: 'batch'}
    buffer = io.BytesIO()
    try:
        with traceable_for_export(model), warnings.catch_warnings():
            warnings.simplefilter('ignore')  # TracerWarnings: the check below is the judge
            torch.onnx.export(EncodeDecode(model).eval(), (example, ), buffer,
                              opset_version=opset, dynamo=False, input_names=['inputs'],
                              output_names=['logits'],
                              dynamic_axes=dict(inputs=axes, logits=axes))
    except Exception as error:  # noqa: BLE001  the exporter raises many kinds
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ''
        raise OnnxExportError(f'{describe(model)} could not be exported to ONNX: '
                              f'{type(error).__name__}: {reason}') from error
    return buffer.getvalue()


def describe(model: nn.Module) -> str:
    """'EncoderDecoder (backbone MixVisionTransformer, head SegformerHead)'."""
    backbone = getattr(model, 'backbone', None)
    name = getattr(backbone, 'model_name', None) or type(backbone).__name__
    head = type(getattr(model, 'decode_head', None)).__name__
    return f'{type(model).__name__} (backbone {name}, head {head})'


def export_onnx(config: Union[str, Path, Config], checkpoint: Union[str, Path],
                out: Union[str, Path], check_size: Optional[Tuple[int, int]] = None,
                opset: int = OPSET) -> dict:
    """Export a trained model's ``encode_decode`` to ``out``, checked against PyTorch.

    Height and width stay variable where the model allows it; a model built for one input
    size (``data_preprocessor.test_cfg.size``: MaxViT, CoAtNet), or whose traced graph does not
    run at another size, is exported at that size or at its tile size. The file carries the
    classes, palette, preprocessing, test pipeline and tiles (:mod:`~mmseg_heritage.apis.
    onnx_model_file`). Before it is written, ONNX Runtime runs it on synthetic artefacts at
    ``check_size`` (and, for a variable size, at a smaller size in a batch of two) beside
    PyTorch; ``out`` is written only if the labels agree.

    Args:
        config (str | Path | Config): The config the model was trained with.
        checkpoint (str | Path): Its checkpoint.
        out (str | Path): The ``.onnx`` file to write (atomically).
        check_size (tuple[int, int], optional): (height, width) of the check, and of the
            trace. Defaults to the tile size: the input inference really gives the model.
        opset (int): ONNX opset. Defaults to 17.

    Returns:
        dict: ``out``, ``input_size`` (None: variable), ``fixed_size_reason``, ``checks``
        (see :func:`compare_with_pytorch`), ``tile_size``, ``tile_stride`` and ``seconds``.

    Raises:
        OnnxExportError: The model cannot be exported (the message says why), or ONNX
            Runtime's labels differ from PyTorch's in more than 0.1 % of the pixels.
    """
    started = time.perf_counter()
    cfg = copy.deepcopy(config) if isinstance(config, Config) else Config.fromfile(str(config))
    kind = cfg.model.get('type', 'EncoderDecoder')
    if kind in TEST_TIME_ADAPTATION:
        raise OnnxExportError(f'{kind} cannot be exported to ONNX: {TEST_TIME_ADAPTATION[kind]}')
    preprocessor = plain(cfg.model.get('data_preprocessor') or {})
    if preprocessor.pop('type', 'SegDataPreProcessor') != 'SegDataPreProcessor':
        raise OnnxExportError('only models with MMSeg\'s SegDataPreProcessor can be exported '
                              '(inference rebuilds it from the file)')
    preprocessor.pop('batch_augments', None)  # training only
    inferencer = DamageInferencer(cfg, str(checkpoint), device='cpu')
    model = inferencer.model.eval()
    fixed = (preprocessor.get('test_cfg') or {}).get('size')
    tile = tuple(inferencer.tile_size)
    size = tuple(fixed or check_size or tile)
    metadata = dict(
        classes=list(inferencer.classes), palette=[list(c) for c in inferencer.palette],
        data_preprocessor=preprocessor, test_pipeline=plain(cfg.test_dataloader.dataset.pipeline),
        test_cfg=plain(model.test_cfg or dict(mode='whole')), tile_size=list(tile),
        tile_stride=list(inferencer.tile_stride), input_size=list(fixed) if fixed else None,
        precision='fp32',
        source=dict(config=Path(str(cfg.filename or 'config')).name,
                    checkpoint=Path(checkpoint).name, model=describe(model), opset=opset,
                    torch=torch.__version__))
    record = dict(out=str(out), tile_size=list(tile), tile_stride=list(inferencer.tile_stride),
                  fixed_size_reason='the model is built for one input size' if fixed else None)
    with atomic_path(out) as partial:
        try:
            checks = _write_and_check(model, size, metadata, partial, dynamic=not fixed,
                                      opset=opset)
        except _OtherSizeFails as error:
            # Its trace holds its size as a constant: export at the tile size, padding smaller
            # tiles up to it as models built for one size do.
            metadata['input_size'] = list(tile)
            metadata['data_preprocessor'] = dict(preprocessor, size_divisor=None,
                                                 test_cfg=dict(size=list(tile)))
            record['fixed_size_reason'] = ('the traced graph does not run at other sizes '
                                          f'({error})')
            checks = _write_and_check(model, tile, metadata, partial, dynamic=False,
                                      opset=opset)
        worst = min(check['label_agreement'] for check in checks)
        if worst < MIN_LABEL_AGREEMENT:
            raise OnnxExportError(
                f'ONNX Runtime disagrees with PyTorch on {100 * (1 - worst):.2f} % of the '
                f'pixels of {describe(model)} (largest logit difference '
                f'{max(c["max_logit_difference"] for c in checks):.3g}); not written')
    record.update(input_size=metadata['input_size'], checks=checks,
                  seconds=round(time.perf_counter() - started, 1))
    return record


class _OtherSizeFails(Exception):
    """A graph traced with variable height and width fails at another size."""


def _write_and_check(model, size: Tuple[int, int], metadata: dict, path: Path, dynamic: bool,
                     opset: int) -> List[dict]:
    """Trace at ``size``, write with ``metadata`` to ``path``, and compare with PyTorch: at
    ``size``, and for a variable size also at a smaller one in a batch of two."""
    import onnx
    example = preprocess_tiles(model, synthetic_tiles(size))
    graph = onnx.load_from_string(trace_to_onnx(model, example, dynamic, opset))
    write_metadata(graph, metadata)
    onnx.save(graph, str(path))
    exported = OnnxSegmentor(path)
    checks = [compare_with_pytorch(model, exported, size)]
    if dynamic:
        other = (max(1, size[0] * 2 // 3), max(1, size[1] // 2))
        try:
            checks.append(compare_with_pytorch(model, exported, other, count=2, seed=1))
        except Exception as error:  # noqa: BLE001  onnxruntime raises its own untyped errors
            raise _OtherSizeFails(str(error).strip().splitlines()[-1][:300]) from error
        if checks[-1]['label_agreement'] < MIN_LABEL_AGREEMENT:
            raise _OtherSizeFails(f'{checks[-1]["label_agreement"]:.4f} of the labels agree '
                                  f'at {other[0]} x {other[1]}')
    return checks

