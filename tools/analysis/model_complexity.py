"""Parameters and FLOPs of model configs, as a Markdown table and JSON.

    python tools/analysis/model_complexity.py [CONFIG ...] [--shape 384] \\
        [--out work_dirs/model_complexity]

Without configs it measures every entry of ``configs/_base_/models/``. FLOPs are counted by
mmengine's ``get_model_complexity_info`` (fvcore's convention: one multiply-add is one FLOP)
for one image forward at ``--shape`` through ``mode='tensor'``, i.e. backbone and decode head,
as MMSeg's ``tools/analysis_tools/get_flops.py`` does; auxiliary heads are left out of both
figures. Models with a fixed input size (``img_size`` in the backbone config) are built at
``--shape``.
"""
import argparse
import sys
from pathlib import Path

from mmseg.utils import register_all_modules

import mmseg_heritage  # noqa: F401  registers the plugin's models
from mmseg_heritage.benchmarks import complexity_table, model_complexity
from mmseg_heritage.utils import write_json_atomic, write_text_atomic

REPO = Path(__file__).resolve().parents[2]


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('configs', nargs='*', help='config files (default: every model base)')
    parser.add_argument('--shape', type=int, nargs='+', default=[384],
                        help='input height [width] in pixels (default: 384)')
    parser.add_argument('--out', default='work_dirs/model_complexity',
                        help='writes OUT.json and OUT.md')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    shape = tuple(args.shape * 2 if len(args.shape) == 1 else args.shape[:2])
    configs = [Path(c) for c in args.configs] or sorted(
        (REPO / 'configs/_base_/models').glob('*.py'))
    missing = [str(c) for c in configs if not c.is_file()]
    if missing:
        print(f'error: config not found: {", ".join(missing)}', file=sys.stderr)
        return 1
    rows = []
    for config in configs:
        rows.append(model_complexity(config, shape, root=REPO))
        print(f"{rows[-1]['config']}: {rows[-1]['params'] / 1e6:.2f} M parameters, "
              f"{rows[-1]['flops'] / 1e9:.1f} GFLOPs", flush=True)
    write_json_atomic(f'{args.out}.json', rows)
    write_text_atomic(f'{args.out}.md', complexity_table(rows))
    print(f'wrote {args.out}.json and {args.out}.md')
    return 0


if __name__ == '__main__':
    sys.exit(main())
