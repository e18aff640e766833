"""Memory and time of tools/infer.py on one large scan against MMSeg's inferencer, as JSON.

    python tools/analysis/benchmarks/benchmark_infer.py [--height 3000] [--width 4000] \\
        [--cases maxvit_tiny_384 unet_384_native] [--out docs/benchmarks/infer_cpu.json]

``tools/infer.py`` on one synthetic scan against MMSeg's own ``MMSegInferencer`` with the same
model and checkpoint (random weights: speed and memory do not depend on them), each in a fresh
process whose peak RSS (Linux ``VmHWM``) is its own. A process that only loads the model and
reads the image gives the baseline both start from. Cases:
  - ``maxvit_tiny_384``: configs/poc59/upernet_maxvit_tiny_384.py, the config's test pipeline
    (the scan is resized to fit 1536 x 768) and its 384 px sliding window;
  - ``unet_384_native``: the demo UNet at the scan's full resolution in 384 px tiles.
The masks of both are compared pixel by pixel.
"""
import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

from mmseg_heritage.benchmarks import run_in_fresh_process
from mmseg_heritage.benchmarks.scan_inference import (load_model_and_scan,
                                                      predict_with_mmseg_inferencer,
                                                      predict_with_script, random_checkpoint)
from mmseg_heritage.datasets.preparation import make_sample
from mmseg_heritage.utils import write_json_atomic

REPO = Path(__file__).resolve().parents[3]
INFER = REPO / 'tools/infer.py'
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
    parser.add_argument('--height', type=int, default=3000)
    parser.add_argument('--width', type=int, default=4000)
    parser.add_argument('--cases', nargs='+', choices=sorted(CASES), default=sorted(CASES))
    parser.add_argument('--out', default='work_dirs/benchmarks/infer.json')
    return parser.parse_args(argv)


def measure_case(case: dict, image: Path, tmp: Path, name: str) -> dict:
    """Loading alone, MMSegInferencer and tools/infer.py on ``image``, and how they compare."""
    checkpoint = tmp / f'{name}.pth'
    random_checkpoint(str(REPO / case['config']), checkpoint)
    out_dir = tmp / name
    out_dir.mkdir()
    spec = dict(config=case['config'], checkpoint=str(checkpoint), image=str(image),
                out_dir=str(out_dir), options=case['options'])
    tool = dict(script=str(INFER), argv=[
        str(REPO / case['config']), str(checkpoint), str(image), '--out-dir', str(out_dir),
        '--device', 'cpu', '--no-progress', *case['infer_args']])
    runs = dict(load=run_in_fresh_process(load_model_and_scan, spec, cwd=REPO),
                stock=run_in_fresh_process(predict_with_mmseg_inferencer, spec, cwd=REPO),
                tool=run_in_fresh_process(predict_with_script, tool, cwd=REPO))
    base = runs['load']['peak_rss_mib']
    extra = {mode: round(runs[mode]['peak_rss_mib'] - base, 1) for mode in ('stock', 'tool')}
    ours = cv2.imread(str(out_dir / f'masks/{image.stem}.png'), cv2.IMREAD_UNCHANGED)
    stock = np.load(out_dir / 'stock_mask.npy')
    return dict(
        config=case['config'], infer_args=case['infer_args'], runs=runs, extra_peak_mib=extra,
        extra_peak_ratio_tool_to_stock=round(
            (runs['tool']['peak_rss_mib'] - base)
            / max(runs['stock']['peak_rss_mib'] - base, 1e-6), 3),
        time_ratio_tool_to_stock=round(runs['tool']['seconds'] / runs['stock']['seconds'], 3),
        masks_agree=round(float((ours == stock).mean()), 6))


def main(argv=None) -> int:
    args = parse_args(argv)
    results = dict(benchmark='infer', machine=platform.processor() or platform.machine(),
                   python=platform.python_version(), image=[args.height, args.width],
                   cases={})
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        image = tmp / 'scan.jpg'
        cv2.imwrite(str(image), make_sample(0, (args.height, args.width)).image[..., ::-1],
                    [cv2.IMWRITE_JPEG_QUALITY, 92])
        for name in args.cases:
            results['cases'][name] = measure_case(CASES[name], image, tmp, name)
            print(json.dumps({name: results['cases'][name]}, indent=2), flush=True)
    write_json_atomic(args.out, results)
    print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
