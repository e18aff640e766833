"""Parameters and forward FLOPs of a config's model, as MMSeg's get_flops.py counts them."""
from pathlib import Path
from typing import Optional, Sequence, Tuple

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config
from mmseg.registry import MODELS


def model_complexity(config: Path, shape: Tuple[int, int], root: Optional[Path] = None) -> dict:
    """Parameters and FLOPs of the model of one config for one image of ``shape``.

    FLOPs are counted by mmengine's ``get_model_complexity_info`` (fvcore's convention: one
    multiply-add is one FLOP) for one forward through ``mode='tensor'``: backbone and decode
    head. Auxiliary heads are left out of both figures; a model with a fixed input size
    (``img_size`` in the backbone) is built at ``shape``.

    Args:
        config (Path): Config file (its modules registered, e.g. by ``register_all_modules``).
        shape (tuple[int, int]): (height, width) of the image.
        root (Path, optional): Folder the config is named relative to, when inside it.
            Defaults to None: named by its absolute path.

    Returns:
        dict: ``config``, ``backbone``, ``decode_head``, ``input_shape``, ``params`` and
        ``flops``.
    """
    cfg = Config.fromfile(str(config))
    if 'img_size' in cfg.model.get('backbone', {}):
        cfg.model.backbone.img_size = tuple(shape)
    cfg.model.pop('auxiliary_head', None)
    model = MODELS.build(cfg.model).eval()
    inputs = torch.rand(1, 3, *shape)
    with torch.no_grad():
        info = get_model_complexity_info(model, inputs=inputs, show_table=False,
                                         show_arch=False)
    backbone = cfg.model.get('backbone', {})
    path = Path(config).resolve()
    if root is not None and path.is_relative_to(Path(root).resolve()):
        path = path.relative_to(Path(root).resolve())
    return dict(
        config=str(path),
        backbone=backbone.get('model_name', backbone.get('type', '')),
        decode_head=cfg.model.decode_head.type,
        input_shape=list(shape),
        params=int(sum(p.numel() for p in model.parameters())),
        flops=int(info['flops']),
    )


def complexity_table(rows: Sequence[dict]) -> str:
    """Markdown: what is counted, then one row per :func:`model_complexity` result."""
    lines = ['| config | backbone | decode head | params (M) | GFLOPs |', '|---|---|---|---|---|']
    lines += [f"| `{r['config']}` | {r['backbone']} | {r['decode_head']} | "
              f"{r['params'] / 1e6:.2f} | {r['flops'] / 1e9:.1f} |" for r in rows]
    h, w = rows[0]['input_shape']
    return (f'Parameters and forward FLOPs for one {h} x {w} image, counted by mmengine: one '
            'multiply-add counts as one FLOP; convolutions, linear layers and matrix products '
            'are counted, normalisation, softmax, resizing and element-wise operations are '
            'not. Auxiliary heads are left out.\n\n' + '\n'.join(lines) + '\n')
