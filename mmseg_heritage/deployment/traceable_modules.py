"""Stand-ins that let an ONNX trace keep height and width as variables.

``torch.onnx.export`` (TorchScript tracing) records a Python number computed from a shape as
a constant, so a graph traced at one size fails or goes wrong at another. Three modules of our
model families do that; while :func:`traceable_for_export` is active, each instance computes
the same values from tensor operations instead:

- ``nn.AdaptiveAvgPool2d`` (UPerNet's and the hierarchical head's pyramid pooling): its ONNX
  conversion needs a fixed input size. Here it averages each bin with a matrix product,
  bins placed as PyTorch places them (start ``floor(i * H / s)``, end ``ceil((i + 1) * H / s)``).
- ``nn.MultiheadAttention`` (SegFormer's MiT) with keys of another length than the queries:
  torch's ``multi_head_attention_forward`` turns the key length into a constant. Here the
  same projections and ``scaled_dot_product_attention`` (masks are not used by these models).
- MMSeg's ``Upsample`` (the UNet's ``InterpConv``): ``int(size * scale)`` fixes the output
  size; ``F.interpolate`` with the scale factor gives the same size and sampling points.

The exported graph is checked against the unchanged PyTorch model (``onnx_export.py``).
"""
import types
from contextlib import contextmanager
from typing import Iterator

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.models.utils.wrappers import Upsample
from torch.nn.modules.utils import _pair


def _bin_weights(length: torch.Tensor, bins: int) -> torch.Tensor:
    """bins x length matrix averaging each adaptive-pooling bin of an axis."""
    position = torch.arange(length)
    index = torch.arange(bins)
    start = (index * length) // bins
    end = ((index + 1) * length + bins - 1) // bins
    inside = ((position[None] >= start[:, None]) & (position[None] < end[:, None])).float()
    return inside / inside.sum(1, keepdim=True)


def _adaptive_avg_pool(self: nn.AdaptiveAvgPool2d, x: torch.Tensor) -> torch.Tensor:
    rows, cols = _pair(self.output_size)
    height, width = x.shape[-2:]
    return _bin_weights(height, rows) @ x @ _bin_weights(width, cols).transpose(0, 1)


def _multihead_attention(self: nn.MultiheadAttention, query, key, value,
                         key_padding_mask=None, need_weights=True, attn_mask=None,
                         average_attn_weights=True, is_causal=False):
    if key_padding_mask is not None or attn_mask is not None or is_causal:
        raise NotImplementedError('masked attention is not supported by the ONNX export')
    if not self.batch_first:
        query, key, value = (t.transpose(0, 1) for t in (query, key, value))
    if self._qkv_same_embed_dim:
        weights = self.in_proj_weight.chunk(3)
    else:
        weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
    biases = self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None, ) * 3

    def heads(x, weight, bias):  # N x L x E -> N x heads x L x head_dim
        heads = F.linear(x, weight, bias).unflatten(-1, (self.num_heads, self.head_dim))
        return heads.transpose(1, 2)

    out = F.scaled_dot_product_attention(
        *(heads(x, w, b) for x, w, b in zip((query, key, value), weights, biases)))
    out = self.out_proj(out.transpose(1, 2).flatten(2))
    return (out if self.batch_first else out.transpose(0, 1)), None


def _upsample(self: Upsample, x: torch.Tensor) -> torch.Tensor:
    if self.size:
        return F.interpolate(x, self.size, None, self.mode, self.align_corners)
    return F.interpolate(x, None, self.scale_factor, self.mode, self.align_corners)


STAND_INS = ((nn.AdaptiveAvgPool2d, _adaptive_avg_pool),
             (nn.MultiheadAttention, _multihead_attention), (Upsample, _upsample))


@contextmanager
def traceable_for_export(model: nn.Module) -> Iterator[int]:
    """Within the block, the modules above in ``model`` trace with variable height and width.

    Yields:
        int: How many modules were given a stand-in.
    """
    replaced = []
    for module in model.modules():
        for kind, forward in STAND_INS:
            if isinstance(module, kind):
                module.forward = types.MethodType(forward, module)
                replaced.append(module)
                break
    try:
        yield len(replaced)
    finally:
        for module in replaced:
            del module.forward  # the class's own forward again
