"""MMSeg's own tools and APIs run our configs and load our checkpoints unchanged."""
import contextlib
import json
import re
import shutil

import cv2
import numpy as np
import pytest
import torch

from mmseg_heritage.apis import DamageInferencer, read_image
from mmseg_heritage.datasets.preparation import read_split

from helpers import (DEMO_CONFIG, REPO, assert_labels_agree, read_mask, run_config_tool, run_main,
                     run_stock_tool, run_stock_train, stock_mmseg_tool, tiled_scores,
                     winning_margin)


def test_stock_train_writes_checkpoints(trained_work_dir):
    assert (trained_work_dir / 'iter_2.pth').exists()
    assert (trained_work_dir / 'iter_4.pth').exists()
    assert (trained_work_dir / 'last_checkpoint').read_text().strip().endswith('iter_4.pth')


def test_runtime_logs_scalars_locally_and_to_tensorboard(trained_work_dir):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    (scalars,) = trained_work_dir.glob('*/vis_data/scalars.json')
    assert '"loss"' in scalars.read_text()
    (events,) = trained_work_dir.glob('*/vis_data/events.out.tfevents.*')
    accumulator = EventAccumulator(str(events.parent))
    accumulator.Reload()
    assert [event.step for event in accumulator.Scalars('loss')] == [1, 2, 3, 4]


def test_resume_continues_from_the_last_checkpoint(trained_work_dir, synthetic_root, tmp_path):
    work_dir = tmp_path / 'demo'
    shutil.copytree(trained_work_dir, work_dir)
    # Without save_best: a new best would delete the shared run's best checkpoint (MMEngine
    # removes the previous best by the path the resumed checkpoint recorded).
    result = run_stock_train(work_dir, synthetic_root, 6, '--resume', in_process=True,
                             options=['default_hooks.checkpoint.save_best=None'])
    assert 'resumed epoch: 0, iter: 4' in result.stdout + result.stderr
    checkpoint = torch.load(work_dir / 'iter_6.pth', weights_only=True)
    assert checkpoint['meta']['iter'] == 6
    # The loss history of the first run survived the resume: 4 + 2 iterations logged.
    history = checkpoint['message_hub']['log_scalars']['train/loss']
    assert len(history['log_history']) == 6


def test_stock_test_evaluates_a_checkpoint(trained_work_dir, synthetic_root, tmp_path):
    work_dir = tmp_path / 'test'
    work_dir.mkdir()
    result = run_stock_tool('test.py', work_dir, synthetic_root,
                            str(trained_work_dir / 'iter_4.pth'), in_process=True)
    count = len((synthetic_root / 'splits/test.txt').read_text().split())
    logged = re.search(rf'Iter\(test\) \[{count}/{count}\].*?\bmIoU: (\d+\.\d+)',
                       result.stdout + result.stderr)
    assert logged
    # ArtefactMetric's full record lands next to the run's log.
    (record_file,) = work_dir.glob('*/metrics.json')
    record = json.loads(record_file.read_text())
    assert record['num_images'] == count and record['schema_version'] == 1
    assert record['overall']['mIoU'] == float(logged[1])
    assert (record_file.parent / 'confusion_matrix.csv').is_file()


@pytest.fixture(scope='module')
def infer_masks(trained_work_dir, synthetic_root, tmp_path_factory):
    """tools/infer.py's masks of the test images, the reference for ``--out``."""
    out = tmp_path_factory.mktemp('infer')
    images = [synthetic_root / 'images' / f'{name}.png'
              for name in read_split(synthetic_root / 'splits/test.txt')]
    result = run_main(REPO / 'tools/infer.py', DEMO_CONFIG, trained_work_dir / 'iter_4.pth',
                      *images, '--out-dir', out, '--no-overlay', '--no-progress')
    assert result.returncode == 0
    return out / 'masks'


@pytest.mark.parametrize('tool', ['ours', 'mmseg'])
def test_out_writes_a_class_id_png_per_test_image(tool, trained_work_dir, synthetic_root,
                                                  infer_masks, tmp_path):
    script = REPO / 'tools/test.py' if tool == 'ours' else stock_mmseg_tool('test.py')
    out = tmp_path / 'predictions'
    work_dir = tmp_path / 'test'
    work_dir.mkdir()
    run_config_tool(script, work_dir, synthetic_root, str(trained_work_dir / 'iter_4.pth'),
                    '--out', str(out), in_process=True)
    test_ids = read_split(synthetic_root / 'splits/test.txt')
    assert sorted(p.name for p in out.iterdir()) == sorted(f'{i}.png' for i in test_ids)
    inferencer = DamageInferencer(str(DEMO_CONFIG), str(trained_work_dir / 'iter_4.pth'),
                                  device='cpu')
    for name in test_ids:
        prediction = read_mask(out / f'{name}.png')
        assert prediction.dtype == np.uint8 and prediction.shape == (64, 64)
        # tools/infer.py ran with its own thread count: near-ties may go either way.
        margin = winning_margin(tiled_scores(
            inferencer, read_image(synthetic_root / 'images' / f'{name}.png')))
        assert_labels_agree(prediction, read_mask(infer_masks / f'{name}.png'), margin)
    # The scores are still computed.
    (record_file,) = work_dir.glob('*/metrics.json')
    assert json.loads(record_file.read_text())['num_images'] == len(test_ids)


def test_load_from_starts_a_new_run_from_our_weights(trained_work_dir, synthetic_root,
                                                     tmp_path):
    work_dir = tmp_path / 'fine_tune'
    work_dir.mkdir()
    weights = trained_work_dir / 'iter_4.pth'
    result = run_stock_train(work_dir, synthetic_root, 2, options=[f'load_from={weights}'],
                             in_process=True)
    assert f'Load checkpoint from {weights}' in result.stdout + result.stderr
    assert torch.load(work_dir / 'iter_2.pth', weights_only=True)['meta']['iter'] == 2


def test_init_model_and_inferencer_predict(trained_work_dir, synthetic_root):
    from mmseg.apis import MMSegInferencer, inference_model, init_model

    checkpoint = str(trained_work_dir / 'iter_4.pth')
    image = str(next((synthetic_root / 'images').glob('*.png')))
    model = init_model(str(DEMO_CONFIG), checkpoint, device='cpu')
    prediction = inference_model(model, image).pred_sem_seg.data
    assert prediction.shape == (1, 64, 64)
    assert int(prediction.max()) < 16

    inferencer = MMSegInferencer(model=str(DEMO_CONFIG), weights=checkpoint, device='cpu')
    result = inferencer(image)
    mask = result['predictions']
    assert mask.shape == (64, 64)
    np.testing.assert_array_equal(mask, prediction[0].numpy())
    assert inferencer.model.dataset_meta['classes'][0] == 'Clean'


def test_browse_dataset_draws_every_training_image(synthetic_root, tmp_path):
    out = tmp_path / 'browse'
    work_dir = tmp_path / 'work'
    work_dir.mkdir()
    # In this process; a visualizer of its own (MMEngine hands out the one built first under
    # a name, with that one's folder).
    with contextlib.chdir(work_dir):
        result = run_main(stock_mmseg_tool('misc/browse_dataset.py'), DEMO_CONFIG,
                          '--output-dir', out, '--not-show', '--cfg-options',
                          f'train_dataloader.dataset.data_root={synthetic_root}',
                          f'visualizer.name=browse_{tmp_path.name}')
    assert result.returncode == 0
    drawn = sorted(out.glob('vis_data/vis_image/*.png'))
    train_ids = read_split(synthetic_root / 'splits/train.txt')
    assert len(drawn) == len(train_ids)
    picture = cv2.imread(str(drawn[0]))
    assert picture.shape == (64, 64, 3) and picture.std() > 0
