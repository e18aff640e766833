"""Deployment: a trained model as an ONNX file (checked against PyTorch), quantised to int8,
and scored beside PyTorch on a dataset split. Needs the ``onnx`` package
(``requirements/optional.txt``); running exported models needs only ONNX Runtime
(``mmseg_heritage.apis.OnnxDamageInferencer``)."""
from .backend_scores import score_backends
from .int8_quantization import calibration_tiles, quantize_int8
from .onnx_export import OPSET, OnnxExportError, compare_with_pytorch, export_onnx

__all__ = ['OPSET', 'OnnxExportError', 'calibration_tiles', 'compare_with_pytorch',
           'export_onnx', 'quantize_int8', 'score_backends']
