"""Benchmarks measured side by side in one run (these machines are noisy), written as JSON.

    python tools/benchmark.py infer [--height 3000] [--width 4000] \\
        [--out docs/benchmarks/infer_cpu.json]
    python tools/benchmark.py [model] CONFIG [CONFIG ...] [--batch-size 2] [--crop 384] \\
        [--iters 5] [--warmup 2] [--rounds 5] [--compare] \\
        [--switches channels_last bf16 compile workers] [--slide-size 1024 768] \\
        [--out work_dirs/benchmarks/model.json]

``infer``: ``tools/infer.py`` on one synthetic scan against MMSeg's own ``MMSegInferencer``
with the same model and checkpoint (random weights: speed and memory do not depend on them),
each in a fresh process whose peak RSS (Linux ``VmHWM``) is its own. A process that only
loads the model and reads the image gives the baseline both start from. Cases:
  - ``maxvit_tiny_384``: configs/poc59/upernet_maxvit_tiny_384.py, the config's test pipeline
    (the scan is resized to fit 1536 x 768) and its 384 px sliding window;
  - ``unet_384_native``: the demo UNet at the scan's full resolution in 384 px tiles.
The masks of both are compared pixel by pixel.

``model``: training and inference speed of each config's model, with random weights, each
config in a fresh process whose peak RSS is its own. Training runs on in-memory synthetic
batches of ``--batch-size`` crops of ``--crop`` px, so data loading is not part of it. A rate
is the median over ``--rounds`` rounds of ``--iters`` steps each, after ``--warmup`` steps;
rates that are compared run in alternating rounds (A B A B ...). Per config:
  - training through MMEngine's Runner (IterBasedTrainLoop, the config's optim wrapper with
    its paramwise settings, parameter schedulers and hooks). ``--compare`` alternates its
    rounds with a plain PyTorch loop on an equal copy of the model (forward on the already
    normalised batch, summed losses, backward, AdamW step): ``framework_overhead`` is the
    framework's step time over the plain loop's, minus 1;
  - inference of one crop (``whole``), and of one ``--slide-size`` (H W) image by sliding
    windows (the config's, or for ``whole`` configs crops of ``--crop`` at 2/3 stride) with
    MMSeg's slide inference and with mmseg_heritage's tiled prediction, whose labels are
    compared pixel by pixel;
  - peak RSS once the Runner's training is warm (``peak_rss_mib``: model, optimizer state,
    one step) and of the whole process (``peak_rss_mib_process``), CUDA memory likewise on a
    GPU; parameters and FLOPs as tools/analysis/model_complexity.py counts them (auxiliary
    heads left out);
  - ``--switches``, each against float32 in the same process: ``channels_last`` (model and
    inputs), ``bf16`` (BF16OptimWrapper for training, bfloat16 autocast for inference),
    ``compile`` (torch.compile of train_step as the config option ``compile=True`` does;
    compilation time reported apart) and ``workers`` (the config's own train_dataloader on a
    small synthetic dataset of ``--slide-size`` images, 0 against 2 worker processes, next to
    the training rate). Switches are timed on ``train_step`` without the Runner's hooks.
"""
import argparse
import copy
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from mmengine.config import Config, ConfigDict
from mmengine.hooks import Hook

REPO = Path(__file__).resolve().parents[1]
CASES = {
    'maxvit_tiny_384': dict(config='configs/poc59/upernet_maxvit_tiny_384.py', infer_args=[],
                            options={}),
    'unet_384_native': dict(config='configs/demo/unet_s_synthetic_160.py',
                            infer_args=['--native-resolution', '--tile-size', '384',
                                        '--tile-stride', '256'],
                            options={'model.test_cfg': dict(mode='slide', crop_size=(384, 384),
                                                            stride=(256, 256))}),
}
SWITCHES = ('channels_last', 'bf16', 'compile', 'workers')
TRAIN_SWITCHES = ('channels_last', 'bf16', 'compile')
INFER_SWITCHES = ('channels_last', 'bf16')  # mmengine compiles only the training step
LOADER_WORKERS = (0, 2)


def parse_args(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    # `tools/benchmark.py CONFIG ...` is short for `tools/benchmark.py model CONFIG ...`.
    if argv and argv[0].endswith('.py'):
        argv.insert(0, 'model')
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest='command', required=True)
    infer = commands.add_parser('infer', help='tools/infer.py against MMSegInferencer')
    infer.add_argument('--height', type=int, default=3000)
    infer.add_argument('--width', type=int, default=4000)
    infer.add_argument('--cases', nargs='+', choices=sorted(CASES), default=sorted(CASES))
    infer.add_argument('--out', default='work_dirs/benchmarks/infer.json')
    model = commands.add_parser('model', help='training and inference speed of configs')
    model.add_argument('configs', nargs='+', help='config files')
    model.add_argument('--batch-size', type=int, default=2, help='training batch (default: 2)')
    model.add_argument('--crop', type=int, default=384,
                       help='training crop and whole-inference image side (default: 384)')
    model.add_argument('--iters', type=int, default=5, help='steps per round (default: 5)')
    model.add_argument('--warmup', type=int, default=2,
                       help='untimed steps before the rounds, at least 1 (default: 2)')
    model.add_argument('--rounds', type=int, default=5,
                       help='timed rounds per figure; the median counts (default: 5)')
    model.add_argument('--compare', action='store_true',
                       help='also train with a plain PyTorch loop: the framework overhead')
    model.add_argument('--switches', nargs='+', choices=SWITCHES, default=[],
                       help='speed options, each measured against float32')
    model.add_argument('--slide-size', type=int, nargs=2, default=[1024, 768],
                       metavar=('H', 'W'), help='sliding-window image (default: 1024 768)')
    model.add_argument('--out', default='work_dirs/benchmarks/model.json',
                       help='JSON file (default: work_dirs/benchmarks/model.json)')
    # One measured run, in its own process (used by `infer` and `model`).
    child = commands.add_parser('_run')
    child.add_argument('mode', choices=['load', 'stock', 'tool', 'model'])
    child.add_argument('spec', help='JSON: config, checkpoint, image, out_dir, options, args; '
                       'or config and settings')
    args = parser.parse_args(argv)
    if args.command == 'model':
        small = [name for name in ('batch_size', 'crop', 'iters', 'warmup', 'rounds')
                 if getattr(args, name) < 1]
        if small:
            parser.error(f'{", ".join("--" + name.replace("_", "-") for name in small)} '
                         'must be at least 1')
    return args


def peak_rss_mib() -> float:
    status = Path('/proc/self/status').read_text()
    return round(int(re.search(r'VmHWM:\s*(\d+) kB', status).group(1)) / 1024, 1)


def rss_mib() -> float:
    status = Path('/proc/self/status').read_text()
    return round(int(re.search(r'VmRSS:\s*(\d+) kB', status).group(1)) / 1024, 1)


def reset_peak_rss() -> bool:
    """Lower this process's peak RSS to its current RSS (Linux); False where not allowed."""
    try:
        Path('/proc/self/clear_refs').write_text('5')
    except OSError:
        return False
    return True


def run_once(mode: str, spec: dict) -> dict:
    """Load the model and read the image (``load``), or predict with MMSeg's inferencer
    (``stock``) or with ``tools/infer.py`` (``tool``); return seconds and peak RSS."""
    import numpy as np

    import mmseg_heritage  # noqa: F401
    from mmseg_heritage.apis import DamageInferencer, read_image
    cfg = Config.fromfile(str(REPO / spec['config']))
    cfg.merge_from_dict(spec['options'])
    start = time.perf_counter()
    if mode == 'load':
        DamageInferencer(cfg, spec['checkpoint'], device='cpu')
        read_image(spec['image'])
    elif mode == 'stock':
        from mmseg.apis import MMSegInferencer
        inferencer = MMSegInferencer(cfg, spec['checkpoint'], device='cpu')
        mask = inferencer(spec['image'])['predictions']
        np.save(Path(spec['out_dir']) / 'stock_mask.npy', mask.astype(np.uint8))
    else:
        sys.path.insert(0, str(REPO / 'tools'))
        import infer
        code = infer.main([str(REPO / spec['config']), spec['checkpoint'], spec['image'],
                           '--out-dir', spec['out_dir'], '--device', 'cpu', '--no-progress',
                           *spec['args']])
        assert code == 0, f'tools/infer.py exited with {code}'
    return dict(seconds=round(time.perf_counter() - start, 2), peak_rss_mib=peak_rss_mib())


def measure(mode: str, spec: dict) -> dict:
    command = [sys.executable, __file__, '_run', mode, json.dumps(spec)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    if result.returncode:
        raise RuntimeError(f'{mode} run failed:\n{result.stderr[-3000:]}')
    return json.loads(result.stdout.strip().splitlines()[-1])


def write_checkpoint(config: str, path: Path) -> None:
    """Randomly initialised weights, with the class names, as a checkpoint."""
    import torch
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules

    import mmseg_heritage  # noqa: F401
    from mmseg_heritage.class_names import CLASSES, PALETTE
    register_all_modules()
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(str(REPO / config)).model)
    torch.save(dict(meta=dict(dataset_meta=dict(classes=CLASSES, palette=PALETTE)),
                    state_dict=model.state_dict()), path)


def benchmark_infer(args) -> dict:
    import cv2
    import numpy as np

    from mmseg_heritage.datasets.preparation import make_sample
    results = dict(benchmark='infer', machine=platform.processor() or platform.machine(),
                   python=platform.python_version(), image=[args.height, args.width],
                   cases={})
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        image = tmp / 'scan.jpg'
        cv2.imwrite(str(image), make_sample(0, (args.height, args.width)).image[..., ::-1],
                    [cv2.IMWRITE_JPEG_QUALITY, 92])
        for name in args.cases:
            case = CASES[name]
            checkpoint = tmp / f'{name}.pth'
            write_checkpoint(case['config'], checkpoint)
            out_dir = tmp / name
            out_dir.mkdir()
            spec = dict(config=case['config'], checkpoint=str(checkpoint), image=str(image),
                        out_dir=str(out_dir), options=case['options'], args=case['infer_args'])
            runs = {mode: measure(mode, spec) for mode in ('load', 'stock', 'tool')}
            base = runs['load']['peak_rss_mib']
            ours = cv2.imread(str(out_dir / 'masks/scan.png'), cv2.IMREAD_UNCHANGED)
            stock = np.load(out_dir / 'stock_mask.npy')
            results['cases'][name] = dict(
                config=case['config'], infer_args=case['infer_args'], runs=runs,
                extra_peak_mib=dict(stock=round(runs['stock']['peak_rss_mib'] - base, 1),
                                    tool=round(runs['tool']['peak_rss_mib'] - base, 1)),
                extra_peak_ratio_tool_to_stock=round(
                    (runs['tool']['peak_rss_mib'] - base)
                    / max(runs['stock']['peak_rss_mib'] - base, 1e-6), 3),
                time_ratio_tool_to_stock=round(
                    runs['tool']['seconds'] / runs['stock']['seconds'], 3),
                masks_agree=round(float((ours == stock).mean()), 6))
            print(json.dumps({name: results['cases'][name]}, indent=2), flush=True)
    return results


def timed(step: Callable[[], object], iters: int, clock: Callable[[], float]) -> float:
    """Seconds taken by ``iters`` calls of ``step``."""
    start = clock()
    for _ in range(iters):
        step()
    return clock() - start


def alternate(runs: Dict[str, Callable[[], float]], rounds: int) -> Dict[str, List[float]]:
    """Seconds of each of ``rounds`` rounds of every run, taken in turn (A B A B ...), so
    that a slow spell of a noisy machine falls on all of them alike.

    Args:
        runs (dict): Name to a function that runs one round and returns its seconds.
        rounds (int): Rounds of each run.

    Returns:
        dict: Name to the list of its rounds' seconds, in order.
    """
    seconds = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run_round in runs.items():
            seconds[name].append(run_round())
    return seconds


def per_second(count: int, seconds: Sequence[float]) -> float:
    """Rate of ``count`` items per round, from the median round."""
    return round(count / statistics.median(seconds), 3)


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, rounded for the JSON."""
    return round(numerator / denominator, 4)


def device_clock(device: str) -> Callable[[], float]:
    """``time.perf_counter`` that first waits for the GPU's queued work, where there is one."""
    import torch

    def clock() -> float:
        if device == 'cuda':
            torch.cuda.synchronize()
        return time.perf_counter()

    return clock


def cuda_peak_mib() -> float:
    """Most GPU memory torch has held for tensors so far."""
    import torch
    return round(torch.cuda.max_memory_allocated() / 2**20, 1)


def config_dicts(node) -> list:
    """Every dict nested in a config value, ``node`` itself included."""
    if isinstance(node, dict):
        return [node] + [d for value in node.values() for d in config_dicts(value)]
    if isinstance(node, (list, tuple)):
        return [d for value in node for d in config_dicts(value)]
    return []


def benchmark_cfg(cfg: Config, crop: int) -> Config:
    """``cfg`` changed in place for measuring: random weights, sizes fitted to ``crop``.

    Pretrained weights (``pretrained``, ``Pretrained`` init) are dropped, so nothing is loaded
    or downloaded; a class weights file that is not there gives uniform weights (speed does
    not depend on them). A model built for one input size (``img_size`` in the backbone, e.g.
    MaxViT) is built for ``crop``, with its preprocessor's fixed size and its sliding window.

    Args:
        cfg (Config): A training config.
        crop (int): Side of the training crops and of the sliding window, in pixels.

    Returns:
        Config: ``cfg``.
    """
    for node in config_dicts(cfg.model):
        if node.get('pretrained'):
            node['pretrained'] = None
        if 'Pretrained' in str(node.get('init_cfg')):
            node['init_cfg'] = None
        weights = node.get('class_weight')
        if isinstance(weights, str) and not Path(weights).is_file():
            node['class_weight'] = None
    if 'img_size' in cfg.model.get('backbone', {}):
        size = (crop, crop)
        cfg.model.backbone.img_size = size
        preprocessor = cfg.model.get('data_preprocessor', {})
        for sizes in (preprocessor, preprocessor.get('test_cfg', {})):
            if sizes.get('size'):
                sizes['size'] = size
        test_cfg = cfg.model.get('test_cfg', {})
        if test_cfg.get('mode') == 'slide' and tuple(test_cfg['crop_size']) != size:
            test_cfg.update(crop_size=size, stride=two_thirds(crop))
    return cfg


def sliding_window(test_cfg, crop: int) -> dict:
    """The config's slide settings, or crops of ``crop`` at 2/3 stride for ``whole`` ones."""
    if test_cfg.get('mode') == 'slide':
        return dict(mode='slide', crop_size=tuple(test_cfg['crop_size']),
                    stride=tuple(test_cfg['stride']))
    return dict(mode='slide', crop_size=(crop, crop), stride=two_thirds(crop))


def two_thirds(crop: int) -> tuple:
    """Stride of windows of side ``crop`` that overlap by a third, as DamageInferencer's."""
    return (max(1, crop * 2 // 3), ) * 2


def packed_image(seed: int, size):
    """A synthetic artefact as ``PackSegInputs`` gives it: BGR uint8 3 x H x W and a data
    sample with its mask."""
    import torch
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample

    from mmseg_heritage.datasets.preparation import make_sample
    sample = make_sample(seed, size)
    image = torch.from_numpy(sample.image[..., ::-1].transpose(2, 0, 1).copy())
    shape = tuple(image.shape[-2:])
    data_sample = SegDataSample(metainfo=dict(ori_shape=shape, img_shape=shape,
                                              pad_shape=shape))
    data_sample.gt_sem_seg = PixelData(data=torch.from_numpy(sample.mask[None].astype('int64')))
    return dict(inputs=image, data_samples=data_sample)


class InMemoryCrops:
    """``num_images`` synthetic crops held in memory, already packed, repeated to ``length``
    items: the Runner's data loader then only collates them.

    Args:
        size (int): Crop side in pixels.
        num_images (int): Distinct crops.
        length (int): Items the dataset claims; more than the run's images, so that no epoch
            ends (loggers act at epoch ends).
    """

    def __init__(self, size: int, num_images: int, length: int) -> None:
        from mmseg_heritage.class_names import CLASSES, PALETTE
        self.items = [packed_image(seed, size) for seed in range(num_images)]
        self.length = length
        self.metainfo = dict(classes=CLASSES, palette=PALETTE)

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> dict:
        return self.items[index % len(self.items)]


class RoundTimerHook(Hook):
    """Times the Runner's training iterations in rounds of ``iters`` after ``warmup``.

    Args:
        warmup (int): Untimed iterations first.
        iters (int): Iterations per round.
        clock: Time source.
        after_warmup (callable, optional): Called with the runner once warm-up is over.
        between_rounds (callable, optional): Runs after every round (the plain loop's round,
            so the two alternate) and returns its seconds.
    """

    priority = 'LOWEST'  # a round ends after every other hook's work on its last iteration

    def __init__(self, warmup: int, iters: int, clock: Callable[[], float],
                 after_warmup: Optional[Callable] = None,
                 between_rounds: Optional[Callable[[], float]] = None) -> None:
        self.warmup, self.iters, self.clock = warmup, iters, clock
        self.after_warmup, self.between_rounds = after_warmup, between_rounds
        self.seconds, self.between_seconds = [], []
        self.start = None

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        end = self.clock()
        done = batch_idx + 1
        if done < self.warmup or (done - self.warmup) % self.iters:
            return
        if done == self.warmup:
            if self.after_warmup:
                self.after_warmup(runner)
        else:
            self.seconds.append(end - self.start)
            if self.between_rounds:
                self.between_seconds.append(self.between_rounds())
        self.start = self.clock()


def plain_step(model, batch: dict, optimizer_cfg: dict) -> Callable[[], None]:
    """One training step of a plain PyTorch loop on ``model``: forward on the batch
    normalised once beforehand, summed losses, backward, AdamW step."""
    import torch
    data = model.data_preprocessor(batch, True)
    inputs, data_samples = data['inputs'], data['data_samples']
    optimizer = torch.optim.AdamW(model.parameters(), lr=optimizer_cfg.get('lr', 1e-3),
                                  weight_decay=optimizer_cfg.get('weight_decay', 1e-2))

    def step() -> None:
        losses = model(inputs, data_samples, mode='loss')
        # As mmseg's parse_losses: accuracies ride along in the dict.
        loss = sum(value for name, value in losses.items() if 'loss' in name)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    return step


def channels_last(model):
    """``model`` with its weights and its input images in channels-last memory format."""
    import torch

    def inputs_channels_last(module, args, kwargs):
        if args:
            args = (args[0].contiguous(memory_format=torch.channels_last), ) + args[1:]
        else:
            kwargs['inputs'] = kwargs['inputs'].contiguous(memory_format=torch.channels_last)
        return args, kwargs

    model.to(memory_format=torch.channels_last)
    model.register_forward_pre_hook(inputs_channels_last, with_kwargs=True)
    return model


def predict(model, image):
    """Class ids (H x W) of one BGR uint8 3 x H x W image through ``test_step``, the data
    preprocessor and the model's ``test_cfg`` included."""
    from mmseg.structures import SegDataSample
    shape = tuple(image.shape[-2:])
    data_sample = SegDataSample(metainfo=dict(ori_shape=shape, img_shape=shape))
    result = model.test_step(dict(inputs=[image], data_samples=[data_sample]))
    return result[0].pred_sem_seg.data[0]


def train_through_runner(cfg, work_dir: Path, settings: dict, clock):
    """Train with MMEngine's Runner on in-memory crops; with ``compare``, alternate its rounds
    with the plain loop's. Returns the runner and the figures."""
    from mmengine.model import is_model_wrapper
    from mmengine.runner import Runner
    from mmseg.registry import DATASETS
    DATASETS.register_module(module=InMemoryCrops, force=True)
    warmup, iters, rounds = settings['warmup'], settings['iters'], settings['rounds']
    batch_size = settings['batch_size']
    max_iters = warmup + rounds * iters
    cfg.work_dir = str(work_dir)
    cfg.train_dataloader = dict(
        batch_size=batch_size, num_workers=0, persistent_workers=False,
        sampler=dict(type='InfiniteSampler', shuffle=True),
        dataset=dict(type='InMemoryCrops', size=settings['crop'], num_images=batch_size,
                     length=batch_size * (max_iters + 1)))
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                         val_interval=max_iters + 1)
    for key in ('val_dataloader', 'val_cfg', 'val_evaluator', 'test_dataloader', 'test_cfg',
                'test_evaluator', 'load_from'):
        cfg[key] = None
    cfg.resume = False
    cfg.pop('compile', None)  # a switch of its own
    if cfg.get('default_hooks', {}).get('checkpoint'):
        # Saving a checkpoint is no part of a training step.
        cfg.default_hooks.checkpoint.update(interval=max_iters + 1, save_last=False)
    runner = Runner.from_cfg(cfg)
    figures = dict(method='mmengine Runner: IterBasedTrainLoop, the config\'s optim wrapper, '
                   'parameter schedulers and hooks; in-memory batches')
    plain = {}

    def after_warmup(runner) -> None:
        figures['peak_rss_mib'] = peak_rss_mib()
        if settings['device'] == 'cuda':
            figures['cuda_max_allocated_mib'] = cuda_peak_mib()
        if settings['compare']:
            model = runner.model.module if is_model_wrapper(runner.model) else runner.model
            copy_ = copy.deepcopy(model)  # the same weights as the Runner's model now
            batch = runner.train_dataloader.collate_fn(
                [runner.train_dataloader.dataset[i] for i in range(batch_size)])
            plain['step'] = plain_step(copy_, batch, cfg.optim_wrapper.optimizer)
            timed(plain['step'], warmup, clock)

    timer = RoundTimerHook(warmup, iters, clock, after_warmup,
                           (lambda: timed(plain['step'], iters, clock))
                           if settings['compare'] else None)
    runner.register_hook(timer)
    runner.train()
    images = batch_size * iters
    figures['train_images_per_s'] = per_second(images, timer.seconds)
    figures['round_seconds'] = dict(framework=[round(s, 4) for s in timer.seconds])
    if settings['compare']:
        figures['plain_train_images_per_s'] = per_second(images, timer.between_seconds)
        figures['framework_overhead'] = round(
            statistics.median(timer.seconds) / statistics.median(timer.between_seconds) - 1, 4)
        figures['round_seconds']['plain'] = [round(s, 4) for s in timer.between_seconds]
    plain.clear()  # the hook still holds the plain loop: free its model and optimizer
    return runner, figures


def train_switch(name: str, runner, cfg, settings: dict, clock) -> dict:
    """Training images/s with one switch against float32, both through ``train_step``."""
    import torch
    from mmengine.optim import build_optim_wrapper
    model, optim_wrapper = runner.model, runner.optim_wrapper
    batch = runner.train_dataloader.collate_fn(
        [runner.train_dataloader.dataset[i] for i in range(settings['batch_size'])])
    switched = copy.deepcopy(model)
    wrapper_cfg = copy.deepcopy(cfg.optim_wrapper)
    if name == 'channels_last':
        channels_last(switched)
    elif name == 'bf16':
        wrapper_cfg.type = 'BF16OptimWrapper'
    switched_wrapper = build_optim_wrapper(switched, wrapper_cfg)
    if name == 'compile':
        # As the Runner does for cfg.compile (True or a dict of torch.compile's options).
        options = cfg.get('compile')
        switched.train_step = torch.compile(switched.train_step,
                                            **(options if isinstance(options, dict) else {}))
    steps = dict(baseline=lambda: model.train_step(batch, optim_wrapper),
                 switched=lambda: switched.train_step(batch, switched_wrapper))
    warmup = [timed(steps['switched'], 1, clock) for _ in range(settings['warmup'])]
    seconds = alternate({key: lambda step=step: timed(step, settings['iters'], clock)
                         for key, step in steps.items()}, settings['rounds'])
    images = settings['batch_size'] * settings['iters']
    result = dict(train_images_per_s=per_second(images, seconds['switched']),
                  baseline_train_images_per_s=per_second(images, seconds['baseline']))
    result['train_ratio'] = ratio(result['train_images_per_s'],
                                  result['baseline_train_images_per_s'])
    if name == 'compile':
        step_seconds = statistics.median(seconds['switched']) / settings['iters']
        result['compile_seconds'] = round(sum(warmup) - len(warmup) * step_seconds, 2)
    return result


def infer_switch(name: str, model, image, settings: dict, clock) -> dict:
    """Whole-image inference images/s with one switch against float32."""
    import torch
    if name == 'channels_last':
        switched = channels_last(copy.deepcopy(model))

        def switched_step():
            return predict(switched, image)
    else:
        device_type = next(model.parameters()).device.type

        def switched_step():
            with torch.autocast(device_type, dtype=torch.bfloat16):
                return predict(model, image)

    timed(switched_step, settings['warmup'], clock)
    seconds = alternate(dict(
        baseline=lambda: timed(lambda: predict(model, image), settings['iters'], clock),
        switched=lambda: timed(switched_step, settings['iters'], clock)), settings['rounds'])
    result = dict(infer_whole_images_per_s=per_second(settings['iters'], seconds['switched']),
                  baseline_infer_whole_images_per_s=per_second(settings['iters'],
                                                               seconds['baseline']))
    result['infer_whole_ratio'] = ratio(result['infer_whole_images_per_s'],
                                        result['baseline_infer_whole_images_per_s'])
    return result


def infer_figures(model, settings: dict, clock) -> dict:
    """Whole-image and sliding-window inference, MMSeg's slide inference against ours."""
    from mmseg_heritage.apis import predict_labels
    model.eval()
    crop = settings['crop']
    whole = packed_image(0, crop)['inputs']
    slide_cfg = sliding_window(model.test_cfg or {}, crop)
    model.test_cfg = ConfigDict(mode='whole')
    timed(lambda: predict(model, whole), settings['warmup'], clock)
    seconds = [timed(lambda: predict(model, whole), settings['iters'], clock)
               for _ in range(settings['rounds'])]
    figures = dict(infer_whole_images_per_s=per_second(settings['iters'], seconds))

    model.test_cfg = ConfigDict(slide_cfg)
    image = packed_image(1, tuple(settings['slide_size']))['inputs']
    shape = tuple(image.shape[-2:])
    runs = dict(
        stock=lambda: predict(model, image).cpu().numpy(),
        tiled=lambda: predict_labels(model, image, shape, slide_cfg['crop_size'],
                                     slide_cfg['stride']))
    labels, extra_peak = {}, {}
    for name, run in runs.items():  # untimed first runs, each measuring its extra memory
        start_rss = rss_mib()
        reset = reset_peak_rss()
        labels[name] = run()
        extra_peak[name] = round(peak_rss_mib() - start_rss, 1) if reset else None
    seconds = alternate({name: lambda run=run: timed(run, 1, clock)
                         for name, run in runs.items()}, settings['rounds'])
    figures.update(
        infer_slide_images_per_s=per_second(1, seconds['stock']),
        infer_slide_tiled_images_per_s=per_second(1, seconds['tiled']),
        slide_agreement=round(float((labels['stock'] == labels['tiled']).mean()), 6),
        slide=dict(image=list(shape), crop_size=list(slide_cfg['crop_size']),
                   stride=list(slide_cfg['stride']), extra_peak_rss_mib=extra_peak))
    model.test_cfg = ConfigDict(mode='whole')  # for the switches' whole-image inference
    return figures


def loader_workers(cfg, settings: dict, train_images_per_s: float, work_dir: Path) -> dict:
    """Images/s of the config's own train_dataloader with 0 and 2 workers, on a small
    synthetic dataset of ``slide_size`` images, next to the training rate."""
    from mmengine.runner import Runner

    from mmseg_heritage.datasets.preparation import generate_synthetic_dataset
    root = generate_synthetic_dataset(work_dir / 'data', num_images=8,
                                      size=tuple(settings['slide_size']), seed=0)
    iterators, batch_sizes = {}, {}
    for workers in LOADER_WORKERS:
        loader_cfg = copy.deepcopy(cfg.train_dataloader)
        loader_cfg.update(num_workers=workers, persistent_workers=workers > 0)
        for node in config_dicts(loader_cfg):
            if 'data_root' in node:
                node['data_root'] = str(root)
            for key, value in node.items():
                if isinstance(value, str) and value.endswith('class_weights.json'):
                    node[key] = str(root / 'class_weights.json')
        loader = Runner.build_dataloader(loader_cfg, seed=0)
        iterators[workers] = (iter(loader), (loader.prefetch_factor or 0) * workers)
        batch_sizes[workers] = loader.batch_size

    def loader_round(workers: int) -> float:
        batches, prefetched = iterators[workers]
        for _ in range(prefetched):  # filled while the other loader ran: not its rate
            next(batches)
        return timed(lambda: next(batches), settings['iters'], time.perf_counter)

    for workers in LOADER_WORKERS:
        loader_round(workers)  # warm-up: workers start, files reach the page cache
    seconds = alternate({str(w): lambda w=w: loader_round(w) for w in LOADER_WORKERS},
                        settings['rounds'])
    rates = {str(w): per_second(batch_sizes[w] * settings['iters'], seconds[str(w)])
             for w in LOADER_WORKERS}
    del iterators
    return dict(loader_images_per_s=rates, batch_size=batch_sizes[0],
                image=list(settings['slide_size']),
                ratio=ratio(rates[str(LOADER_WORKERS[1])], rates[str(LOADER_WORKERS[0])]),
                train_images_per_s=train_images_per_s,
                loader_to_train_ratio={w: ratio(rate, train_images_per_s)
                                       for w, rate in rates.items()})


def measure_model(spec: dict) -> dict:
    """Every figure of ``model`` for one config (run in a process of its own)."""
    import torch
    from mmseg.utils import register_all_modules

    import mmseg_heritage  # noqa: F401
    sys.path.insert(0, str(REPO / 'tools/analysis'))
    import model_complexity
    register_all_modules(init_default_scope=True)
    torch.manual_seed(0)
    settings = dict(spec['settings'], device='cuda' if torch.cuda.is_available() else 'cpu')
    clock = device_clock(settings['device'])
    config = Path(spec['config'])
    cfg = benchmark_cfg(Config.fromfile(str(config)), settings['crop'])
    result = dict(config=spec['config'], threads=torch.get_num_threads())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # An empty cache: compile_seconds is what a first run pays, whatever ran before.
        os.environ['TORCHINDUCTOR_CACHE_DIR'] = str(tmp / 'inductor')
        runner, figures = train_through_runner(copy.deepcopy(cfg), tmp / 'work_dir', settings,
                                               clock)
        result.update(figures)
        result['switch_method'] = ('train_step (data preprocessor, forward, losses, optim '
                                   'wrapper update) without the Runner\'s hooks; inference '
                                   'test_step')
        switches = {}
        for name in settings['switches']:
            if name in TRAIN_SWITCHES:
                switches[name] = train_switch(name, runner, cfg, settings, clock)
        model = runner.model
        with torch.no_grad():
            result.update(infer_figures(model, settings, clock))
            whole = packed_image(0, settings['crop'])['inputs']
            for name in settings['switches']:
                if name in INFER_SWITCHES:
                    switches[name].update(infer_switch(name, model, whole, settings, clock))
        if 'workers' in settings['switches']:
            switches['workers'] = loader_workers(cfg, settings, result['train_images_per_s'],
                                                 tmp)
        result['switches'] = switches
        result['peak_rss_mib_process'] = peak_rss_mib()
        if settings['device'] == 'cuda':
            result['cuda_max_allocated_mib_process'] = cuda_peak_mib()
        complexity = model_complexity.measure(config, (settings['crop'], ) * 2)
        result.update(params=complexity['params'], flops=complexity['flops'])
    return result


def benchmark_model(args) -> dict:
    """``model`` for every config, each in a child process; a config whose run fails gets
    its error in place of figures, and the others still run."""
    import torch
    settings = dict(batch_size=args.batch_size, crop=args.crop, iters=args.iters,
                    warmup=args.warmup, rounds=args.rounds, compare=args.compare,
                    switches=list(dict.fromkeys(args.switches)), slide_size=args.slide_size)
    device = (f'cuda ({torch.cuda.get_device_name()})' if torch.cuda.is_available() else 'cpu')
    results = dict(benchmark='model', machine=platform.processor() or platform.machine(),
                   cpu=cpu_name(), python=platform.python_version(),
                   torch=torch.__version__, device=device, settings=settings, configs={})
    for config in args.configs:
        path = Path(config).resolve()
        # Children run in the repository: its configs go by their relative path.
        name = str(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
        try:
            results['configs'][name] = measure('model', dict(config=name, settings=settings))
        except RuntimeError as error:
            results['configs'][name] = dict(error=str(error))
        print(json.dumps({name: results['configs'][name]}, indent=2), flush=True)
    return results


def cpu_name() -> str:
    """The CPU's model name (Linux), e.g. for telling the machines of two runs apart."""
    try:
        cpuinfo = Path('/proc/cpuinfo').read_text()
    except OSError:
        return platform.processor()
    found = re.search(r'model name\s*:\s*(.+)', cpuinfo)
    return found.group(1).strip() if found else platform.processor()


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.command == '_run':
        spec = json.loads(args.spec)
        result = measure_model(spec) if args.mode == 'model' else run_once(args.mode, spec)
        print(json.dumps(result))
        return
    missing = [c for c in getattr(args, 'configs', []) if not Path(c).is_file()]
    if missing:
        raise SystemExit(f'error: config not found: {", ".join(missing)}')
    results = benchmark_infer(args) if args.command == 'infer' else benchmark_model(args)
    sys.path.insert(0, str(REPO))
    from mmseg_heritage.utils import write_json_atomic
    write_json_atomic(args.out, results)
    print(f'wrote {args.out}')
    if any('error' in figures for figures in results.get('configs', {}).values()):
        raise SystemExit('error: some configs could not be measured (see their "error")')


if __name__ == '__main__':
    main()
