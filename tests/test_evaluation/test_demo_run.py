"""The demo's report.md from its records. The demo end to end is tests/test_tools/test_demo.py."""
from mmseg_heritage.evaluation.demo_run import demo_config, demo_markdown

from helpers import DEMO_CONFIG


def test_the_report_says_scores_baseline_damage_and_real_photographs():
    demo = dict(config='configs/demo/x.py', iterations=4, minutes=0.5,
                majority_class_baseline=dict(class_name='Clean', mIoU=5.4),
                real_photos_damaged_percent=dict(demo={'old/a.png': 12.3456, 'old/b.png': 1.0},
                                                 starter={'old/a.png': 2.0}))
    metrics = dict(num_images=2, overall=dict(mIoU=10.0, mDice=20.0, aAcc=80.0))
    damage = [dict(file='data/images/s1.png', status='ok', damaged_percent=7.5,
                   area_percent=dict(Clean=92.5, Peel=5.0, Hair=0.0, Dust=2.5)),
              dict(file='data/images/s2.png', status='failed', error='cannot read')]
    report = demo_markdown(demo, metrics, damage)
    assert 'Model `configs/demo/x.py`, 4 iterations, 0.5 minutes in all.' in report
    assert ('Test split (2 images): mIoU 10.00, mDice 20.00, aAcc 80.00; predicting Clean '
            'everywhere scores mIoU 5.40.') in report
    assert '| s1.png | 7.50 | Peel 5.00, Dust 2.50 |' in report  # largest first, none at 0
    assert '| s2.png | failed | cannot read |' in report
    assert '| photograph | demo model | starter model |' in report
    assert '| old/a.png | 12.35 | 2.00 |\n| old/b.png | 1.00 | — |' in report
    demo['real_photos_damaged_percent'] = {}
    assert '## Real photographs' not in demo_markdown(demo, metrics, damage)


def test_the_config_trains_the_iterations_asked_for_on_the_data_root(tmp_path):
    cfg = demo_config(str(DEMO_CONFIG), str(tmp_path / 'work'), str(tmp_path / 'data'), iters=7)
    assert cfg.work_dir == str(tmp_path / 'work')
    assert cfg.train_dataloader.dataset.data_root == str(tmp_path / 'data')
    assert cfg.train_cfg.max_iters == cfg.train_cfg.val_interval == 7
    assert cfg.default_hooks.checkpoint.interval == 7
    assert all(scheduler.end <= 7 for scheduler in cfg.param_scheduler)
    assert cfg.randomness.seed == 0  # the config's
    seeded = demo_config(str(DEMO_CONFIG), str(tmp_path / 'work'), str(tmp_path / 'data'), seed=3)
    assert seeded.randomness.seed == 3 and seeded.train_cfg.max_iters == 600
