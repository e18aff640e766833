"""Damage maps, condition reports and a damage report for images, folders, patterns or IIIF.

    python tools/infer.py CONFIG CHECKPOINT INPUT [INPUT ...] --out-dir DIR \\
        [--precision fp32|bf16] [--tile-size 384 [W]] [--tile-stride 256 [W]] \\
        [--native-resolution] [--device cpu] [--threads N] \\
        [--dpi 600 | --mm-per-px 0.04] [--min-region-px 16] [--min-region-mm2 0.5] \\
        [--canvas 1 3 | CANVAS_ID] [--iiif-concurrency 2] [--iiif-timeout 30] \\
        [--iiif-retries 4] [--iiif-cache DIR] [--iiif-base-url https://museum.example/damage/]
    python tools/infer.py PUBLISHED_MODEL INPUT [INPUT ...] --out-dir DIR [--download] ...
    python tools/infer.py MODEL.onnx INPUT [INPUT ...] --out-dir DIR   # ONNX Runtime, no config

PUBLISHED_MODEL is a folder written by tools/publish_model.py, or the Hugging Face hub id
(ORG/NAME) of one, read from the hub's cache; --download fetches it there when missing.
INPUT is an image, a folder (every image below it) or a quoted glob ('scans/**/*.tif'); or
from IIIF servers, an image service's info.json URL, a Presentation manifest's URL or .json
file (every canvas, or those --canvas picks) or a .txt file of such URLs. A IIIF image is
fetched region by region at full resolution, within the server's limits, a few requests at a
time (--iiif-concurrency), with timeouts and retries (--iiif-timeout, --iiif-retries) and an
optional cache (--iiif-cache); it is predicted one row of tiles at a time, never held whole
(unless the config's test pipeline resizes images: then it is read whole first).
The model runs in PyTorch (CONFIG and CHECKPOINT; --precision bf16 for bfloat16 autocast) or in
ONNX Runtime on the CPU (a file written by tools/export_onnx.py, fp32 or int8; --backend
onnxruntime, the default for a .onnx file): the same tiles, masks, overlays and report.
For each image it writes DIR/masks/<name>.png (class ids 0-15), DIR/overlays/<name>.jpg
(damage tinted over the photograph), DIR/geojson/<name>.geojson (damage regions as polygons),
DIR/annotations/<name>.json (the same as W3C Web Annotations, for IIIF viewers) and
DIR/reports/<name>.html (the condition report: a deep-zoom viewer, and per class the area
in mm2, the regions and, for linear damage, the length), and for the whole run
DIR/report.csv, DIR/report.json, DIR/index.html, DIR/manifest.json (a IIIF manifest of the
scans with their annotations) and DIR/mirador.html (it in Mirador; serve DIR over HTTP, e.g.
python -m http.server --directory DIR 8000); for each museum manifest given,
DIR/iiif/<manifest>.json (a copy whose canvases list our annotations; --iiif-base-url says
where DIR will be published) and DIR/mirador-<manifest>.html. Large scans are predicted tile by tile
(sliding window), so memory grows with the image's width, not its area.
A file or IIIF scan that cannot be read is reported (for IIIF, with the URL and the server's
answer) and skipped, leaving none of its outputs; the exit status is then 1.
Run the same command again after an interruption: finished scans are skipped (DIR/journal/).
tools/dist_infer.sh and tools/slurm_infer.sh share a collection among several processes.
"""
import argparse
import sys
from pathlib import Path

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import print_log

import mmseg_heritage  # noqa: F401  registers the plugin's components
from mmseg_heritage.apis import (PRECISIONS, DamageInferencer, OnnxDamageInferencer,
                                 ScanResolution, find_images, infer_collection, process_shard,
                                 shard_device)
from mmseg_heritage.apis.iiif import IIIFClient
from mmseg_heritage.apis.iiif.iiif_client import (DEFAULT_CONCURRENCY, DEFAULT_RETRIES,
                                                  DEFAULT_TIMEOUT)
from mmseg_heritage.apis.reports.collection_shards import LAUNCHERS
from mmseg_heritage.apis.reports.damage_report import DEFAULT_BASE_URL
from mmseg_heritage.apis.reports.iiif_manifests import check_base_url
from mmseg_heritage.utils import check_config_keys, usable_cpus
from mmseg_heritage.zoo import config_and_checkpoint, is_config_file

BACKENDS = ('pytorch', 'onnxruntime')


def size_pair(values):
    """One value for a square, two for (height, width)."""
    return None if values is None else (values[0], values[-1])


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('model', help='config file the model was trained with (then the '
                        'checkpoint follows), a published model (folder or hub id), or a .onnx '
                        'file from tools/export_onnx.py (ONNX Runtime)')
    parser.add_argument('inputs', nargs='+', metavar='[CHECKPOINT] INPUT',
                        help="a config's checkpoint, then images, folders or glob patterns")
    parser.add_argument('--download', action='store_true',
                        help='fetch a published model by hub id into the Hugging Face cache')
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
    resolution = parser.add_mutually_exclusive_group()
    resolution.add_argument('--dpi', type=float,
                            help="the scans' resolution, instead of what each file records")
    resolution.add_argument('--mm-per-px', type=float,
                            help="the scans' pixel size in mm, instead of what each file records")
    parser.add_argument('--min-region-px', type=int, default=16,
                        help='smallest region counted and outlined, in pixels (default: 16)')
    parser.add_argument('--min-region-mm2', type=float,
                        help='smallest region counted and outlined, in mm2 (scans of known '
                        'resolution; --min-region-px applies as well)')
    parser.add_argument('--no-viewer', action='store_true',
                        help='condition reports without the deep-zoom viewer (no tiles)')
    parser.add_argument('--iiif-base-url', default=DEFAULT_BASE_URL, metavar='URL',
                        help='address the output folder will be published at; the IIIF '
                        'manifest and annotation ids start with it (default: %(default)s)')
    iiif = parser.add_argument_group('scans served by IIIF')
    iiif.add_argument('--canvas', nargs='+', metavar='CANVAS',
                      help='the canvases of the manifests to map: 1-based positions or canvas '
                      'ids (default: every canvas)')
    iiif.add_argument('--iiif-concurrency', type=int, default=DEFAULT_CONCURRENCY, metavar='N',
                      help='requests at a time to IIIF servers (default: %(default)s; servers '
                      'are shared by many, be polite)')
    iiif.add_argument('--iiif-timeout', type=float, default=DEFAULT_TIMEOUT, metavar='S',
                      help='seconds to wait for a IIIF server to connect or to send more '
                      '(default: %(default)g)')
    iiif.add_argument('--iiif-retries', type=int, default=DEFAULT_RETRIES, metavar='N',
                      help='tries again after a timeout, a lost connection, 429 or 5xx, '
                      'waiting 1, 2, 4... s or what Retry-After asks (default: %(default)s)')
    iiif.add_argument('--iiif-cache', metavar='DIR',
                      help='keep the fetched regions in DIR and read them from there when a '
                      'run asks for them again (default: no cache)')
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none',
                        help='set by tools/dist_infer.sh and slurm_infer.sh: share the scans '
                        'among their processes')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='PyTorch: override config settings, as in tools/test.py')
    return parser.parse_args(argv)


def fail(message: str) -> int:
    print_log(message, logger='current', level=40)
    return 2


def model_files(args, inputs: list) -> list:
    """The files naming the model: the ONNX file, or a config and its checkpoint (taken off
    ``inputs``) or a published model's.

    Raises:
        FileNotFoundError, ValueError: A file is missing, or a published model is not found.
    """
    if args.backend == 'onnxruntime':
        if args.precision != 'fp32':
            raise ValueError(f'--precision {args.precision} is for PyTorch; ONNX Runtime runs '
                             'the precision of its file (export with --quantize int8 for int8)')
        files = [(args.model, 'model')]
    else:
        checkpoint = inputs.pop(0) if is_config_file(args.model) and inputs else None
        config, checkpoint = config_and_checkpoint(args.model, checkpoint, args.download)
        files = [(config, 'config'), (checkpoint, 'checkpoint')]
    if not inputs:
        raise ValueError('no INPUT: give the images after the model')
    for path, what in files:
        if not Path(path).is_file():
            raise FileNotFoundError(f'{path}: no such {what} file')
    return [path for path, _ in files]


def build_inferencer(args, files: list):
    """The backend's inferencer and what the report records about it.

    Raises:
        ValueError: The ONNX file or the config is not usable.
    """
    tiles = dict(tile_size=size_pair(args.tile_size), tile_stride=size_pair(args.tile_stride),
                 batch_size=args.batch_size, native_resolution=args.native_resolution)
    if args.backend == 'onnxruntime':
        inferencer = OnnxDamageInferencer(files[0], threads=args.threads, **tiles)
        return inferencer, dict(model=str(files[0]), precision=inferencer.precision)
    config, checkpoint = files
    cfg = Config.fromfile(config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    check_config_keys(cfg)
    inferencer = DamageInferencer(cfg, checkpoint, device=args.device,
                                  precision=args.precision, **tiles)
    if next(inferencer.model.parameters()).device.type == 'cpu':
        torch.set_num_threads(args.threads)
    return inferencer, dict(model=str(args.model), config=str(config),
                            checkpoint=str(checkpoint), cfg_options=args.cfg_options,
                            precision=args.precision)


def main(argv=None) -> int:
    args = parse_args(argv)
    args.backend = args.backend or ('onnxruntime' if args.model.endswith('.onnx')
                                    else 'pytorch')
    inputs = list(args.inputs)
    try:
        files = model_files(args, inputs)
        client = IIIFClient(args.iiif_concurrency, args.iiif_timeout, args.iiif_retries,
                            args.iiif_cache)
        images = find_images(inputs, client, args.canvas)
        shard, shards, local_rank = process_shard(args.launcher)
        resolution = (ScanResolution.from_dpi(args.dpi) if args.dpi is not None else
                      ScanResolution.from_mm_per_px(args.mm_per_px)
                      if args.mm_per_px is not None else None)
        args.iiif_base_url = check_base_url(args.iiif_base_url)
        args.device = shard_device(args.device, local_rank)  # each process its own GPU, if any
        inferencer, details = build_inferencer(args, files)
    except (FileNotFoundError, ValueError) as error:
        return fail(str(error))
    print_log(f'{len(images)} images' + (f' (shard {shard} of {shards})' if shards > 1 else '')
              + f'; {args.backend} ({inferencer.precision}, {args.threads} threads); tiles of '
              f'{inferencer.tile_size} px every {inferencer.tile_stride} px', logger='current')
    details.update(backend=args.backend, threads=args.threads,
                   native_resolution=args.native_resolution,
                   tile_size=list(inferencer.tile_size), tile_stride=list(inferencer.tile_stride))
    try:
        records = infer_collection(
            inferencer, images, args.out_dir, overlay=not args.no_overlay,
            opacity=args.opacity, progress=not args.no_progress, details=details,
            resolution=resolution, min_region_px=args.min_region_px,
            min_region_mm2=args.min_region_mm2, viewer=not args.no_viewer,
            shard=(shard, shards), base_url=args.iiif_base_url)
    finally:
        client.close()
    failed = [r for r in records if r['status'] != 'ok']
    print_log(f'{len(records) - len(failed)} damage maps and the report written to '
              f'{args.out_dir}' + (f'; {len(failed)} scans skipped (see report.csv)'
                                   if failed else '')
              + ('' if len(records) == len(images) else
                 f'; {len(images) - len(records)} scans still to do by other processes or a '
                 're-run'), logger='current')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
