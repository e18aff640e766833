import json

import cv2
import numpy as np
import pytest
from matplotlib.figure import Figure

from mmseg_heritage.class_names import CLASSES, PALETTE
from mmseg_heritage.datasets.preparation import PixelStatistics
from mmseg_heritage.evaluation.metrics.artefact_metric import scores_from_confusion
from mmseg_heritage.evaluation.run_comparison import comparison_rows
from mmseg_heritage.evaluation.run_results import RunResults
from mmseg_heritage.visualization.class_distribution_chart import (class_distribution_chart,
                                                                   read_statistics)
from mmseg_heritage.visualization.class_scores_chart import class_scores_chart
from mmseg_heritage.visualization.comparison_chart import comparison_chart
from mmseg_heritage.visualization.confusion_heatmap import confusion_heatmap, normalise_rows
from mmseg_heritage.visualization.figure_files import figure_png, save_figure
from mmseg_heritage.visualization.training_curves import training_curves

ABSENT = (11, 15)  # Stamp and Lightleak have no ground truth


@pytest.fixture(scope='module')
def confusion():
    rng = np.random.default_rng(0)
    matrix = rng.integers(0, 40, size=(16, 16)) + np.diag(rng.integers(50, 400, size=16))
    matrix[list(ABSENT)] = 0
    return matrix


@pytest.fixture(scope='module')
def scores(confusion):
    return scores_from_confusion(confusion, CLASSES)


def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_class_scores_bars_in_palette_colours_absent_classes_labelled(scores):
    fig = class_scores_chart(scores, 'title')
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    present = [name for name in CLASSES if scores['classes'][name]['present']]
    assert len(ax.patches) == len(present) == 14
    assert [p.get_width() for p in ax.patches] == [scores['classes'][n]['IoU'] for n in present]
    first_damage = ax.patches[1]  # Material loss
    np.testing.assert_allclose(first_damage.get_facecolor()[:3], np.array(PALETTE[1]) / 255)
    assert texts(ax).count('absent') == 2
    assert [t.get_text() for t in ax.get_yticklabels()] == list(CLASSES)
    [mean_line] = ax.get_lines()
    assert mean_line.get_xdata()[0] == scores['mIoU']
    assert ax.get_legend().get_texts()[0].get_text() == f"mIoU {scores['mIoU']:.1f}"
    assert ax.get_xlim() == (0, 100)


def test_class_scores_other_metric_and_binary_level(scores, confusion):
    ax = class_scores_chart(scores, metric='recall').axes[0]
    assert ax.patches[0].get_width() == scores['classes']['Clean']['recall']
    assert ax.get_legend().get_texts()[0].get_text().startswith('mRecall')
    binary = scores_from_confusion(np.array([[90, 10], [5, 20]]), ('Clean', 'Damage'))
    ax = class_scores_chart(binary).axes[0]
    assert len(ax.patches) == 2 and 'absent' not in texts(ax)
    with pytest.raises(ValueError, match='unknown metric'):
        class_scores_chart(scores, metric='iou')


def test_normalise_rows_leaves_empty_rows_nan():
    shares = normalise_rows(np.array([[3, 1], [0, 0]]))
    np.testing.assert_array_equal(shares[0], [0.75, 0.25])
    assert np.isnan(shares[1]).all()


def test_confusion_heatmap_shows_row_shares(confusion):
    fig = confusion_heatmap(CLASSES, confusion, 'title')
    ax = fig.axes[0]
    shown = np.ma.filled(ax.images[0].get_array().astype(float), np.nan)
    np.testing.assert_allclose(shown, normalise_rows(confusion))  # NaN rows compare equal
    assert len(ax.texts) == int((np.nan_to_num(normalise_rows(confusion)) >= 0.01).sum())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert [i for i, label in enumerate(labels) if label.endswith('(absent)')] == list(ABSENT)
    assert len(ax.patches) == len(ABSENT)  # the hatched rows
    assert ax.get_xlabel() == 'prediction' and ax.get_ylabel() == 'ground truth'
    assert len(fig.axes) == 2  # the colour bar


def test_confusion_heatmap_binary():
    ax = confusion_heatmap(['Clean', 'Damage'], np.array([[80, 20], [1, 199]])).axes[0]
    assert texts(ax) == ['0.80', '0.20', '0.99']  # 1/200 is below 0.01
    with pytest.raises(ValueError):
        confusion_heatmap(['Clean'], np.ones((2, 2)))


def train_records():
    return [{'iter': i, 'loss': 3 / i, 'decode.loss_ce': 2 / i, 'aux.loss_ce': 1 / i,
             'decode.acc_seg': 50.0, 'lr': 0.01} for i in range(1, 11)]


def test_training_curves_losses_scores_and_interval():
    val = [{'step': s, 'mIoU': m, 'mIoU_ci95_low': m - 3, 'mIoU_ci95_high': m + 3,
            'coarse_mIoU': m + 10, 'binary_IoU_damage': m + 5}
           for s, m in ((5, 20.0), (10, 25.0))]
    fig = training_curves(train_records(), val, 'title')
    loss_ax, score_ax = fig.axes
    assert [line.get_label() for line in loss_ax.get_lines()] == [
        'loss', 'aux.loss_ce', 'decode.loss_ce']
    assert loss_ax.get_lines()[0].get_linewidth() > loss_ax.get_lines()[1].get_linewidth()
    lines = score_ax.get_lines()
    assert [line.get_label() for line in lines] == ['mIoU', 'coarse mIoU', 'binary Damage IoU']
    assert list(lines[0].get_ydata()) == [20.0, 25.0]
    assert [line.get_linestyle() for line in lines[1:]] == ['--', '--']
    [band] = score_ax.collections
    assert band.get_label() == 'mIoU 95 % interval'


def test_training_curves_without_validation_or_training():
    score_ax = training_curves(train_records(), []).axes[1]
    assert texts(score_ax) == ['no validation logged'] and not score_ax.get_lines()
    with pytest.raises(ValueError, match='no training records'):
        training_curves([], [])


@pytest.fixture(scope='module')
def statistics():
    counter = PixelStatistics()
    pixels = np.zeros(16, np.int64)
    pixels[[0, 1, 3]] = 900, 60, 40
    counter.add(pixels, 'Paper', 'Artistic depiction')
    pixels[[0, 1, 3]] = 500, 0, 20
    counter.add(pixels, 'Glass', 'Photographic depiction')
    return counter.to_dict()


def test_class_distribution_bars_and_material_heat_map(statistics):
    fig = class_distribution_chart(statistics, 'title')
    bars_ax, heat_ax = fig.axes[:2]
    assert len(bars_ax.patches) == 3  # classes with pixels; the log axis has no zero
    assert texts(bars_ax).count('  none') == 13
    assert bars_ax.get_xscale() == 'log'
    assert bars_ax.patches[0].get_width() == pytest.approx(100 * 1400 / 1520)
    shares = heat_ax.images[0].get_array()
    # Rows Glass, Paper; Material loss and Dust as shares of each material's damage pixels.
    np.testing.assert_allclose(shares[:, [0, 2]], [[0, 100], [60, 40]])
    labels = [t.get_text() for t in heat_ax.get_yticklabels()]
    assert labels == ['Glass (1 img, 3.8 % damage)', 'Paper (1 img, 10.0 % damage)']


def test_class_distribution_without_material_counts(statistics):
    fig = class_distribution_chart({k: v for k, v in statistics.items()
                                    if k != 'pixels_per_material'})
    assert len(fig.axes) == 1


def test_read_statistics_names_a_wrong_file(tmp_path, statistics):
    good = tmp_path / 'statistics.json'
    good.write_text(json.dumps(statistics))
    assert read_statistics(good) == statistics
    broken = tmp_path / 'broken.json'
    broken.write_text('{"version": 1,')
    with pytest.raises(ValueError, match=f'{broken}: not valid JSON'):
        read_statistics(broken)
    other = tmp_path / 'metrics.json'
    other.write_text('{"schema_version": 1}')
    with pytest.raises(ValueError, match=f'{other}: not a statistics.json'):
        read_statistics(other)


def test_comparison_chart_one_colour_per_run(scores):
    better = json.loads(json.dumps(scores))
    better['mIoU'] = 50.0
    better['classes']['Dust'].update(present=False, IoU=None)
    runs = [RunResults(work_dir=f'/runs/{name}', name=name,
                       metrics=dict(schema_version=1, num_images=3, overall=s))
            for name, s in (('a', scores), ('b', better))]
    ax = comparison_chart(comparison_rows(runs)).axes[0]
    assert len(ax.patches) == 14 + 13
    assert {p.get_facecolor() for p in ax.patches[:14]} != {p.get_facecolor()
                                                             for p in ax.patches[14:]}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        f"a (mIoU {scores['mIoU']:.1f})", 'b (mIoU 50.0)']
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[15] == 'Lightleak (absent)' and labels[3] == 'Dust'


def test_figure_png_decodes_to_a_drawing(tmp_path, scores):
    data = figure_png(class_scores_chart(scores))
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[0] > 300 and image.std() > 5
    path = tmp_path / 'new' / 'folder' / 'chart.png'
    save_figure(class_scores_chart(scores), path)
    assert cv2.imread(str(path)).shape == image.shape
    assert [p.name for p in path.parent.iterdir()] == ['chart.png']  # no temporary file left


def test_charts_leave_no_pyplot_figures(scores, confusion):
    import matplotlib.pyplot as plt
    before = plt.get_fignums()
    for _ in range(3):
        figure_png(class_scores_chart(scores))
        figure_png(confusion_heatmap(CLASSES, confusion))
    assert plt.get_fignums() == before
