import contextlib
import json
from pathlib import Path

import cv2
import numpy as np

from mmseg_heritage.evaluation.run_results import read_metrics

from helpers import REPO, read_mask, run_main


def test_demo_writes_checkpoint_metrics_and_picture(tmp_path, capsys):
    work_dir, data_root = tmp_path / 'demo', tmp_path / 'data'
    photos = tmp_path / 'photos'
    (photos / 'old').mkdir(parents=True)
    for name in ('a', 'b'):  # two small crops of real photographs, to keep it quick
        image = cv2.imread(str(REPO / f'resources/real_photos/old/{name}.png'))
        cv2.imwrite(str(photos / f'old/{name}.png'), image[:96, :80])
    # In this process (a process would spend a third of its time importing torch and MMSeg).
    with contextlib.chdir(tmp_path):
        result = run_main(REPO / 'tools/demo.py', '--iters', '4', '--work-dir', work_dir,
                          '--data-root', data_root, '--num-images', '14', '--image-size', '64',
                          '--num-pictures', '2', '--allow-below-baseline', '--real-photos',
                          photos, capsys=capsys)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]

    # metrics.json is ArtefactMetric's record of the test split; demo.json the demo's own facts.
    metrics = read_metrics(work_dir / 'metrics.json')
    [test_record] = work_dir.glob('*/metrics.json')
    assert metrics == read_metrics(test_record)
    test_ids = (data_root / 'splits/test.txt').read_text().split()
    assert metrics['num_images'] == len(test_ids)
    assert sorted(metrics['images']) == sorted(test_ids)
    assert 0 <= metrics['overall']['mIoU'] <= 100
    demo = json.loads((work_dir / 'demo.json').read_text())
    assert demo['iterations'] == 4 and demo['split'] == 'test'
    assert demo['mIoU'] == metrics['overall']['mIoU']
    assert demo['beats_baseline'] == (
        metrics['overall']['mIoU'] > demo['majority_class_baseline']['mIoU'])
    assert Path(demo['checkpoint']).is_file()

    picture = cv2.imread(str(work_dir / 'predictions.png'))
    assert picture is not None and picture.shape[0] > 300 and picture.std() > 10

    # The data went through the parquet converter, as ARTeFACT does.
    assert list((tmp_path / 'data_parquet/data').glob('*.parquet'))
    assert (data_root / 'conversion_log.jsonl').is_file()
    assert (data_root / 'class_weights.json').is_file()

    # Damage maps of every test image, and the report.
    damage = json.loads((work_dir / 'damage_maps/report.json').read_text())
    assert damage['complete'] and damage['summary']['processed'] == len(test_ids)
    for sample_id in test_ids:
        mask = read_mask(work_dir / f'damage_maps/masks/{sample_id}.png')
        assert mask.shape == (64, 64) and mask.max() < 16
        assert (work_dir / f'damage_maps/overlays/{sample_id}.jpg').is_file()
    page = (work_dir / 'report.html').read_text()
    starter = list((REPO / 'checkpoints/starter').glob('*.pth'))
    models = ['demo'] + (['starter'] if starter else [])
    # Per-class chart, confusion, curves, samples; then synthetic and real damage maps.
    assert page.count('<img ') == 4 + 1 + len(models) and 'The first 2 test images.' in page
    assert f"{metrics['overall']['mIoU']:.2f}" in page
    # Synthetic test images show their true damaged share beside the predicted one.
    first = test_ids[0] if test_ids[0] in page else sorted(test_ids)[0]
    truth = read_mask(data_root / f'annotations/{first}.png')
    predicted = read_mask(work_dir / f'damage_maps/masks/{first}.png')
    true_share = 100 * np.count_nonzero((truth > 0) & (truth < 16)) / truth.size
    assert f'<td>{first}</td><td>{100 * np.count_nonzero(predicted) / predicted.size:.2f}' \
        f'</td><td>{true_share:.2f}</td>' in page
    # The real photographs, mapped by each model, in the page, demo.json and report.md.
    assert sorted(demo['real_photos_damaged_percent']) == models
    for model in models:
        assert f'Real photographs: the {model} model' in page
        shares = demo['real_photos_damaged_percent'][model]
        assert sorted(shares) == ['old/a.png', 'old/b.png']
        mask = read_mask(work_dir / f'real_photos/{model}/masks/old/a.png')
        assert shares['old/a.png'] == round(100 * np.count_nonzero(mask) / mask.size, 4)
    report = (work_dir / 'report.md').read_text()
    assert f"mIoU {metrics['overall']['mIoU']:.2f}" in report
    baseline = demo['majority_class_baseline']
    assert f"{baseline['class_name']} everywhere scores mIoU {baseline['mIoU']:.2f}" in report
    assert all(sample_id in report for sample_id in test_ids)
    assert '## Real photographs' in report and '| old/a.png |' in report
    # A second run reuses the converted data (in this process: quicker).
    again = run_main(REPO / 'tools/demo.py', '--iters', '2', '--work-dir', work_dir,
                     '--data-root', data_root, '--num-pictures', '1', '--allow-below-baseline',
                     '--real-photos', photos, capsys=capsys)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f'Using the dataset in {data_root}' in again.stdout
