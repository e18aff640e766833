"""Test helper imported by distributed runs (custom_imports): every rank saves its weights."""
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS


@HOOKS.register_module()
class SaveRankWeightsHook(Hook):
    """Save each rank's weights before and after training.

    Writes ``rank{R}_{before,after}.pth`` into the work dir, each with the model's
    ``parameters`` and ``buffers`` (BN statistics).
    """

    def before_train(self, runner) -> None:
        self._save(runner, 'before')

    def after_train(self, runner) -> None:
        self._save(runner, 'after')

    def _save(self, runner, stage: str) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        weights = {
            'parameters': {name: p.detach().clone() for name, p in model.named_parameters()},
            'buffers': {name: b.detach().clone() for name, b in model.named_buffers()},
        }
        torch.save(weights, f'{runner.work_dir}/rank{runner.rank}_{stage}.pth')
