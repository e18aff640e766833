"""What a config trains, on what and how, in a few facts: for model cards and the model zoo."""
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from ..utils import input_size

# A config without `dataset_card` (see configs/_base_/datasets/) is described as this.
UNKNOWN_DATASET = dict(name='unknown data', licence='unknown')


@dataclass
class ConfigSummary:
    """The facts of a training config that a model card or a model zoo entry states.

    Attributes:
        name (str): The config's name (its file name without ``.py``).
        dataset (dict): The config's ``dataset_card``: ``name``, ``licence`` and optionally
            ``hub_id``, ``url`` and ``note``.
        architecture (list[str]): Backbone (timm model name or MMSeg type), decode head and,
            when not the plain ``EncoderDecoder``, the segmentor.
        pretrained_weights (str, optional): URL of the weights it starts from; None: scratch.
        batch_size (int): Images per training step (per process).
        crop_size (list[int], optional): What it trains on (height, width): a fixed input
            size, else the training crop.
        iterations (int, optional): Training iterations (iteration-based schedules).
        epochs (int, optional): Training epochs (epoch-based schedules).
        optimizer (str): Optimizer type and learning rate.
        losses (list[str]): Loss types of the decode head.
    """
    name: str
    dataset: dict
    architecture: List[str]
    pretrained_weights: Optional[str]
    batch_size: int
    crop_size: Optional[List[int]]
    iterations: Optional[int]
    epochs: Optional[int]
    optimizer: str
    losses: List[str] = field(default_factory=list)

    @property
    def schedule(self) -> str:
        """``'600 iterations'`` or ``'50 epochs'``."""
        return f'{self.iterations} iterations' if self.iterations else f'{self.epochs} epochs'


def summarise_config(cfg, name: Optional[str] = None) -> ConfigSummary:
    """The :class:`ConfigSummary` of a config.

    Args:
        cfg (Config): A training config.
        name (str, optional): Its name; defaults to the stem of ``cfg.filename``.
    """
    model = cfg.model
    backbone = model.get('backbone') or {}
    architecture = [backbone.get('model_name') or backbone.get('type', 'unknown'),
                    (model.get('decode_head') or {}).get('type', 'unknown')]
    if model.get('type', 'EncoderDecoder') != 'EncoderDecoder':
        architecture.append(model['type'])
    train_cfg = cfg.get('train_cfg') or {}
    optimizer = (cfg.get('optim_wrapper') or {}).get('optimizer') or {}
    losses = (model.get('decode_head') or {}).get('loss_decode') or []
    losses = [losses] if isinstance(losses, dict) else losses
    crop_size = input_size(cfg)
    return ConfigSummary(
        name=name or Path(cfg.filename).stem,
        dataset=dict(cfg.get('dataset_card') or UNKNOWN_DATASET),
        architecture=architecture,
        pretrained_weights=cfg.get('pretrained_weights'),
        batch_size=cfg.train_dataloader.batch_size,
        crop_size=list(crop_size) if crop_size else None,
        iterations=train_cfg.get('max_iters'),
        epochs=train_cfg.get('max_epochs'),
        optimizer=f"{optimizer.get('type', 'unknown')}, lr {optimizer.get('lr')}",
        losses=[loss['type'] for loss in losses])
