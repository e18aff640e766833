"""Build a damage bank for DamageCopyPaste from a dataset's training split and/or cut-outs.

    python tools/dataset_converters/build_damage_bank.py --out data/damage_bank \\
        [--data-root data/artefact --classes Dust Scratch Hair] \\
        [--cutouts resources/real_damage --folder-class lint=Dust]

Instances come from each connected region of the chosen classes in the masks of
DATA_ROOT/splits/train.txt (never from val or test), and from every RGBA cut-out in the
sub-folders of each CUTOUTS folder, whose name says its class (defaults: see README). The
bank is OUT/index.json and OUT/instances/<class>/*.png; an old bank there is replaced only
once the new one is complete.
"""
import argparse
import sys

from mmseg_heritage.datasets.preparation import DEFAULT_FOLDER_CLASSES, build_damage_bank


def folder_class(text: str):
    folder, _, name = text.partition('=')
    if not folder or not name:
        raise argparse.ArgumentTypeError(f'{text!r}: expected FOLDER=CLASS, e.g. lint=Dust')
    return folder, name


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', required=True, help='the bank folder to write')
    parser.add_argument('--data-root', help="a converted dataset (its training split is used)")
    parser.add_argument('--classes', nargs='+',
                        default=['Dust', 'Scratch', 'Hair', 'Dirt', 'Cracks'],
                        help='damage classes taken from the dataset')
    parser.add_argument('--cutouts', nargs='+', default=[],
                        help='folders with one sub-folder of RGBA cut-outs per kind of damage')
    parser.add_argument('--folder-class', type=folder_class, action='append', default=[],
                        metavar='FOLDER=CLASS', help='class of the cut-outs in a sub-folder')
    parser.add_argument('--min-pixels', type=int, default=4,
                        help='smaller regions of the dataset are left out')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        index = build_damage_bank(args.out, args.data_root, args.classes, args.cutouts,
                                  {**DEFAULT_FOLDER_CLASSES, **dict(args.folder_class)},
                                  args.min_pixels)
    except (FileNotFoundError, ValueError) as error:
        print(f'build_damage_bank.py: {error}', file=sys.stderr)
        return 2
    counts = ', '.join(f'{name} {count}' for name, count in index['classes'].items())
    print(f"{len(index['instances'])} damage instances in {args.out}: {counts}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
