"""Write (or check) the model zoo: metafiles, model-index.yml and the README's results table.

    python tools/model_zoo.py [--results docs/results] [--check]

Reads every config outside configs/_base_/ (data, architecture, pretrained weights, batch,
schedule) and the published results in docs/results/ (the metrics.json of each published
model, saved as <published name>.json), and writes configs/<folder>/metafile.yaml and
model-index.yml in MMSeg's format (what `mim search mmseg_heritage` lists) and the results
table of README.md, with the earlier project's figures beside ours. To add a published model:

    cp PUBLISHED_DIR/metrics.json docs/results/<published name>.json && python tools/model_zoo.py

--check writes nothing and exits 1 if a file is not what the configs and results give, or
if modelindex finds a problem in the index.
"""
import argparse
import sys
from pathlib import Path

from mmseg_heritage.utils import write_text_atomic
from mmseg_heritage.zoo.model_index import check_model_zoo, model_zoo_files, read_results

REPO = Path(__file__).resolve().parents[1]


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--results', default=str(REPO / 'docs/results'),
                        help='folder of published metrics.json records')
    parser.add_argument('--check', action='store_true',
                        help='write nothing; exit 1 when the files are out of date')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        results = read_results(args.results)
        if args.check:
            problems = check_model_zoo(REPO, results)
            for problem in problems:
                print(problem, file=sys.stderr)
            return 1 if problems else 0
        files = model_zoo_files(REPO, results)
    except (OSError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    for path, text in files.items():
        if not (REPO / path).is_file() or (REPO / path).read_text() != text:
            write_text_atomic(REPO / path, text)
            print(f'wrote {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
