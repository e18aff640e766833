"""PyTorch fp32 and bf16 against ONNX Runtime fp32 and int8, side by side, written as JSON.

    python tools/analysis/benchmarks/benchmark_backends.py [--models demo segformer_b3 \\
        convnext_tiny] [--demo-checkpoint work_dirs/demo/iter_600.pth] \\
        [--data-root data/synthetic] [--crop 384] [--height 3000] [--width 4000] \\
        [--rounds 5] [--scan-rounds 3] [--backends pytorch_fp32 onnxruntime_int8 ...] \
        [--out docs/benchmarks/backends_cpu.json]

Per model, in a process of its own: export to ONNX (tools/export_onnx.py's export and check)
and quantise to int8 (calibrated on --calibration-tiles tiles of the training split of
--data-root), then, in alternating rounds (A B C D A B C D ...: these machines are noisy):
  - ``crops``: --crop-images synthetic crops of --crop px predicted whole, batch 1;
  - ``scan``: one synthetic --height x --width scan predicted as tools/infer.py predicts it;
each with images/s, megapixels/s, the spread of the rounds, the share of labels equal to
PyTorch fp32 and the speed-up over it. ``int8_accuracy``: PyTorch fp32, ONNX Runtime fp32 and
int8 scored on the test split of --data-root as ArtefactMetric scores it (meaningful with
trained weights only: --demo-checkpoint). ``memory``: each backend predicting the scan in a
fresh process, peak RSS above the loaded model and scan. Models:
  - ``demo``: configs/demo/unet_s_synthetic_160.py at the scan's full resolution in 384 px
    tiles every 256 px (random weights unless --demo-checkpoint);
  - ``segformer_b3``, ``convnext_tiny``, ``maxvit_tiny``: configs/poc59/, random weights, the
    config's test pipeline (the scan resized to fit 1024 x 768) and tiles;
  - ``starter``: configs/starter/unet_efficientnet_lite0_photo_damage_320.py with
    --starter-checkpoint (--starter-config for another starter's config).
"""
import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import cv2

from mmseg_heritage.benchmarks import cpu_name, machine_record, run_in_fresh_process
from mmseg_heritage.benchmarks.backend_speed import BACKENDS, backend_speed, scan_memory
from mmseg_heritage.benchmarks.scan_inference import random_checkpoint
from mmseg_heritage.datasets.preparation import generate_synthetic_dataset, make_sample
from mmseg_heritage.utils import usable_cpus, write_json_atomic

REPO = Path(__file__).resolve().parents[3]
MODELS = {
    'demo': dict(config='configs/demo/unet_s_synthetic_160.py', native_resolution=True,
                 tile_size=[384, 384], tile_stride=[256, 256]),
    'starter': dict(config='configs/starter/unet_efficientnet_lite0_photo_damage_320.py',
                    native_resolution=True,
                    tile_size=None, tile_stride=None),
    **{name: dict(config=f'configs/poc59/{config}.py', native_resolution=False, tile_size=None,
                  tile_stride=None)
       for name, config in (('segformer_b3', 'segformer_b3_384'),
                            ('convnext_tiny', 'upernet_convnext_tiny_384'),
                            ('maxvit_tiny', 'upernet_maxvit_tiny_384'))},
}


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--models', nargs='+', choices=sorted(MODELS),
                        default=['demo', 'segformer_b3', 'convnext_tiny'])
    parser.add_argument('--demo-checkpoint', help='trained demo checkpoint (else random)')
    parser.add_argument('--starter-checkpoint', help='the starter model (checkpoints/starter)')
    parser.add_argument('--starter-config',
                        help="its config (default: configs/starter's; the published one in "
                        'checkpoints/starter has the damage threshold it predicts with)')
    parser.add_argument('--data-root', help='converted dataset for calibration and the test '
                        'split (default: a small synthetic one, generated)')
    parser.add_argument('--crop', type=int, default=384)
    parser.add_argument('--crop-images', type=int, default=4)
    parser.add_argument('--iters', type=int, default=4, help='crops per round')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--scan-rounds', type=int, default=3)
    parser.add_argument('--height', type=int, default=3000)
    parser.add_argument('--width', type=int, default=4000)
    parser.add_argument('--calibration-tiles', type=int, default=64)
    parser.add_argument('--test-images', type=int, help='score on the first N test images')
    parser.add_argument('--threads', type=int, default=usable_cpus())
    parser.add_argument('--backends', nargs='+', choices=BACKENDS, default=list(BACKENDS),
                        help='backends to measure (pytorch_fp32, the reference, always)')
    parser.add_argument('--no-memory', action='store_true',
                        help='skip the fresh-process memory runs')
    parser.add_argument('--out', default='work_dirs/benchmarks/backends.json')
    return parser.parse_args(argv)


def measure_model(name: str, args, data_root: Path, scan: Path, tmp: Path) -> dict:
    """One model's side-by-side figures and, unless --no-memory, each backend's memory."""
    case = dict(MODELS[name])
    if name == 'starter' and args.starter_config:
        case['config'] = str(Path(args.starter_config).resolve())
    work_dir = tmp / name
    work_dir.mkdir()
    checkpoint = getattr(args, f'{name}_checkpoint', None)
    if name == 'starter' and not checkpoint:
        raise ValueError('the starter model needs --starter-checkpoint')
    weights = f'trained: {checkpoint}' if checkpoint else 'random (seed 0)'
    if not checkpoint:
        checkpoint = str(work_dir / 'random.pth')
        random_checkpoint(str(REPO / case['config']), Path(checkpoint))
    spec = dict(case, config=str(REPO / case['config']), checkpoint=checkpoint,
                work_dir=str(work_dir), threads=args.threads, crop=args.crop,
                crop_images=args.crop_images, iters=args.iters, warmup=args.warmup,
                rounds=args.rounds, scan=str(scan), scan_rounds=args.scan_rounds,
                data_root=str(data_root), calibration_split='train',
                calibration_tiles=args.calibration_tiles,
                test_split='test' if weights.startswith('trained') else None,
                test_images=args.test_images,
                backends=['pytorch_fp32', *(b for b in args.backends if b != 'pytorch_fp32')])
    result = dict(config=case['config'], weights=weights,
                  **run_in_fresh_process(backend_speed, spec, cwd=REPO))
    if not args.no_memory:
        models = dict(fp32=str(work_dir / 'model.fp32.onnx'), int8=str(work_dir / 'model.onnx'))
        result['memory'] = {backend: run_in_fresh_process(
            scan_memory, dict(spec, backend=backend, models=models), cwd=REPO)
            for backend in spec['backends']}
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    # The load average says how busy the (shared) machine was around the rounds.
    results = dict(benchmark='backends', cpu=cpu_name(), machine=machine_record(),
                   load_average_before=os.getloadavg(),
                   settings={k: v for k, v in vars(args).items() if k != 'out'}, models={})
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data_root = Path(args.data_root) if args.data_root else generate_synthetic_dataset(
            tmp / 'data', num_images=32, size=160, seed=0)
        scan = tmp / 'scan.jpg'
        cv2.imwrite(str(scan), make_sample(0, (args.height, args.width)).image[..., ::-1],
                    [cv2.IMWRITE_JPEG_QUALITY, 92])
        for name in args.models:
            results['models'][name] = measure_model(name, args, data_root, scan, tmp)
            print(json.dumps({name: results['models'][name]['scan']}, indent=1), flush=True)
            # Written after each model: a run stopped on a large model keeps the others.
            results['load_average_after'] = os.getloadavg()
            write_json_atomic(args.out, results)
            print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
