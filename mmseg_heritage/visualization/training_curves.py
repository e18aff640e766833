"""Loss and validation scores over the iterations of a training run."""
from typing import List

from matplotlib.figure import Figure

# Validation scores drawn besides mIoU when logged (keys ArtefactMetric logs).
_EXTRA_SCORES = (('coarse_mIoU', 'coarse mIoU'), ('binary_IoU_damage', 'binary Damage IoU'))


def _series(records: List[dict], x_key: str, y_key: str):
    points = [(r[x_key], r[y_key]) for r in records if r.get(y_key) is not None]
    return [x for x, _ in points], [y for _, y in points]


def training_curves(train_scalars: List[dict], val_scalars: List[dict],
                    title: str = '') -> Figure:
    """Two panels: losses (left) and validation scores (right) against the iteration.

    The left panel draws the total ``loss`` and, thinner, each logged loss term (keys with
    'loss' in them, e.g. ``decode.loss_dice_ce``, ``aux.loss_ce``). The right one draws the
    validation mIoU with its 95 % bootstrap interval as a band (``mIoU_ci95_low`` and
    ``mIoU_ci95_high``) and, dashed, ``coarse_mIoU`` and ``binary_IoU_damage`` where logged.

    Args:
        train_scalars (list[dict]): Training records with ``iter`` and ``loss``
            (``RunResults.train_scalars``).
        val_scalars (list[dict]): Validation records with ``step`` (the iteration) and the
            scores (``RunResults.val_scalars``); may be empty.
        title (str): Figure title. Defaults to ''.

    Returns:
        Figure: The two panels.

    Raises:
        ValueError: If ``train_scalars`` is empty.
    """
    if not train_scalars:
        raise ValueError('no training records to plot (train_scalars is empty)')
    fig = Figure(figsize=(12, 4.5), layout='constrained')
    loss_ax, score_ax = fig.subplots(1, 2, sharex=True)

    loss_ax.plot(*_series(train_scalars, 'iter', 'loss'), color='black', linewidth=2,
                 label='loss')
    terms = sorted({key for record in train_scalars for key in record
                    if 'loss' in key and key != 'loss'})
    for index, key in enumerate(terms):
        loss_ax.plot(*_series(train_scalars, 'iter', key), color=f'C{index}', linewidth=1,
                     label=key)
    loss_ax.set_xlabel('iteration')
    loss_ax.set_ylabel('loss')
    loss_ax.set_title('training loss', fontsize=10)
    loss_ax.legend(fontsize=8)
    loss_ax.grid(color='0.9')

    steps, miou = _series(val_scalars, 'step', 'mIoU')
    if steps:
        score_ax.plot(steps, miou, marker='o', color='C0', label='mIoU')
        band = [r for r in val_scalars
                if r.get('mIoU_ci95_low') is not None and r.get('mIoU_ci95_high') is not None]
        if band:
            score_ax.fill_between([r['step'] for r in band], [r['mIoU_ci95_low'] for r in band],
                                  [r['mIoU_ci95_high'] for r in band], color='C0', alpha=0.2,
                                  linewidth=0, label='mIoU 95 % interval')
        for index, (key, label) in enumerate(_EXTRA_SCORES, 1):
            x, y = _series(val_scalars, 'step', key)
            if x:
                score_ax.plot(x, y, linestyle='--', marker='.', color=f'C{index}', label=label)
        best = max(range(len(miou)), key=miou.__getitem__)
        score_ax.annotate(f'best {miou[best]:.1f}', (steps[best], miou[best]),
                          textcoords='offset points', xytext=(0, 8), fontsize=8,
                          ha='right' if best == len(miou) - 1 else 'center')
        score_ax.set_ylim(bottom=0)
        score_ax.legend(fontsize=8, loc='lower right')
    else:
        score_ax.set_yticks([])
        score_ax.text(0.5, 0.5, 'no validation logged', transform=score_ax.transAxes,
                      ha='center', va='center', color='0.4')
    score_ax.set_xlabel('iteration')
    score_ax.set_ylabel('score (%)')
    score_ax.set_title('validation', fontsize=10)
    score_ax.grid(color='0.9')
    if title:
        fig.suptitle(title, x=0.01, ha='left', fontsize=11)
    return fig
