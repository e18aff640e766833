import csv
import io
import json
from contextlib import redirect_stderr, redirect_stdout

import cv2
import numpy as np
import pytest

from mmseg_heritage.class_names import CLASSES
from mmseg_heritage.evaluation.metrics.artefact_metric import scores_from_confusion

from helpers import REPO, load_tool, write_metrics

TOOLS = REPO / 'tools/analysis'
compare_runs = load_tool(TOOLS / 'compare_runs.py')
plot_class_distribution = load_tool(TOOLS / 'plot_class_distribution.py')
plot_class_scores = load_tool(TOOLS / 'plot_class_scores.py')
plot_confusion_matrix = load_tool(TOOLS / 'plot_confusion_matrix.py')
plot_training_curves = load_tool(TOOLS / 'plot_training_curves.py')

RUN = '20260101_000000'


def fake_work_dir(path, diagonal: int):
    """A work dir as a training with ArtefactMetric leaves it, with made-up numbers."""
    folder = path / RUN
    (folder / 'vis_data').mkdir(parents=True)
    matrix = np.full((16, 16), 3) + np.eye(16, dtype=int) * diagonal
    matrix[15] = 0  # Lightleak absent
    binary = np.array([[matrix[0, 0], matrix[0, 1:].sum()],
                       [matrix[1:, 0].sum(), matrix[1:, 1:].sum()]])
    write_metrics(folder, dict(num_images=3, mIoU_ci95=[10.0, 20.0],
                               overall=scores_from_confusion(matrix, CLASSES),
                               binary=scores_from_confusion(binary, ('Clean', 'Damage')),
                               coarse=scores_from_confusion(binary, ('Clean', 'Damage'))),
                  matrix, CLASSES)
    records = [{'lr': 0.01, 'loss': 3 / i, 'decode.loss_ce': 3 / i, 'iter': i, 'step': i}
               for i in range(1, 9)]
    records += [{'mIoU': 10.0 + s, 'mIoU_ci95_low': 5.0 + s, 'mIoU_ci95_high': 15.0 + s,
                 'step': s} for s in (4, 8)]
    (folder / 'vis_data' / 'scalars.json').write_text(
        ''.join(json.dumps(r) + '\n' for r in records))
    return path


@pytest.fixture(scope='module')
def work_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp('runs')
    return fake_work_dir(root / 'run_a', 20), fake_work_dir(root / 'run_b', 60)


@pytest.fixture(scope='module')
def tool_runs(work_dirs, synthetic_root, tmp_path_factory):
    """Every tool's ``main`` run once: (exit status, stdout, stderr) by name."""
    out = tmp_path_factory.mktemp('out')
    run_a, run_b = work_dirs
    commands = dict(  # name: (tool, arguments)
        plot_class_scores=(plot_class_scores, [run_a]),
        plot_confusion_matrix=(plot_confusion_matrix, [run_a]),
        plot_training_curves=(plot_training_curves, [run_a]),
        plot_class_distribution=(plot_class_distribution,
                                 [synthetic_root, '--out', out / 'distribution.png']),
        compare_runs=(compare_runs, [run_a, run_b, '--out', out / 'comparison']),
        missing=(plot_training_curves, [out / 'no_such_run']),
    )
    results = {}
    for name, (tool, args) in commands.items():
        stdout, stderr = io.StringIO(), io.StringIO()
        with redirect_stdout(stdout), redirect_stderr(stderr):
            returncode = tool.main([str(arg) for arg in args])
        results[name] = returncode, stdout.getvalue(), stderr.getvalue()
    return out, results


def assert_chart(path):
    image = cv2.imread(str(path))
    assert image is not None, f'{path} does not decode'
    assert image.std() > 5


@pytest.mark.parametrize('tool, written', [
    ('plot_class_scores', 'analysis/class_IoU.png'),
    ('plot_confusion_matrix', 'analysis/confusion_matrix.png'),
    ('plot_training_curves', 'analysis/training_curves.png')])
def test_work_dir_tools_write_into_its_analysis_folder(tool_runs, work_dirs, tool, written):
    _, results = tool_runs
    returncode, stdout, stderr = results[tool]
    assert returncode == 0, stderr[-3000:]
    path = work_dirs[0] / written
    assert stdout.strip() == f'wrote {path}'
    assert_chart(path)


def test_class_distribution_tool(tool_runs):
    out, results = tool_runs
    returncode, stdout, stderr = results['plot_class_distribution']
    assert returncode == 0, stderr[-3000:]
    assert_chart(out / 'distribution.png')


def test_compare_runs_tool(tool_runs):
    out, results = tool_runs
    returncode, stdout, stderr = results['compare_runs']
    assert returncode == 0, stderr[-3000:]
    assert_chart(out / 'comparison.png')
    with open(out / 'comparison.csv', newline='') as f:
        assert [row['name'] for row in csv.DictReader(f)] == ['run_a', 'run_b']
    table = (out / 'comparison.md').read_text()
    assert '| run_b | 3 | **' in table
    assert table.split('\n\n', 1)[1] in stdout


def test_missing_input_exits_2_with_one_line(tool_runs):
    out, results = tool_runs
    returncode, stdout, stderr = results['missing']
    assert returncode == 2
    assert stderr.strip() == f"error: {out / 'no_such_run'}: no such work dir"
    assert not (out / 'no_such_run').exists()


@pytest.mark.parametrize('tool', [plot_class_scores, plot_confusion_matrix,
                                  plot_training_curves, plot_class_distribution])
def test_missing_or_unreadable_input_named(tmp_path, capsys, tool):
    missing = tmp_path / 'missing'
    assert tool.main([str(missing), '--out', str(tmp_path / 'out.png')]) == 2
    assert str(missing) in capsys.readouterr().err
    wrong = tmp_path / 'wrong.json'
    wrong.write_text('not json')
    assert tool.main([str(wrong), '--out', str(tmp_path / 'out.png')]) == 2
    error = capsys.readouterr().err
    assert str(wrong) in error and len(error.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ['wrong.json']


def test_compare_runs_needs_metrics_in_every_run(tmp_path, capsys, work_dirs):
    empty = tmp_path / 'empty_run'
    empty.mkdir()
    out = tmp_path / 'comparison'
    assert compare_runs.main([str(work_dirs[0]), str(empty), '--out', str(out)]) == 2
    assert f'{empty}: no metrics.json' in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ['empty_run']


def test_single_files_as_input(tmp_path, capsys, work_dirs):
    folder = work_dirs[1] / RUN
    assert plot_class_scores.main([str(folder / 'metrics.json'), '--metric', 'Dice',
                                   '--level', 'binary']) == 0
    # Beside the work dir's other charts, not inside the run's timestamp folder.
    assert_chart(work_dirs[1] / 'analysis' / 'class_Dice_binary.png')
    out = tmp_path / 'confusion.png'
    assert plot_confusion_matrix.main([str(folder / 'confusion_matrix.csv'),
                                       '--out', str(out)]) == 0
    assert capsys.readouterr().out.strip().endswith(f'wrote {out}')
    assert_chart(out)


def test_training_curves_need_training_records(tmp_path, capsys):
    (tmp_path / RUN).mkdir()
    assert plot_training_curves.main([str(tmp_path)]) == 2
    assert 'no training records' in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == [RUN]


def test_class_distribution_default_output_outside_the_data(tmp_path, monkeypatch,
                                                             synthetic_root):
    monkeypatch.chdir(tmp_path)
    assert plot_class_distribution.main([str(synthetic_root)]) == 0
    assert_chart(tmp_path / 'work_dirs' / f'class_distribution_{synthetic_root.name}.png')
