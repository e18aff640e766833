from types import SimpleNamespace

import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.logging import MessageHub
from mmengine.model import BaseModel, MMDistributedDataParallel
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from mmseg_heritage.engine.hooks import HierarchyCurriculumHook

MILESTONES = [
    dict(begin=2, weights=dict(binary=1.0, coarse=1.0, fine=0.0)),
    dict(begin=6, weights=dict(binary=0.0, coarse=1.0, fine=1.0)),
    dict(begin=10, weights=dict(binary=0.5, coarse=0.5, fine=2.0)),
]


class FakeHead(torch.nn.Module):
    level_weights = None


class FakeSegmentor(torch.nn.Module):
    def __init__(self, head=None):
        super().__init__()
        self.decode_head = FakeHead() if head is None else head


def fake_runner(model, iteration=0, epoch=0):
    return SimpleNamespace(model=model, iter=iteration, epoch=epoch,
                           message_hub=MessageHub(f'curriculum_{id(model)}_{iteration}'))


@pytest.mark.parametrize('progress, expected', [
    (0, (1.0, 1.0, 0.0)),  # before the first milestone: its weights
    (2, (1.0, 1.0, 0.0)),
    (3, (0.75, 1.0, 0.25)),
    (5, (0.25, 1.0, 0.75)),
    (6, (0.0, 1.0, 1.0)),
    (8, (0.25, 0.75, 1.5)),
    (10, (0.5, 0.5, 2.0)),
    (1000, (0.5, 0.5, 2.0)),  # after the last: its weights
])
def test_interpolated_weights(progress, expected):
    weights = HierarchyCurriculumHook(MILESTONES).weights_at(progress)
    assert weights == pytest.approx(dict(zip(('binary', 'coarse', 'fine'), expected)))


@pytest.mark.parametrize('progress, expected', [
    (0, (1.0, 1.0, 0.0)), (5, (1.0, 1.0, 0.0)), (6, (0.0, 1.0, 1.0)), (9, (0.0, 1.0, 1.0)),
    (10, (0.5, 0.5, 2.0)), (99, (0.5, 0.5, 2.0)),
])
def test_step_weights(progress, expected):
    weights = HierarchyCurriculumHook(MILESTONES, interpolate=False).weights_at(progress)
    assert weights == dict(zip(('binary', 'coarse', 'fine'), expected))


def test_sets_head_weights_and_logs_them():
    hook = HierarchyCurriculumHook(MILESTONES)
    model = FakeSegmentor()
    for iteration in (0, 4, 8, 12):
        runner = fake_runner(model, iteration=iteration)
        hook.before_run(runner)
        hook.before_train_iter(runner, batch_idx=iteration)
        expected = hook.weights_at(iteration)
        assert model.decode_head.level_weights == expected
        for level, value in expected.items():
            assert runner.message_hub.get_scalar(f'train/level_weight_{level}').current() == value


def test_by_epoch_follows_the_epoch():
    hook = HierarchyCurriculumHook(MILESTONES, by_epoch=True)
    model = FakeSegmentor()
    hook.before_train_iter(fake_runner(model, iteration=1000, epoch=4), batch_idx=0)
    assert model.decode_head.level_weights == pytest.approx(hook.weights_at(4))


def test_unwraps_distributed_models():
    # A real MMDistributedDataParallel around the model, made without its process group: the
    # hook only needs to recognise the wrapper and reach .module, and a gloo process group
    # made in the suite's process may hang when freed (pytorch/pytorch#75097; it did here).
    model = FakeSegmentor()
    wrapped = MMDistributedDataParallel.__new__(MMDistributedDataParallel)
    torch.nn.Module.__init__(wrapped)
    wrapped.module = model
    HierarchyCurriculumHook(MILESTONES).before_train_iter(fake_runner(wrapped, 6), batch_idx=0)
    assert model.decode_head.level_weights == dict(binary=0.0, coarse=1.0, fine=1.0)


def test_head_without_level_weights_is_an_error():
    hook = HierarchyCurriculumHook(MILESTONES)
    with pytest.raises(TypeError, match='level_weights.*decode head Linear'):
        hook.before_run(fake_runner(FakeSegmentor(head=torch.nn.Linear(1, 1))))


@pytest.mark.parametrize('milestones, message', [
    ([], 'at least one milestone'),
    ([MILESTONES[1], MILESTONES[0]], 'strictly increasing'),
    ([dict(begin=0, weights=dict(binary=1.0, fine=1.0))], 'exactly the levels'),
    ([dict(start=0, weights=MILESTONES[0]['weights'])], 'dict\\(begin=N'),
    ([dict(begin=-1, weights=MILESTONES[0]['weights'])], 'non-negative integer'),
])
def test_bad_milestones_are_clear_errors(milestones, message):
    with pytest.raises(ValueError, match=message):
        HierarchyCurriculumHook(milestones)


class TinySegmentor(BaseModel):
    """The least a Runner trains: one parameter, a loss scaled by the head's level weights."""

    def __init__(self):
        super().__init__()
        self.decode_head = FakeHead()
        self.scale = torch.nn.Parameter(torch.ones(1))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return dict(loss=self.scale.sum() * sum(self.decode_head.level_weights.values()))


def test_mmseg_runner_builds_the_hook_from_config_and_logs_weights(tmp_path):
    """An mmseg-scoped Runner finds the hook by name, as ``custom_hooks`` in a config does."""
    milestones = [dict(begin=0, weights=dict(binary=1.0, coarse=1.0, fine=0.0)),
                  dict(begin=4, weights=dict(binary=0.0, coarse=0.0, fine=1.0))]
    model = TinySegmentor()
    runner = Runner(
        model=model, work_dir=str(tmp_path), default_scope='mmseg',
        train_dataloader=DataLoader([dict(inputs=torch.zeros(1))] * 6, batch_size=2,
                                    collate_fn=pseudo_collate),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=3),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1),
                           checkpoint=dict(type='CheckpointHook', interval=100)),
        log_processor=dict(by_epoch=False),
        custom_hooks=[dict(type='HierarchyCurriculumHook', milestones=milestones)])
    assert any(isinstance(hook, HierarchyCurriculumHook) for hook in runner.hooks)
    runner.train()
    assert model.decode_head.level_weights == dict(binary=0.5, coarse=0.5, fine=0.5)
    log = next(tmp_path.rglob('*.log')).read_text()
    for iteration, (binary, fine) in enumerate([(1.0, 0.0), (0.75, 0.25), (0.5, 0.5)], 1):
        assert (f'[{iteration}/3]' in log and f'level_weight_binary: {binary:.4f}  '
                f'level_weight_coarse: {binary:.4f}  level_weight_fine: {fine:.4f}' in log)
