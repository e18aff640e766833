"""tools/model_zoo.py: metafiles, model-index.yml and the README's table, generated and checked."""
import json
import shutil

import pytest
import yaml

from mmseg_heritage.zoo.model_index import (PublishedResult, check_model_zoo, model_zoo_files,
                                            read_results)

from helpers import DEMO_CONFIG, REPO, run_main

TOOL = REPO / 'tools/model_zoo.py'


def test_the_committed_model_zoo_is_what_the_configs_and_results_give(capsys):
    result = run_main(TOOL, '--check', capsys=capsys)
    assert result.returncode == 0, result.stderr
    index = yaml.safe_load((REPO / 'model-index.yml').read_text())
    assert sorted(index['Import']) == sorted(
        f'configs/{folder.name}/metafile.yaml' for folder in (REPO / 'configs').iterdir()
        if folder.is_dir() and folder.name != '_base_')


@pytest.fixture
def demo_result(trained_work_dir):
    """The demo run's newest metrics.json, as published."""
    (path, ) = sorted(trained_work_dir.glob('*/metrics.json'))[-1:]
    return PublishedResult('unet_s_synthetic_160-0123abcd', json.loads(path.read_text()))


def test_a_published_result_reaches_the_metafile_and_the_readme(demo_result):
    files = model_zoo_files(REPO, [demo_result])
    demo = yaml.safe_load(files['configs/demo/metafile.yaml'])
    (model, ) = [m for m in demo['Models'] if m['Name'] == 'unet_s_synthetic_160']
    record = demo_result.record
    (scores, ) = model['Results']
    assert scores['Dataset'] == 'synthetic ARTeFACT-like artefacts, val split'
    assert scores['Metrics']['mIoU'] == round(record['overall']['mIoU'], 2)
    assert model['Weights'] == 'unet_s_synthetic_160-0123abcd.pth'
    assert model['Config'] == 'configs/demo/unet_s_synthetic_160.py'
    assert model['Metadata']['Pretrained'] == 'none (from scratch)'
    readme = files['README.md']
    row = next(line for line in readme.splitlines() if line.startswith('| `unet_s_synthetic'))
    assert f"{record['overall']['mIoU']:.2f} ({record['mIoU_ci95'][0]:.2f}-" in row
    assert '`unet_s_synthetic_160-0123abcd`' in row
    # The earlier project's figures stand beside ours, with why they are not comparable.
    assert '| `segformer_b3_384` | ARTeFACT | not trained here yet |' in readme
    assert 'mIoU 37.63, Dice 46.29, accuracy 88.15' in readme
    assert 'leaky split' in readme and 'per-batch' in readme


def test_an_out_of_date_zoo_is_found(tmp_path):
    repo = tmp_path / 'repo'
    shutil.copytree(REPO / 'configs', repo / 'configs')
    for name in ('README.md', 'model-index.yml'):
        shutil.copy(REPO / name, repo / name)
    results = read_results(REPO / 'docs/results')
    assert check_model_zoo(repo, results) == []
    with (repo / 'configs/poc59/segformer_b3_384.py').open('a') as config:
        config.write('train_dataloader = dict(batch_size=2)\n')  # a config changed
    # ... and the demo's published result left out.
    problems = check_model_zoo(repo, [r for r in results if r.config_name != DEMO_CONFIG.stem])
    assert problems == [f'{path}: not what the configs and results give; run python '
                        'tools/model_zoo.py' for path in ('configs/demo/metafile.yaml',
                                                          'configs/poc59/metafile.yaml',
                                                          'README.md')]


def test_configs_must_have_unique_names_and_results_a_known_config(demo_result, tmp_path):
    repo = tmp_path / 'repo'
    for folder in ('a', 'b'):
        (repo / 'configs' / folder).mkdir(parents=True)
        shutil.copy(DEMO_CONFIG, repo / 'configs' / folder / 'same.py')
    with pytest.raises(ValueError, match=r"share the names \['same'\]"):
        model_zoo_files(repo, [])
    unknown = PublishedResult('x', {**demo_result.record,
                                    'provenance': {'config_file': '/elsewhere/unknown.py'}})
    with pytest.raises(ValueError, match='x: its config unknown is not in configs/'):
        model_zoo_files(REPO, [unknown])
    with pytest.raises(ValueError, match='two published results'):
        model_zoo_files(REPO, [demo_result, PublishedResult('y', demo_result.record)])


def test_results_are_read_from_metrics_records(tmp_path, demo_result):
    (tmp_path / 'unet_s_synthetic_160-0123abcd.json').write_text(json.dumps(demo_result.record))
    (result, ) = read_results(tmp_path)
    assert result.name == 'unet_s_synthetic_160-0123abcd'
    assert result.config_name == 'unet_s_synthetic_160'
    (tmp_path / 'broken.json').write_text('{"schema_version": 1}')
    with pytest.raises(ValueError, match='broken.json: names no config'):
        read_results(tmp_path)
