"""tools/train_starter.py end to end at toy size, and the committed starter model."""
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from helpers import IN_PROCESS_LOADING, REPO, STARTER_NAME, load_tool, read_mask, run_main

STARTER = REPO / 'checkpoints/starter'


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """The recipe on 12 made-up photographs, 2 iterations, mapping 2 'real' photographs."""
    root = tmp_path_factory.mktemp('starter')
    (root / 'photos').mkdir()
    (root / 'real').mkdir()
    for index in range(12):
        field = cv2.resize(np.random.default_rng(index).integers(0, 255, (5, 6, 3), np.uint8),
                           (150, 120), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(root / ('real' if index < 2 else 'photos') / f'p{index}.png'), field)
    result = run_main(REPO / 'tools/train_starter.py', '--work-dir', root / 'work',
                      '--out', root / 'out', '--data-root', root / 'data', '--iters', '2',
                      '--num-images', '30', '--real-photos', root / 'real', '--cfg-options',
                      f"photo_scans.content=['{root / 'photos'}']", 'photo_scans.size=96',
                      "photo_scans.fonts=['matplotlib']",  # fonts every machine has
                      *IN_PROCESS_LOADING)
    assert result.returncode == 0
    return root


def test_the_published_model_predicts_as_the_training_checkpoint(trained):
    from mmseg.apis import inference_model, init_model
    slim = torch.load(trained / f'out/{STARTER_NAME}.pth', weights_only=True)
    assert 'state_dict' in slim and not {'optimizer', 'message_hub'} & set(slim)
    image = str(trained / 'real/p0.png')
    (full, ) = trained.glob('work/best_mIoU_iter_*.pth')
    config = str(trained / f'out/{STARTER_NAME}.py')
    predictions = [inference_model(init_model(config, str(path), device='cpu'),
                                   image).pred_sem_seg.data
                   for path in (trained / f'out/{STARTER_NAME}.pth', full)]
    assert torch.equal(*predictions)


def test_real_photographs_are_mapped_again_for_another_threshold(trained, tmp_path):
    # Their journal knows the model's config: maps of the same checkpoint with another damage
    # threshold are not reused.
    from mmengine.config import Config
    map_real_photos = load_tool(REPO / 'tools/train_starter.py').map_real_photos
    cfg = Config.fromfile(trained / f'out/{STARTER_NAME}.py')
    checkpoint = str(trained / f'out/{STARTER_NAME}.pth')
    cfg.model.decode_head.damage_threshold = 0.99
    fewer = map_real_photos(cfg, checkpoint, trained / 'real', tmp_path)
    cfg.model.decode_head.damage_threshold = 0.01
    more = map_real_photos(cfg, checkpoint, trained / 'real', tmp_path)
    assert sorted(more) == sorted(fewer) == ['p0.png', 'p1.png']
    assert all(more[photo] >= fewer[photo] for photo in more) and more != fewer


def test_scores_and_real_photographs_are_reported(trained):
    from mmseg_heritage.evaluation.run_results import read_metrics
    metrics = read_metrics(trained / 'out/metrics.json')
    read_metrics(trained / 'out/evaluation_metrics.json')
    card = (trained / 'out/README.md').read_text()
    assert card.startswith('---\nlicense: apache-2.0')
    assert f"mIoU {metrics['overall']['mIoU']:.2f}" in card
    # It predicts with the damage threshold chosen on the validation split, which the card says.
    from mmengine.config import Config
    published = Config.fromfile(trained / f'out/{STARTER_NAME}.py')
    threshold = published.model.decode_head.damage_threshold
    # and its data are the recipe's, not the evaluation scans tested last; it resumes nothing
    assert published.resume is False
    assert {published[loader].dataset.data_root for loader in
            ('train_dataloader', 'val_dataloader', 'test_dataloader')} == {str(trained / 'data')}
    assert 0 < threshold < 1 and f'probability exceeds {threshold:g}, the threshold' in card
    # and names the kinds with the bias chosen there, which the card says too
    bias = published.model.decode_head.kind_bias
    assert len(bias) == 15 and all(-1 <= value <= 1 for value in bias)
    assert 'the kind most probable after a bias on the log-probabilities' in ' '.join(card.split())
    report = json.loads((trained / 'work/real_photos/report.json').read_text())
    shares = json.loads((trained / 'out/real_photos.json').read_text())['damaged_percent']
    assert shares == {Path(r['file']).name: r['damaged_percent'] for r in report['files']}
    assert sorted(shares) == ['p0.png', 'p1.png']
    for photo, share in shares.items():
        mask = read_mask(trained / f'work/real_photos/masks/{Path(photo).stem}.png')
        assert share == pytest.approx(100 * np.count_nonzero(mask) / mask.size, abs=1e-3)
        assert f'| {photo} | {share:.2f} |' in card
    assert cv2.imread(str(trained / 'out/real_photos.png')) is not None
    # The recipe names its content and held the test photographs out of training.
    content = json.loads((trained / 'data/content.json').read_text())
    assert not set(content['photos']['train']) & set(content['photos']['test'])


def test_the_evaluation_runner_keeps_its_visualizer_out_of_the_trainings(trained):
    # Two runners in one process: each writes its config and curves beside its own log.
    from mmengine.config import Config
    (evaluation, ) = trained.glob('work/evaluation/*/vis_data/config.py')
    data_roots = {run.parts[-4]: Config.fromfile(run).test_dataloader.dataset.data_root
                  for run in trained.glob('work/*/vis_data/config.py')}
    assert Config.fromfile(evaluation).test_dataloader.dataset.data_root == \
        str(trained / 'data/evaluation')
    assert data_roots and set(data_roots.values()) == {str(trained / 'data')}
    # The published config keeps the configs' visualizer name (MMSeg's browse_dataset.py).
    published = Config.fromfile(trained / f'out/{STARTER_NAME}.py')
    assert published.visualizer.name == 'visualizer'


def test_the_committed_starter_model_gives_its_recorded_damage_maps():
    from mmseg_heritage.apis import DamageInferencer
    (config, ) = STARTER.glob('*.py')
    inferencer = DamageInferencer(str(config), str(config.with_suffix('.pth')), device='cpu')
    recorded = json.loads((STARTER / 'real_photos.json').read_text())['damaged_percent']
    for photo in ('old/a.png', 'old_w_scratch/b.png'):
        mask = inferencer.predict(cv2.imread(str(REPO / 'resources/real_photos' / photo)))
        assert 100 * np.count_nonzero(mask) / mask.size == pytest.approx(recorded[photo],
                                                                         abs=0.01)
