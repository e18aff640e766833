"""Publish a trained model: one folder others can load, by path or from the Hugging Face hub.

    python tools/publish_model.py WORK_DIR_OR_CHECKPOINT --out DIR [--name NAME]
        [--metrics METRICS_JSON] [--push-to-hub ORG/NAME [--private]]

Writes into DIR (new or empty): NAME-<sha8>.pth (the weights without the optimizer and
message-hub state, the first 8 hex digits of its SHA-256 in the name, as MMSeg's
publish_model.py), NAME.py (the config it was trained with), metrics.json (the newest
ArtefactMetric record in the work dir, or --metrics) and README.md (a model card with
Hugging Face's metadata: data, training, scores with their interval and per class, intended
use, limits, the data's licence). From a work dir it takes the best checkpoint, else the last;
test the checkpoint you publish first (tools/test.py CONFIG CHECKPOINT --work-dir WORK_DIR),
so that the newest metrics.json holds its scores. --push-to-hub uploads DIR to that hub model
repository (needs the internet and a token); nothing is uploaded without it.

Load it with tools/infer.py DIR ..., mmseg_heritage.apis.init_model(DIR) or DamageInferencer(DIR);
once pushed, by its hub id (with --download / download=True the first time).
"""
import argparse
import sys

from mmseg_heritage.zoo import publish_model, push_to_hub


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('source', metavar='WORK_DIR_OR_CHECKPOINT',
                        help='a work dir, or a checkpoint in one')
    parser.add_argument('--out', required=True, help='the folder to write (new or empty)')
    parser.add_argument('--name', help="the model's name (default: the config's)")
    parser.add_argument('--metrics', help='the metrics.json to publish (default: the newest '
                        'in the work dir)')
    parser.add_argument('--push-to-hub', metavar='ORG/NAME',
                        help='upload the folder to this Hugging Face model repository')
    parser.add_argument('--private', action='store_true', help='create the hub repo private')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        published = publish_model(args.source, args.out, name=args.name, metrics=args.metrics)
    except (OSError, ValueError) as error:
        print(f'publish_model.py: {error}', file=sys.stderr)
        return 2
    print(f'published {published.checkpoint} with {published.config.name}, metrics.json and '
          'README.md')
    if args.push_to_hub:
        try:
            url = push_to_hub(published.folder, args.push_to_hub, private=args.private)
        except (OSError, ValueError) as error:
            print(f'publish_model.py: {args.push_to_hub}: the upload failed ({error}); '
                  f'{published.folder} is complete, push it again later', file=sys.stderr)
            return 2
        print(f'uploaded to {url}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
