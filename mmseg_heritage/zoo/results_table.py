"""The README's results table: our published scores beside the earlier project's.

Our rows come from published ``metrics.json`` records (one confusion matrix over a held-out
split, with a bootstrap interval); the earlier project's from its report (ARTeFACT.md, the
seed project's POC-5.5 and POC-5.9), which the configs of ``configs/poc55`` and
``configs/poc59`` reproduce. The two are not comparable: the table says why.
"""
from typing import Dict, Sequence

# The seed project's reported figures (%), by the config that reproduces its setting.
EARLIER_RESULTS: Dict[str, dict] = {
    'segformer_b3_384': dict(mIoU=37.63, Dice=46.29, accuracy=88.15),
    'upernet_maxvit_tiny_384': dict(mIoU=34.58, Dice=43.89, accuracy=87.82),
    'upernet_convnext_tiny_384': dict(mIoU=25.47, Dice=35.24, accuracy=86.71),
    'hierarchical_upernet_maxvit_tiny_256': dict(mIoU=20.9, binary=71.9, coarse=55.7),
}
NOT_COMPARABLE = (
    "The earlier project's figures are not comparable with ours, and overstate held-out "
    'accuracy: its split was drawn at random over *augmented* images, so copies of one '
    'photograph sat in training and test (a leaky split), and its mIoU was a mean of per-batch '
    'IoUs, not one confusion matrix over the split.')
BEGIN = '<!-- results table: written by tools/model_zoo.py from docs/results/ -->'
END = '<!-- end of the results table -->'


def results_table(summaries: Sequence, results: Sequence) -> str:
    """The Markdown table (with its note), between the README's markers.

    Args:
        summaries (list[ConfigSummary]): Every config of the zoo.
        results (list[PublishedResult]): The published results.

    Returns:
        str: ``BEGIN``, the table of every config with our or the earlier project's scores,
        the note on comparability, ``END``.
    """
    ours = {result.config_name: result for result in results}
    lines = [BEGIN, '',
             '| config | trained on | mIoU (95 % interval) | mDice | aAcc | damage IoU | '
             'published | earlier project |',
             '|---|---|---|---:|---:|---:|---|---|']
    for summary in summaries:
        earlier = EARLIER_RESULTS.get(summary.name)
        result = ours.get(summary.name)
        if not (earlier or result):
            continue
        cells = ['not trained here yet', '', '', '', '']
        if result:
            record = result.record
            overall, interval = record['overall'], record.get('mIoU_ci95')
            cells = [f"{overall['mIoU']:.2f}" + (f' ({interval[0]:.2f}-{interval[1]:.2f})'
                                                 if interval else ''),
                     f"{overall['mDice']:.2f}", f"{overall['aAcc']:.2f}",
                     f"{record['binary']['classes']['Damage']['IoU']:.2f}",
                     f'`{result.name}`, {record["num_images"]} '
                     f'{record.get("split") or "evaluation"} images']
        lines.append(f'| `{summary.name}` | {summary.dataset["name"]} | ' + ' | '.join(cells) +
                     f' | {_earlier(earlier)} |')
    lines += ['', NOT_COMPARABLE, '', END]
    return '\n'.join(lines)


def replace_results_table(readme: str, table: str) -> str:
    """``readme`` with the text between its markers replaced by ``table``.

    Raises:
        ValueError: The README lacks the markers.
    """
    if BEGIN not in readme or END not in readme:
        raise ValueError(f'README.md has no results table markers ({BEGIN} ... {END})')
    before, rest = readme.split(BEGIN, 1)
    return before + table + rest.split(END, 1)[1]


def _earlier(earlier) -> str:
    if not earlier:
        return ''
    if 'Dice' in earlier:
        return (f"mIoU {earlier['mIoU']:.2f}, Dice {earlier['Dice']:.2f}, accuracy "
                f"{earlier['accuracy']:.2f}")
    return (f"fine mIoU {earlier['mIoU']:.1f}, binary {earlier['binary']:.1f}, coarse "
            f"{earlier['coarse']:.1f}")
