"""Memory of tools/infer.py over a long collection (a soak test), or on one huge IIIF scan, as
JSON.

    python tools/analysis/benchmarks/benchmark_collection_memory.py [--scans 300] \\
        [--warmup 20] [--size 256 384] [--limit 10] \\
        [--out docs/benchmarks/collection_memory_cpu.json]
    python tools/analysis/benchmarks/benchmark_collection_memory.py --iiif-size 20000 20000 \\
        [--iiif-tile 512] [--tile-size 512] [--cfg-options KEY=VALUE ...] [--compare-file] \\
        [--out docs/benchmarks/iiif_memory_cpu.json]

Writes ``--scans`` synthetic scans, runs ``tools/infer.py`` on them (the demo UNet with random
weights: memory does not depend on them; every output, condition report and tile pyramid
included) and follows its resident memory scan by scan
(``mmseg_heritage/benchmarks/collection_memory.py``). It passes when the memory after the
first ``--warmup`` scans grows by less than ``--limit`` percent; the exit status says so.

With ``--iiif-size H W`` it writes one synthetic scan of H x W px as a level-0 IIIF tile set,
serves it on 127.0.0.1 from this process and runs ``tools/infer.py`` on its info.json, every
output included, and again on a scan of 512 x 512 px; the difference of their most resident
memory is what the huge scan added, reported beside the scan's size held whole and what the
run holds by design (one row of tiles' logits across the scan, the mask, the overlay).
``--compare-file`` runs it again on the same scan as a JPEG file (read whole, as files are;
up to the decoder's 300 megapixels), measured the same way. ``--cfg-options`` change the demo
UNet (e.g. fewer channels, so that a huge scan takes minutes, not hours, on a CPU; the memory
measured is then the run's more than the model's).
"""
import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Optional

import cv2

from mmengine.config import DictAction

from mmseg_heritage.benchmarks import machine_record
from mmseg_heritage.benchmarks.collection_memory import (image_mib, memory_growth, rss_per_scan,
                                                         serve_folder, synthetic_scan,
                                                         write_level0_tiles, write_scans)
from mmseg_heritage.benchmarks.machine import cpu_name
from mmseg_heritage.benchmarks.scan_inference import random_checkpoint
from mmseg_heritage.utils import write_json_atomic

REPO = Path(__file__).resolve().parents[3]
CONFIG = 'configs/demo/unet_s_synthetic_160.py'


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--scans', type=int, default=300)
    parser.add_argument('--warmup', type=int, default=20)
    parser.add_argument('--size', type=int, nargs=2, default=[256, 384], metavar=('H', 'W'))
    parser.add_argument('--limit', type=float, default=10.0, help='growth allowed, in %%')
    parser.add_argument('--iiif-size', type=int, nargs=2, metavar=('H', 'W'),
                        help='one scan of H x W px served as a level-0 IIIF tile set instead')
    parser.add_argument('--iiif-tile', type=int, default=512, help="the tile set's tiles")
    parser.add_argument('--tile-size', type=int, default=512, help="the model's tiles")
    parser.add_argument('--compare-file', action='store_true',
                        help='also run on the scan as a JPEG file, read whole')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='changes to the demo UNet (its random checkpoint follows them)')
    parser.add_argument('--out', default='work_dirs/benchmarks/collection_memory.json')
    return parser.parse_args(argv)


def scan_run(folder: Path, url: Optional[str], checkpoint: Path, size, args) -> dict:
    """tools/infer.py on one synthetic scan of ``size``: served as a level-0 tile set from
    ``folder`` (at ``url``), or without ``url`` as a JPEG file; its memory
    (:func:`rss_per_scan`) and record."""
    name = f'scan{size[0]}x{size[1]}'
    if url:
        write_level0_tiles(folder, name, size, url, args.iiif_tile)
        source = f'{url}/{name}/info.json'
    else:
        source = str(folder / f'{name}.jpg')
        cv2.imwrite(source, synthetic_scan(size, args.iiif_tile), [cv2.IMWRITE_JPEG_QUALITY, 90])
    out_dir = folder.parent / f"out_{name}_{'iiif' if url else 'file'}"
    command = [sys.executable, str(REPO / 'tools/infer.py'), str(REPO / CONFIG), str(checkpoint),
               source, '--out-dir', str(out_dir), '--device', 'cpu', '--no-progress',
               '--tile-size', str(args.tile_size)]
    if args.cfg_options:
        command += ['--cfg-options', *(f'{k}={v}' for k, v in args.cfg_options.items())]
    run = rss_per_scan(command, out_dir / 'journal', 1)
    record, = json.loads((out_dir / 'report.json').read_text())['files']
    return dict(run, record=record,
                files_written=sum(1 for path in out_dir.rglob('*') if path.is_file()))


def iiif_scan_memory(args) -> dict:
    """The memory tools/infer.py adds for one huge scan read from a IIIF server: its most
    resident memory, less that of the same run on a scan of 512 x 512 px."""
    height, width = args.iiif_size
    with tempfile.TemporaryDirectory() as tmp, serve_folder(Path(tmp) / 'site') as url:
        tmp = Path(tmp)
        checkpoint = tmp / 'demo_random.pth'
        random_checkpoint(str(REPO / CONFIG), checkpoint, args.cfg_options)
        small = scan_run(tmp / 'site', url, checkpoint, (512, 512), args)
        large = scan_run(tmp / 'site', url, checkpoint, args.iiif_size, args)
        if args.compare_file:
            (tmp / 'files').mkdir()
            files = [scan_run(tmp / 'files', None, checkpoint, size, args)
                     for size in ((512, 512), args.iiif_size)]
    record, whole = large['record'], image_mib(args.iiif_size)
    added = round(large['peak_rss_mib'] - small['peak_rss_mib'], 1)
    shrink = record.get('overlay_shrink', 1)
    # What the run holds by design: the sliding window's logits of one row of tiles across
    # the scan (16 classes, float32), the mask, the overlay.
    logits = 16 * min(args.tile_size, height) * width * 4 / 2**20
    overlay = image_mib((-(-height // shrink), -(-width // shrink)))
    results = dict(
        benchmark='iiif_scan_memory', cpu=cpu_name(), machine=machine_record(), config=CONFIG,
        cfg_options=args.cfg_options, weights='random (seed 0)', scan_size=[height, width],
        iiif='level 0, Image API 2.1, static tiles on 127.0.0.1 (served by this process)',
        iiif_tile=args.iiif_tile, model_tile=args.tile_size, status=record['status'],
        error=record['error'], damaged_percent=record.get('damaged_percent'),
        overlay_shrink=shrink, peak_rss_mib=large['peak_rss_mib'],
        peak_rss_while_predicting_mib=large['rss_mib'][0],
        peak_rss_of_a_512_px_scan_mib=small['peak_rss_mib'], added_by_the_scan_mib=added,
        scan_whole_mib=whole, logit_buffer_mib=round(logits, 1),
        mask_mib=round(height * width / 2**20, 1), overlay_mib=overlay,
        seconds=large['seconds'], files_written=large['files_written'])
    if args.compare_file:
        results['as_a_jpeg_file'] = dict(
            status=files[1]['record']['status'], peak_rss_mib=files[1]['peak_rss_mib'],
            peak_rss_of_a_512_px_scan_mib=files[0]['peak_rss_mib'],
            added_by_the_scan_mib=round(files[1]['peak_rss_mib'] - files[0]['peak_rss_mib'], 1),
            seconds=files[1]['seconds'])
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.iiif_size:
        results = iiif_scan_memory(args)
        write_json_atomic(args.out, results)
        print(json.dumps(results, indent=2))
        print(f'wrote {args.out}')
        return 0 if results['status'] == 'ok' else 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_scans(tmp / 'scans', args.scans, args.size)
        checkpoint = tmp / 'demo_random.pth'
        random_checkpoint(str(REPO / CONFIG), checkpoint)
        out_dir = tmp / 'out'
        command = [sys.executable, str(REPO / 'tools/infer.py'), str(REPO / CONFIG),
                   str(checkpoint), str(tmp / 'scans'), '--out-dir', str(out_dir),
                   '--device', 'cpu', '--no-progress']
        run = rss_per_scan(command, out_dir / 'journal', args.scans)
        report = json.loads((out_dir / 'report.json').read_text())
        outputs = sum(1 for path in out_dir.rglob('*') if path.is_file())
    growth = memory_growth(run['rss_mib'], args.warmup)
    results = dict(
        benchmark='collection_memory', cpu=cpu_name(), machine=machine_record(),
        config=CONFIG, weights='random (seed 0)', scans=args.scans, scan_size=args.size,
        warmup=args.warmup, limit_percent=args.limit,
        passed=growth['growth_percent'] < args.limit, **growth, seconds=run['seconds'],
        processed=report['summary']['processed'], files_written=outputs,
        rss_mib_per_scan=run['rss_mib'])
    write_json_atomic(args.out, results)
    print(json.dumps({key: value for key, value in results.items()
                      if key != 'rss_mib_per_scan'}, indent=2))
    print(f'wrote {args.out}')
    return 0 if results['passed'] else 1


if __name__ == '__main__':
    sys.exit(main())
