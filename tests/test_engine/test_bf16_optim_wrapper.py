"""BF16OptimWrapper (bfloat16 autocast training, on CPU too) and the --amp config switch."""
import runpy
import sys
from pathlib import Path

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import OPTIM_WRAPPERS
from mmengine.runner import Runner
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmseg_heritage.datasets.preparation import make_sample
from mmseg_heritage.engine import BF16OptimWrapper, mixed_precision, mixed_precision_cfg

from helpers import DEMO_CONFIG, REPO

ADAMW = dict(type='AdamW', lr=1e-3)


def test_built_from_a_config_through_the_registry():
    model = nn.Conv2d(3, 4, 3)
    optim_wrapper = build_optim_wrapper(model, dict(type='BF16OptimWrapper', optimizer=ADAMW))
    assert type(optim_wrapper) is BF16OptimWrapper
    # In mmengine's root registry: found from any default scope, mmseg's included.
    assert OPTIM_WRAPPERS.get('BF16OptimWrapper') is BF16OptimWrapper


def test_forward_in_bfloat16_parameters_and_gradients_in_float32():
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Conv2d(8, 2, 1))
    optim_wrapper = build_optim_wrapper(model, dict(type='BF16OptimWrapper', optimizer=ADAMW))
    with optim_wrapper.optim_context(model):
        out = model(torch.rand(2, 3, 16, 16))
        loss = nn.functional.cross_entropy(out, torch.randint(0, 2, (2, 14, 14)))
    assert out.dtype == torch.bfloat16
    assert loss.dtype == torch.float32  # autocast runs the cross-entropy in float32
    loss.backward()
    for param in model.parameters():
        assert param.dtype == torch.float32 and param.grad.dtype == torch.float32
    optim_wrapper.step()
    state = optim_wrapper.optimizer.state[model[0].weight]
    assert state['exp_avg'].dtype == torch.float32
    # Outside the context (validation, testing) the model runs in float32.
    assert model(torch.rand(1, 3, 16, 16)).dtype == torch.float32


def synthetic_batch(size: int, count: int) -> dict:
    """``count`` synthetic crops packed as PackSegInputs gives them."""
    items = []
    for seed in range(count):
        sample = make_sample(seed, size)
        image = torch.from_numpy(sample.image[..., ::-1].transpose(2, 0, 1).copy())
        data_sample = SegDataSample(metainfo=dict(img_shape=(size, size), ori_shape=(size, size)))
        data_sample.gt_sem_seg = PixelData(data=torch.from_numpy(sample.mask[None]).long())
        items.append(dict(inputs=image, data_samples=data_sample))
    return pseudo_collate(items)


def test_demo_unet_trains_in_bfloat16():
    cfg = Config.fromfile(DEMO_CONFIG)
    cfg.model.decode_head.loss_decode.class_weight = None
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    optim_wrapper = build_optim_wrapper(model, dict(cfg.optim_wrapper, type='BF16OptimWrapper'))
    batch = synthetic_batch(64, 2)
    losses = [model.train_step(batch, optim_wrapper)['loss'].item() for _ in range(6)]
    assert all(torch.isfinite(torch.tensor(losses)))
    assert losses[-1] < losses[0]


@pytest.fixture
def logged(monkeypatch) -> list:
    """Messages mixed_precision_cfg logs."""
    messages = []
    monkeypatch.setattr(mixed_precision, 'print_log',
                        lambda message, **kwargs: messages.append(message))
    return messages


@pytest.mark.parametrize('device', ['cpu', 'mps'])
def test_amp_without_a_gpu_trains_in_bfloat16(device, logged):
    config = dict(type='OptimWrapper', optimizer=ADAMW, clip_grad=None)
    assert mixed_precision_cfg(config, device) == dict(config, type='BF16OptimWrapper')
    assert logged == [f'No GPU ({device}): mixed-precision training in bfloat16 with '
                      "BF16OptimWrapper (mmengine's float16 AmpOptimWrapper needs a GPU)."]
    assert config['type'] == 'OptimWrapper'  # the given config is left alone
    # An AmpOptimWrapper set in the config gets bfloat16, without its loss-scaling settings.
    amp = dict(type='AmpOptimWrapper', optimizer=ADAMW, loss_scale='dynamic', dtype='float16')
    assert mixed_precision_cfg(amp, device) == dict(type='BF16OptimWrapper', optimizer=ADAMW)


def test_amp_on_a_gpu_is_mmsegs_float16(logged):
    config = dict(type='OptimWrapper', optimizer=ADAMW)
    assert mixed_precision_cfg(config, 'cuda') == dict(config, type='AmpOptimWrapper',
                                                        loss_scale='dynamic')
    assert not logged
    amp = dict(config, type='AmpOptimWrapper', loss_scale=512.0)
    assert mixed_precision_cfg(amp, 'cuda') == amp
    assert 'already enabled' in logged[0]


@pytest.mark.parametrize('device', ['cpu', 'cuda'])
def test_mixed_precision_already_set_or_unsupported(device, logged):
    bf16 = dict(type='BF16OptimWrapper', optimizer=ADAMW)
    assert mixed_precision_cfg(bf16, device) == bf16
    assert 'already enabled' in logged[0]
    with pytest.raises(ValueError, match='ApexOptimWrapper'):
        mixed_precision_cfg(dict(type='ApexOptimWrapper', optimizer=ADAMW), device)


def test_a_run_in_bfloat16_saves_float32_weights(runner_case):
    cfg = runner_case.iter_based_cfg
    cfg.optim_wrapper = mixed_precision_cfg(cfg.optim_wrapper, 'cpu')
    cfg.train_cfg.max_iters = 1
    cfg.default_hooks.update(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1),
                             safe_checkpoint=dict(type='SafeCheckpointHook'))
    runner = runner_case.build_runner(cfg)
    runner.train()
    assert type(runner.optim_wrapper) is BF16OptimWrapper
    work_dir = Path(runner_case.temp_dir.name)
    # The runner's copy of the config says which wrapper trained.
    [dumped] = work_dir.glob('*.py')
    assert "type='BF16OptimWrapper'" in dumped.read_text()
    checkpoint = torch.load(work_dir / 'iter_1.pth', weights_only=True)
    assert checkpoint['meta']['iter'] == 1
    assert all(value.dtype == torch.float32 for value in checkpoint['state_dict'].values()
               if value.is_floating_point())


@pytest.mark.skipif(torch.cuda.is_available(), reason='with a GPU --amp trains in float16')
def test_train_tool_amp_without_gpu_trains_in_bfloat16(tmp_path, logged, monkeypatch):
    built = []

    class NotTraining:  # what was built is the point here; the run above trains

        def train(self):
            pass

    monkeypatch.setattr(Runner, 'from_cfg',
                        classmethod(lambda runner, cfg: built.append(cfg) or NotTraining()))
    monkeypatch.setenv('LOCAL_RANK', '0')  # the tool sets it when missing
    monkeypatch.setattr(sys, 'argv', ['train.py', str(DEMO_CONFIG), '--amp', '--work-dir',
                                      str(tmp_path)])
    runpy.run_path(str(REPO / 'tools/train.py'), run_name='__main__')
    [cfg] = built
    assert cfg.optim_wrapper.type == 'BF16OptimWrapper'
    assert logged == ['No GPU (cpu): mixed-precision training in bfloat16 with '
                      "BF16OptimWrapper (mmengine's float16 AmpOptimWrapper needs a GPU)."]
