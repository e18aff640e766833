"""Benchmarks measured side by side in one run (these machines are noisy), written as JSON.

    python tools/benchmark.py infer [--height 3000] [--width 4000] \\
        [--out docs/benchmarks/infer_cpu.json]

``infer``: ``tools/infer.py`` on one synthetic scan against MMSeg's own ``MMSegInferencer``
with the same model and checkpoint (random weights: speed and memory do not depend on them),
each in a fresh process whose peak RSS (Linux ``VmHWM``) is its own. A process that only
loads the model and reads the image gives the baseline both start from. Cases:
  - ``maxvit_tiny_384``: configs/poc59/upernet_maxvit_tiny_384.py, the config's test pipeline
    (the scan is resized to fit 1536 x 768) and its 384 px sliding window;
  - ``unet_384_native``: the demo UNet at the scan's full resolution in 384 px tiles.
The masks of both are compared pixel by pixel.
"""
import argparse
import json
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest='command', required=True)
    infer = commands.add_parser('infer', help='tools/infer.py against MMSegInferencer')
    infer.add_argument('--height', type=int, default=3000)
    infer.add_argument('--width', type=int, default=4000)
    infer.add_argument('--cases', nargs='+', choices=sorted(CASES), default=sorted(CASES))
    infer.add_argument('--out', default='work_dirs/benchmarks/infer.json')
    # One measured run, in its own process (used by `infer`).
    child = commands.add_parser('_run')
    child.add_argument('mode', choices=['load', 'stock', 'tool'])
    child.add_argument('spec', help='JSON: config, checkpoint, image, out_dir, options, args')
    return parser.parse_args(argv)


def peak_rss_mib() -> float:
    status = Path('/proc/self/status').read_text()
    return round(int(re.search(r'VmHWM:\s*(\d+) kB', status).group(1)) / 1024, 1)


def run_once(mode: str, spec: dict) -> dict:
    """Load the model and read the image (``load``), or predict with MMSeg's inferencer
    (``stock``) or with ``tools/infer.py`` (``tool``); return seconds and peak RSS."""
    import numpy as np
    from mmengine.config import Config

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
    from mmengine.config import Config
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules

    import mmseg_heritage  # noqa: F401
    from mmseg_heritage.datasets.artefact import CLASSES, PALETTE
    register_all_modules()
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(str(REPO / config)).model)
    torch.save(dict(meta=dict(dataset_meta=dict(classes=CLASSES, palette=PALETTE)),
                    state_dict=model.state_dict()), path)


def benchmark_infer(args) -> dict:
    import cv2
    import numpy as np

    from mmseg_heritage.datasets.synthetic import make_sample
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


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.command == '_run':
        print(json.dumps(run_once(args.mode, json.loads(args.spec))))
        return
    results = benchmark_infer(args)
    sys.path.insert(0, str(REPO))
    from mmseg_heritage.utils import write_json_atomic
    write_json_atomic(args.out, results)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
