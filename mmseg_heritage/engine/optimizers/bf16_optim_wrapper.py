from contextlib import contextmanager

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper
from mmengine.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class BF16OptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward runs under bfloat16 autocast, on CPU as on GPU.

    mmengine's ``AmpOptimWrapper`` refuses to start without a GPU, yet CPUs with AVX-512 BF16
    or AMX run convolutions and matrix products in bfloat16 much faster than in float32. Only
    the forward and the loss inside :meth:`optim_context` (the data preprocessor, the model and
    its losses in ``train_step``) are autocast: parameters, gradients and the optimizer state
    stay float32, and autocast itself runs the cross-entropy in float32. bfloat16 has float32's
    exponent range, so unlike float16 it needs no loss scaling. Validation and testing run
    outside the context, in float32.

    Used from a config as ``optim_wrapper = dict(type='BF16OptimWrapper', optimizer=...)``;
    ``tools/train.py --amp`` picks it on a machine without GPU. Takes the arguments of
    ``OptimWrapper`` (``optimizer``, ``accumulative_counts``, ``clip_grad``).
    """

    @contextmanager
    def optim_context(self, model: nn.Module):
        """Gradient-accumulation context of ``OptimWrapper`` plus bfloat16 autocast on the
        device of the model's parameters.

        Args:
            model (nn.Module): The model being trained.
        """
        device_type = next(model.parameters()).device.type
        with super().optim_context(model), torch.autocast(device_type, dtype=torch.bfloat16):
            yield
