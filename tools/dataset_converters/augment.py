"""Write rare-class-balanced augmented copies of a converted dataset's training images.

Images holding a rare damage class get more copies; the copies join only the training parts
of the splits that hold their source. Safe to re-run (see
``mmseg_heritage/datasets/preparation/offline_augmentation.py``).

    python tools/dataset_converters/augment.py DATA_ROOT [--split splits/train.txt]
        [--copies 2] [--rare-copies 6] [--rare-classes Hair "Burn marks"]
        [--rare-share 0.01] [--seed 0]
"""
import argparse
import sys

from mmseg_heritage.datasets.preparation.offline_augmentation import augment_dataset


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root', help='dataset folder written by the converter')
    parser.add_argument('--split', default='splits/train.txt',
                        help='training split whose images are augmented (relative to DATA_ROOT)')
    parser.add_argument('--copies', type=int, default=2,
                        help='copies of an image without rare classes')
    parser.add_argument('--rare-copies', type=int, default=6,
                        help='copies of an image holding a rare class')
    parser.add_argument('--rare-classes', nargs='+', metavar='CLASS',
                        help='rare class names or ids (default: by --rare-share)')
    parser.add_argument('--rare-share', type=float, default=0.01,
                        help='pixel share in the split below which a class is rare')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    try:
        summary = augment_dataset(args.data_root, args.split, args.copies, args.rare_copies,
                                  args.rare_classes, args.rare_share, args.seed,
                                  progress=not args.no_progress)
    except (FileNotFoundError, ValueError) as error:  # a wrong argument or dataset
        sys.exit(f'augment.py: error: {error}')
    print(f"{summary['sources']} images of {args.split}, {summary['rare_sources']} with a rare "
          f"class: {summary['copies']} copies ({summary['written']} written, "
          f"{summary['kept']} kept, {summary['removed']} old ones removed)")
    print(f"Rare classes ({summary['rare_rule']}), pixel share in the split:")
    for name, share in summary['rare_classes'].items():
        print(f'  {name}: {100 * share:.4f} %')


if __name__ == '__main__':
    main()
