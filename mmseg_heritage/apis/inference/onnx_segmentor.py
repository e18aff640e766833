"""An exported model run by ONNX Runtime behind the calls tiled prediction makes of a segmentor,
so that PyTorch and ONNX Runtime share one tiling, one preprocessing and one report."""
from pathlib import Path
from typing import List, Optional, Union

import numpy as np
import torch
from mmseg.models import SegDataPreProcessor

from .onnx_model_file import metadata_of_session, open_session


class OnnxSegmentor:
    """A model file exported by ``tools/export_onnx.py``, called like an MMSeg segmentor.

    Preprocessing is the config's own ``SegDataPreProcessor``, rebuilt from the file's
    metadata, so channel order, normalisation and padding are exactly those of PyTorch
    inference; the graph starts at the normalised batch and ends at the logits, at the
    input's size (MMSeg's ``encode_decode``).

    Args:
        path (str | Path): The ``.onnx`` file.
        threads (int): Threads of one operator; 0 lets ONNX Runtime choose. Defaults to 0.

    Attributes:
        metadata (dict): The file's metadata (see :mod:`.onnx_model_file`).
        data_preprocessor (SegDataPreProcessor): The config's preprocessing.
        dataset_meta (dict): ``classes`` and ``palette``.
        test_cfg (dict): The model's ``test_cfg`` (whole or slide inference).
        out_channels (int): Classes predicted.
        input_size (tuple, optional): (height, width) of a model that takes one size only.
    """

    def __init__(self, path: Union[str, Path], threads: int = 0) -> None:
        self.path = Path(path)
        self.session = open_session(path, threads)
        self.metadata = metadata_of_session(self.session, str(path))
        self.data_preprocessor = SegDataPreProcessor(**self.metadata['data_preprocessor'])
        self.dataset_meta = dict(classes=list(self.metadata['classes']),
                                 palette=[list(c) for c in self.metadata['palette']])
        self.test_cfg = self.metadata['test_cfg']
        self.out_channels = len(self.dataset_meta['classes'])
        size = self.metadata['input_size']
        self.input_size = tuple(size) if size else None
        self.input_name = self.session.get_inputs()[0].name
        self.output_name = self.session.get_outputs()[0].name

    def encode_decode(self, inputs: torch.Tensor,
                      batch_img_metas: Optional[List[dict]] = None) -> torch.Tensor:
        """Logits (N x classes x H x W) of a normalised batch (N x 3 x H x W).

        Raises:
            ValueError: A model that takes one size only is given another.
        """
        if self.input_size and tuple(inputs.shape[-2:]) != self.input_size:
            raise ValueError(f'{self.path} takes {self.input_size[0]} x {self.input_size[1]} '
                             f'inputs only, not {inputs.shape[-2]} x {inputs.shape[-1]}')
        batch = np.ascontiguousarray(inputs.detach().cpu().numpy(), dtype=np.float32)
        logits = self.session.run([self.output_name], {self.input_name: batch})[0]
        return torch.from_numpy(logits)
