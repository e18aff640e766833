"""Convert ARTeFACT's parquet shards into the layout ``ArtefactDataset`` reads.

    python tools/dataset_converters/artefact.py SOURCE_DIR -o data/artefact \\
        [--download] [--max-long-side N] [--image-format png|jpg] [--seed 0] \\
        [--split-ratios 0.7 0.15 0.15] [--no-progress]

SOURCE_DIR holds the shards (``*.parquet``, searched recursively) or is one shard; with
``--download`` the shards of ``danielaivanova/damaged-media`` are first downloaded into it
(needs the internet). Rows that cannot be converted are
skipped and listed in ``<out>/bad_rows.csv``. Interrupted runs resume: run the same command
again. Exits with 1 if nothing could be converted.
"""
import argparse
import sys

from mmseg_heritage.datasets.preparation.parquet_converter import (ARTEFACT_REPO, BAD_ROWS_FILE,
                                                       convert_artefact_parquet,
                                                       download_artefact)
from mmseg_heritage.datasets.preparation.splits import DEFAULT_RATIOS


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(
        description=summary, epilog=usage, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('source', help='folder of parquet shards, or one shard')
    parser.add_argument('-o', '--out-dir', required=True, help='output folder')
    parser.add_argument('--download', action='store_true',
                        help=f'download the shards of {ARTEFACT_REPO} into SOURCE first')
    parser.add_argument('--revision', help='dataset revision to download (default: latest)')
    parser.add_argument('--max-long-side', type=int,
                        help='shrink images whose long side is longer (default: full size)')
    parser.add_argument('--image-format', choices=('png', 'jpg'), default='png')
    parser.add_argument('--seed', type=int, default=0, help='seed of the splits')
    parser.add_argument('--split-ratios', type=float, nargs=3, default=DEFAULT_RATIOS,
                        metavar=('TRAIN', 'VAL', 'TEST'))
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        source = download_artefact(args.source, revision=args.revision) if args.download \
            else args.source
        report = convert_artefact_parquet(source, args.out_dir, args.max_long_side,
                                          args.image_format, args.seed, args.split_ratios,
                                          progress=not args.no_progress)
    except (FileNotFoundError, ValueError, ImportError, ConnectionError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 1

    print(f'converted {len(report.converted)} images, kept {len(report.kept)} from an '
          f'earlier run, skipped {len(report.bad_rows)} bad rows')
    for bad in report.bad_rows:
        print(f'  skipped {bad.id!r} ({bad.shard}, row {bad.row}): {bad.reason}')
    if not (report.converted or report.kept):
        print(f'error: no row of {source} could be converted', file=sys.stderr)
        return 1
    print(f'wrote {report.out_dir} (images/, annotations/, annotations_rgb/, metadata.csv, '
          f'statistics.json, class_weights.json, splits/'
          f'{", " + BAD_ROWS_FILE if report.bad_rows else ""})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
