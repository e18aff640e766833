"""MMSeg's own tools and APIs run our configs and load our checkpoints unchanged."""
import json
import re

import numpy as np
import torch
from conftest import DEMO_CONFIG, run_stock_tool, run_stock_train


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


def test_resume_continues_from_the_last_checkpoint(trained_work_dir, synthetic_root):
    result = run_stock_train(trained_work_dir, synthetic_root, 6, '--resume')
    assert 'resumed epoch: 0, iter: 4' in result.stdout + result.stderr
    checkpoint = torch.load(trained_work_dir / 'iter_6.pth', weights_only=True)
    assert checkpoint['meta']['iter'] == 6
    # The loss history of the first run survived the resume: 4 + 2 iterations logged.
    history = checkpoint['message_hub']['log_scalars']['train/loss']
    assert len(history['log_history']) == 6


def test_stock_test_evaluates_a_checkpoint(trained_work_dir, synthetic_root):
    result = run_stock_tool('test.py', trained_work_dir / 'test', synthetic_root,
                            str(trained_work_dir / 'iter_4.pth'))
    count = len((synthetic_root / 'splits/test.txt').read_text().split())
    logged = re.search(rf'Iter\(test\) \[{count}/{count}\].*?\bmIoU: (\d+\.\d+)',
                       result.stdout + result.stderr)
    assert logged
    # ArtefactMetric's full record lands next to the run's log.
    (record_file,) = (trained_work_dir / 'test').glob('*/metrics.json')
    record = json.loads(record_file.read_text())
    assert record['num_images'] == count and record['schema_version'] == 1
    assert record['overall']['mIoU'] == float(logged[1])
    assert (record_file.parent / 'confusion_matrix.csv').is_file()


def test_load_from_starts_a_new_run_from_our_weights(trained_work_dir, synthetic_root):
    work_dir = trained_work_dir.parent / 'fine_tune'
    work_dir.mkdir()
    weights = trained_work_dir / 'iter_4.pth'
    result = run_stock_train(work_dir, synthetic_root, 2, options=[f'load_from={weights}'])
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
