"""Damage maps and a damage report for images, folders or glob patterns of scans.

    python tools/infer.py CONFIG CHECKPOINT INPUT [INPUT ...] --out-dir DIR \\
        [--precision fp32|bf16] [--tile-size 384 [W]] [--tile-stride 256 [W]] \\
        [--native-resolution] [--device cpu] [--threads N]
    python tools/infer.py MODEL.onnx INPUT [INPUT ...] --out-dir DIR   # ONNX Runtime, no config

INPUT is an image, a folder (every image below it) or a quoted glob ('scans/**/*.tif').
The model runs in PyTorch (CONFIG and CHECKPOINT; --precision bf16 for bfloat16 autocast) or in
ONNX Runtime on the CPU (a file written by tools/export_onnx.py, fp32 or int8; --backend
onnxruntime, the default for a .onnx file): the same tiles, masks, overlays and report.
For each image it writes DIR/masks/<name>.png (class ids 0-15), DIR/overlays/<name>.jpg
(damage tinted over the photograph), and for the whole run DIR/report.csv and
DIR/report.json: the share of the image area predicted as each class. Large scans are
predicted tile by tile (sliding window), so memory grows with the image's width, not its area.
A file that cannot be read is reported and skipped; the exit status is then 1.
"""
import argparse
import sys
from pathlib import Path

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import print_log

import mmseg_heritage  # noqa: F401  registers the plugin's components
from mmseg_heritage.apis import (PRECISIONS, DamageInferencer, OnnxDamageInferencer,
                                 find_images, infer_collection)
from mmseg_heritage.utils import check_config_keys, usable_cpus

BACKENDS = ('pytorch', 'onnxruntime')


def size_pair(values):
    """One value for a square, two for (height, width)."""
    return None if values is None else (values[0], values[-1])


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('model', help='config file the model was trained with (PyTorch), or '
                        'a .onnx file from tools/export_onnx.py (ONNX Runtime)')
    parser.add_argument('inputs', nargs='+', help='with a config: the checkpoint file first; '
                        'then images, folders or glob patterns')
    parser.add_argument('--out-dir', required=True, help='folder for masks, overlays, report')
    parser.add_argument('--backend', choices=BACKENDS,
                        help='what runs the model (default: onnxruntime for a .onnx file, '
                        'else pytorch)')
    parser.add_argument('--precision', choices=PRECISIONS, default='fp32',
                        help='PyTorch: bf16 runs convolutions and matrix products in bfloat16 '
                        '(faster on CPUs with AVX512-BF16 or AMX; a few pixels may differ). '
                        'ONNX Runtime takes the precision of its file (int8: --quantize at '
                        'export)')
    parser.add_argument('--device', default=None,
                        help='PyTorch: e.g. cpu, cuda:0 (default: GPU if any)')
    parser.add_argument('--threads', type=int, default=usable_cpus(),
                        help='CPU threads of the model (default: the CPUs this process may '
                        'use, %(default)s here)')
    parser.add_argument('--tile-size', type=int, nargs='+', metavar='PX',
                        help="tile height [width] (default: the model's crop size for "
                        'slide inference, else 1024)')
    parser.add_argument('--tile-stride', type=int, nargs='+', metavar='PX',
                        help="step between tiles (default: the model's, else 2/3 of a tile)")
    parser.add_argument('--batch-size', type=int, default=1,
                        help='tiles run together (more: faster on a GPU, more memory)')
    parser.add_argument('--native-resolution', action='store_true',
                        help="skip the test pipeline's resize: predict at full resolution")
    parser.add_argument('--opacity', type=float, default=0.5, help='overlay colour weight')
    parser.add_argument('--no-overlay', action='store_true', help='write masks only')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='PyTorch: override config settings, as in tools/test.py')
    return parser.parse_args(argv)


def fail(message: str) -> int:
    print_log(message, logger='current', level=40)
    return 2


def model_files(args, inputs: list):
    """The files naming the model (ONNX: the model; PyTorch: config and checkpoint, the
    checkpoint taken off ``inputs``), or an error message."""
    if args.backend == 'onnxruntime':
        if args.precision != 'fp32':
            return (f'--precision {args.precision} is for PyTorch; ONNX Runtime runs the '
                    'precision of its file (export with --quantize int8 for int8)')
        files = [(args.model, 'model')]
    elif not inputs:
        return 'PyTorch needs CONFIG CHECKPOINT INPUT...'
    else:
        files = [(args.model, 'config'), (inputs.pop(0), 'checkpoint')]
    for path, what in files:
        if not Path(path).is_file():
            return f'{path}: no such {what} file'
    return [path for path, _ in files]


def build_inferencer(args, files: list):
    """The backend's inferencer and what the report records about it, or an error message."""
    tiles = dict(tile_size=size_pair(args.tile_size), tile_stride=size_pair(args.tile_stride),
                 batch_size=args.batch_size, native_resolution=args.native_resolution)
    if args.backend == 'onnxruntime':
        try:
            inferencer = OnnxDamageInferencer(files[0], threads=args.threads, **tiles)
        except ValueError as error:
            return str(error)
        return inferencer, dict(model=str(files[0]), precision=inferencer.precision)
    config, checkpoint = files
    cfg = Config.fromfile(config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    try:
        check_config_keys(cfg)
    except ValueError as error:
        return str(error)
    inferencer = DamageInferencer(cfg, checkpoint, device=args.device,
                                  precision=args.precision, **tiles)
    if next(inferencer.model.parameters()).device.type == 'cpu':
        torch.set_num_threads(args.threads)
    return inferencer, dict(config=str(config), checkpoint=str(checkpoint),
                            precision=args.precision)


def main(argv=None) -> int:
    args = parse_args(argv)
    args.backend = args.backend or ('onnxruntime' if args.model.endswith('.onnx')
                                    else 'pytorch')
    inputs = list(args.inputs)
    files = model_files(args, inputs)
    if isinstance(files, str):
        return fail(files)
    try:
        images = find_images(inputs)
    except (FileNotFoundError, ValueError) as error:
        return fail(str(error))
    built = build_inferencer(args, files)
    if isinstance(built, str):
        return fail(built)
    inferencer, details = built
    print_log(f'{len(images)} images; {args.backend} ({inferencer.precision}, {args.threads} '
              f'threads); tiles of {inferencer.tile_size} px every {inferencer.tile_stride} px',
              logger='current')
    details.update(backend=args.backend, threads=args.threads,
                   native_resolution=args.native_resolution,
                   tile_size=list(inferencer.tile_size), tile_stride=list(inferencer.tile_stride))
    records = infer_collection(inferencer, images, args.out_dir, overlay=not args.no_overlay,
                               opacity=args.opacity, progress=not args.no_progress,
                               details=details)
    failed = [r for r in records if r['status'] != 'ok']
    print_log(f'{len(records) - len(failed)} damage maps and the report written to '
              f'{args.out_dir}' + (f'; {len(failed)} files skipped (see report.csv)'
                                   if failed else ''), logger='current')
    return 1 if failed else 0

if __name__ == '__main__':
    sys.exit(main())
