"""``init_model`` that also takes a published model: its folder or its hub id."""
import os
from typing import Optional, Union

from mmengine.config import Config
from mmseg.apis import init_model as mmseg_init_model

from ...zoo import config_and_checkpoint


def init_model(model: Union[str, os.PathLike, Config], checkpoint: Optional[str] = None,
               device: str = 'cpu', download: bool = False,
               cfg_options: Optional[dict] = None):
    """MMSeg's ``init_model``, which also takes a published model by folder or hub id.

    The checkpoint loads through MMEngine with torch's safe ``weights_only`` unpickler.

    Args:
        model (str | Path | Config): A config file or config (as MMSeg's), a folder written by
            ``tools/publish_model.py``, or a Hugging Face hub id (``org/name``) of one.
        checkpoint (str, optional): The checkpoint of a config; a published model brings its
            own.
        device (str): Defaults to 'cpu'.
        download (bool): Fetch a hub id that is not in the Hugging Face cache. Defaults to
            False (the cache only).
        cfg_options (dict, optional): Config overrides, as MMSeg's.

    Returns:
        nn.Module: The model, in eval mode, with the checkpoint's classes and palette.

    Raises:
        FileNotFoundError: No such published folder, or a hub id not cached (or not
            downloadable).
        ValueError: A folder that is not a published model.
    """
    model, checkpoint = config_and_checkpoint(model, checkpoint, download=download)
    return mmseg_init_model(model, checkpoint, device=device, cfg_options=cfg_options)
