"""Export a trained model to ONNX for ONNX Runtime, checked against PyTorch; optionally int8.

    python tools/export_onnx.py CONFIG CHECKPOINT --out model.onnx [--check-size 384 [W]] \\
        [--quantize int8 --calibration-data data/artefact [--calibration-split train] \\
         [--calibration-tiles 64] [--test-split test] [--test-images N]]

The file holds the model's encode_decode (normalised image to logits) with variable height and
width where the model allows it, and the classes, palette, normalisation, test pipeline and
tiles, so `tools/infer.py model.onnx scans/ --out-dir DIR` needs no config. ONNX Runtime is
checked against PyTorch on synthetic artefacts at the tile size: the largest logit difference
and the share of equal labels are printed, and a file that disagrees is not written.
--quantize int8 writes an int8 model to --out (static, per channel, calibrated on tiles of the
images of --calibration-split of the dataset in --calibration-data) and keeps the fp32 model
beside it as <name>.fp32.onnx; when the dataset has --test-split, both are scored on it.
Exit status 2: a missing or unusable input, or a model that cannot be exported (says why).
"""
import argparse
import importlib.util
import sys
from pathlib import Path

from mmengine.config import Config, DictAction

import mmseg_heritage  # noqa: F401  registers the plugin's components
from mmseg_heritage.apis import OnnxDamageInferencer
from mmseg_heritage.datasets.preparation import split_files
from mmseg_heritage.deployment import OnnxExportError, export_onnx, quantize_int8, score_backends
from mmseg_heritage.utils import check_config_keys


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file the model was trained with')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', required=True, help='the .onnx file to write')
    parser.add_argument('--check-size', type=int, nargs='+', metavar='PX',
                        help='height [width] of the check against PyTorch (default: the tile '
                        'size, e.g. 1024 for whole-image models, the crop for slide ones)')
    parser.add_argument('--quantize', choices=['int8'], help='quantise the exported model')
    parser.add_argument('--calibration-data', metavar='DIR',
                        help='converted dataset whose images calibrate int8 (images/, splits/)')
    parser.add_argument('--calibration-split', default='train',
                        help='split of --calibration-data to calibrate on (default: train)')
    parser.add_argument('--calibration-tiles', type=int, default=64,
                        help='calibration tiles at most (default: 64)')
    parser.add_argument('--test-split', default='test',
                        help='split of --calibration-data the int8 model is scored on beside '
                        "fp32 (default: test; 'none' skips it)")
    parser.add_argument('--test-images', type=int, help='score on the first N images only')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, as in tools/test.py')
    return parser.parse_args(argv)


def fail(message: str) -> int:
    print(f'export_onnx.py: {message}', file=sys.stderr)
    return 2


def print_checks(record: dict) -> None:
    size = record['input_size']
    shape = f'fixed input {size[0]} x {size[1]}' if size else 'variable height and width'
    reason = f" ({record['fixed_size_reason']})" if record['fixed_size_reason'] else ''
    tile, stride = record['tile_size'], record['tile_stride']
    print(f"{record['out']}: {shape}{reason}; tiles of {tile[0]} x {tile[1]} px every "
          f"{stride[0]} x {stride[1]} px")
    for check in record['checks']:
        height, width = check['size']
        print(f"ONNX Runtime against PyTorch at {check['batch']} x {height} x {width}: "
              f"largest logit difference {check['max_logit_difference']:.3g}, labels equal "
              f"{100 * check['label_agreement']:.4f} %")


def main(argv=None) -> int:
    args = parse_args(argv)
    if importlib.util.find_spec('onnx') is None:
        return fail('exporting needs the onnx package: pip install -r requirements/optional.txt')
    for path, what in ((args.config, 'config'), (args.checkpoint, 'checkpoint')):
        if not Path(path).is_file():
            return fail(f'{path}: no such {what} file')
    if args.quantize and not args.calibration_data:
        return fail('--quantize int8 needs --calibration-data DIR (a converted dataset)')
    calibration = []
    if args.quantize:
        try:
            calibration = [image for image, _ in split_files(args.calibration_data,
                                                             args.calibration_split)]
        except (FileNotFoundError, ValueError) as error:
            return fail(f'calibration data: {error}')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    try:
        check_config_keys(cfg)
    except ValueError as error:
        return fail(str(error))
    out = Path(args.out)
    fp32_out = out.with_name(f'{out.stem}.fp32{out.suffix}') if args.quantize else out
    check_size = tuple(args.check_size[:1] + args.check_size[-1:]) if args.check_size else None
    try:
        record = export_onnx(cfg, args.checkpoint, fp32_out, check_size=check_size)
    except OnnxExportError as error:
        return fail(str(error))
    print_checks(record)
    if not args.quantize:
        return 0
    quantised = quantize_int8(fp32_out, out, calibration, args.calibration_tiles,
                              calibration=dict(dataset=Path(args.calibration_data).name,
                                               split=args.calibration_split))
    print(f"{out}: int8, calibrated on {quantised['tiles']} tiles of "
          f"{args.calibration_split} in {quantised['seconds']} s; fp32 model kept as {fp32_out}")
    if args.test_split != 'none':
        try:
            files = split_files(args.calibration_data, args.test_split)[:args.test_images]
        except FileNotFoundError as error:
            print(f'not scored: {error}', file=sys.stderr)
            return 0
        scores = score_backends(dict(fp32=OnnxDamageInferencer(fp32_out),
                                     int8=OnnxDamageInferencer(out)), files)
        print(f"{args.test_split} split ({scores['images']} images): mIoU fp32 "
              f"{scores['fp32']['mIoU']}, int8 {scores['int8']['mIoU']} (difference "
              f"{scores['int8']['mIoU_difference']} points); labels equal to fp32 "
              f"{100 * scores['int8']['label_agreement']:.2f} %")
    return 0


if __name__ == '__main__':
    sys.exit(main())
