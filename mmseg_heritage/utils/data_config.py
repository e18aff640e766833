"""What tools ask of a config about its data: where it lives and what size the model takes.

A config names its data in one place, ``data_root``; every path under it (the loaders' roots,
``class_weights.json`` of the loss and the rare-class crop, a cache inside it) is written from
that variable. MMEngine resolves those strings when it reads the file, so a later
``--cfg-options data_root=...`` moves none of them: :func:`set_data_root` moves them all.
"""
from pathlib import PurePosixPath
from typing import Iterator, Optional, Tuple

from mmengine.config import Config

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def config_dicts(node) -> Iterator[dict]:
    """Every dict nested in a config value, ``node`` itself included."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from config_dicts(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from config_dicts(value)


def data_root_of(cfg: Config) -> Optional[str]:
    """The config's ``data_root``, else its training dataset's, else None."""
    root = cfg.get('data_root')
    if root is None and cfg.get('train_dataloader'):
        root = cfg.train_dataloader.get('dataset', {}).get('data_root')
    return root


def set_data_root(cfg: Config, root: str) -> Config:
    """Point ``cfg`` at the dataset in ``root``, in place.

    Every loader's ``data_root`` becomes ``root``, and every other string that is a path under
    the config's old data root (``<old>/class_weights.json``, ``<old>/cache``, ...) is moved
    under ``root``.

    Args:
        cfg (Config): A config with ``data_root`` (or a training dataset's ``data_root``).
        root (str): The new dataset folder.

    Returns:
        Config: ``cfg``.
    """
    root = str(root)
    old = data_root_of(cfg)
    old_prefix = None if old is None else str(PurePosixPath(old)).rstrip('/') + '/'
    for node in list(config_dicts(cfg._cfg_dict)):
        for key, value in node.items():
            if key == 'data_root':
                node[key] = root
            elif isinstance(value, str) and old_prefix and value.startswith(old_prefix):
                node[key] = root.rstrip('/') + '/' + value[len(old_prefix):]
            elif isinstance(value, list) and old_prefix:
                node[key] = [root.rstrip('/') + '/' + v[len(old_prefix):]
                             if isinstance(v, str) and v.startswith(old_prefix) else v
                             for v in value]
    cfg.data_root = root
    return cfg


def input_size(cfg: Config) -> Optional[Tuple[int, int]]:
    """(height, width) the model trains on: the backbone's fixed ``img_size``, else the
    training pipeline's crop, else the sliding window of ``test_cfg``; None if none is set."""
    model = cfg.get('model', {})
    size = model.get('backbone', {}).get('img_size')
    if size is None:
        pipeline = cfg.get('train_dataloader', {}).get('dataset', {}).get('pipeline', [])
        size = next((t['crop_size'] for t in pipeline if t.get('crop_size')), None)
    if size is None and model.get('test_cfg', {}).get('mode') == 'slide':
        size = model.test_cfg.get('crop_size')
    if size is None:
        return None
    size = (size, size) if isinstance(size, int) else tuple(size)
    return int(size[0]), int(size[1])
