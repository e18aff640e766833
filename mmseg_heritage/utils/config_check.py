"""Misspelt top-level config keys.

MMEngine's runner reads the top-level keys it knows and ignores the rest without a word: a
config with ``trian_cfg = dict(max_iters=100)`` trains with the default schedule. A config may
also define variables of its own (``scale``, ``crop_size``), so an unknown key is only refused
when it is close to a known one.
"""
import difflib
import inspect
from typing import Iterable, Mapping, Optional, Set

from mmengine.runner import Runner

# Read from the config by MMEngine's runner beside its arguments, and by MMSeg's tools.
RUNTIME_KEYS = ('runner_type', 'model_wrapper_cfg', 'compile', 'find_unused_parameters',
                'sync_bn', 'activation_checkpointing', 'efficient_conv_bn_eval',
                'custom_imports', 'tta_model', 'tta_pipeline')
# Variables that MMSeg's own configs define by convention.
CONVENTIONAL_KEYS = ('train_pipeline', 'val_pipeline', 'test_pipeline', 'dataset_type',
                     'data_root', 'crop_size', 'img_scale', 'img_ratios', 'norm_cfg',
                     'img_norm_cfg', 'backend_args', 'metainfo', 'num_classes', 'pretrained',
                     'checkpoint', 'checkpoint_file', 'vis_backends')
# difflib's similarity above which an unknown key is taken for a misspelling: 'trian_cfg' and
# 'train_cfg' score 0.89, 'scale' and any known key far less.
CLOSE_MATCH = 0.8


def known_config_keys() -> Set[str]:
    """The top-level keys that MMEngine's runner, MMSeg's tools and MMSeg's configs use."""
    runner_arguments = set(inspect.signature(Runner.__init__).parameters) - {'self', 'cfg'}
    return runner_arguments | set(RUNTIME_KEYS) | set(CONVENTIONAL_KEYS)


def check_config_keys(cfg: Mapping, known: Optional[Iterable[str]] = None) -> None:
    """Refuse top-level keys that look like misspellings of known ones.

    Args:
        cfg (Config | dict): The config, after any ``--cfg-options``.
        known (list[str], optional): Known keys. Defaults to None: :func:`known_config_keys`.

    Raises:
        ValueError: Naming each unknown key close to a known one, with that known key.
    """
    known = set(known_config_keys() if known is None else known)
    problems = []
    for key in cfg.keys():
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1, cutoff=CLOSE_MATCH)
            if close:
                problems.append(f'{key!r} (did you mean {close[0]!r}?)')
    if problems:
        source = getattr(cfg, 'filename', None) or 'config'
        several = len(problems) > 1
        raise ValueError(f'{source}: unknown top-level key{"s" * several} '
                         f'{", ".join(problems)}; MMEngine would ignore '
                         f'{"them" if several else "it"} without a word')
