"""tools/publish_model.py on a demo run, and the published model loaded by folder and hub id."""
import hashlib
import json
import shutil

import numpy as np
import pytest
import torch
import yaml

from mmseg_heritage.evaluation.run_results import last_checkpoint, read_metrics

from helpers import (REPO, add_to_hub_cache, assert_labels_agree, read_mask, run_main, tiled_scores,
                     winning_margin)

PUBLISH = REPO / 'tools/publish_model.py'
INFER = REPO / 'tools/infer.py'
HUB_ID = 'heritage-lab/unet-demo'


@pytest.fixture(scope='module')
def demo_run(trained_work_dir, tmp_path_factory):
    """A copy of the session's 4-iteration demo run with its last checkpoint only (other tests
    go on training in the original)."""
    run = tmp_path_factory.mktemp('publish') / 'unet_s'
    checkpoint = last_checkpoint(trained_work_dir)
    shutil.copytree(trained_work_dir, run, ignore=shutil.ignore_patterns('*.pth', 'test',
                                                                         'last_checkpoint'))
    shutil.copy(checkpoint, run / checkpoint.name)
    (run / 'last_checkpoint').write_text(str(run / checkpoint.name))
    return run


@pytest.fixture(scope='module')
def published(demo_run):
    out = demo_run.parent / 'published'
    assert run_main(PUBLISH, demo_run, '--out', out).returncode == 0
    return out


def test_the_folder_holds_slim_weights_named_by_their_hash_config_scores_and_card(published,
                                                                                 demo_run):
    (weights, ) = published.glob('*.pth')
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    assert weights.name == f'unet_s_synthetic_160-{digest[:8]}.pth'
    checkpoint = torch.load(weights, weights_only=True)
    iteration = int(last_checkpoint(demo_run).stem.split('_')[-1])  # iter_4.pth, as trained
    assert 'state_dict' in checkpoint and checkpoint['meta']['iter'] == iteration
    assert not {'optimizer', 'message_hub', 'param_schedulers'} & set(checkpoint)
    assert (published / 'unet_s_synthetic_160.py').is_file()
    (source_metrics, ) = sorted(demo_run.glob('*/metrics.json'))[-1:]
    record = read_metrics(published / 'metrics.json')
    assert record == json.loads(source_metrics.read_text())

    card = (published / 'README.md').read_text()
    front_matter = yaml.safe_load(card.split('---')[1])
    assert front_matter['library_name'] == 'mmsegmentation'
    (result, ) = front_matter['model-index'][0]['results']
    assert result['metrics'][0]['value'] == record['overall']['mIoU']
    interval = record['mIoU_ci95']
    assert (f"mIoU {record['overall']['mIoU']:.2f} (95 % interval over images "
            f'{interval[0]:.2f}-{interval[1]:.2f})') in card
    for name, scores in record['overall']['classes'].items():
        if scores['present']:
            assert f"| {name} | {scores['IoU']:.2f} | {scores['Dice']:.2f} |" in card
    for section in ('## Training', '## Intended use', '## Limits', '## Data licence'):
        assert section in card
    assert 'The training data, synthetic ARTeFACT-like artefacts, is under apache-2.0' in card
    assert f'SHA-256 `{digest}`' in card and f'(iteration {iteration})' in card
    # Which split the scores are of: the run's validation, unless a test ran in its work dir.
    assert {'val': '### The validation split', 'test': '### The held-out test split'}[
        record['split']] in card


def test_the_published_weights_load_safely_and_predict_as_the_run(published, demo_run,
                                                                 synthetic_root, monkeypatch):
    from mmseg.apis import inference_model
    from mmseg.apis import init_model as mmseg_init_model

    from mmseg_heritage.apis import init_model
    loads = []
    real_load = torch.load

    def recording_load(*args, **kwargs):
        loads.append(kwargs.get('weights_only'))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, 'load', recording_load)
    model = init_model(str(published), device='cpu')
    assert loads and False not in loads  # torch's safe unpickler (its default) every time
    original = mmseg_init_model(str(published / 'unet_s_synthetic_160.py'),
                                str(last_checkpoint(demo_run)), device='cpu')
    for image in sorted((synthetic_root / 'images').glob('*.png'))[:3]:
        assert torch.equal(inference_model(model, str(image)).pred_sem_seg.data,
                           inference_model(original, str(image)).pred_sem_seg.data)


def test_a_hub_id_loads_offline_from_the_hugging_face_cache(published, hub_cache, tmp_path,
                                                            synthetic_root, capsys):
    from mmseg_heritage.apis import DamageInferencer, find_published_model, read_image
    snapshot = add_to_hub_cache(hub_cache, HUB_ID,
                                {p.name: p for p in published.iterdir() if p.is_file()})
    found = find_published_model(HUB_ID)
    assert found.folder == snapshot and found.name == 'unet_s_synthetic_160'

    image = sorted((synthetic_root / 'images').glob('*.png'))[0]
    inferencer = DamageInferencer(str(published), device='cpu')
    by_folder = inferencer.predict(image)
    np.testing.assert_array_equal(DamageInferencer(HUB_ID, device='cpu').predict(image),
                                  by_folder)
    result = run_main(INFER, HUB_ID, image, '--out-dir', tmp_path / 'maps', '--no-progress',
                      capsys=capsys)
    assert result.returncode == 0
    # tools/infer.py runs with its own thread count: near-ties may go either way.
    assert_labels_agree(read_mask(tmp_path / f'maps/masks/{image.stem}.png'), by_folder,
                        winning_margin(tiled_scores(inferencer, read_image(image))))
    report = json.loads((tmp_path / 'maps/report.json').read_text())
    assert report['model'] == HUB_ID


def test_an_unknown_hub_id_offline_stops_before_anything_is_written(hub_cache, tmp_path,
                                                                    synthetic_root,
                                                                    warnings_logged):
    image = sorted((synthetic_root / 'images').glob('*.png'))[0]
    for flags in ((), ('--download', )):
        result = run_main(INFER, 'heritage-lab/no-such-model', image, '--out-dir',
                          tmp_path / 'maps', *flags)
        assert result.returncode == 2
        (message, ) = warnings_logged()[-1:]
        assert message.startswith('heritage-lab/no-such-model: ')
        assert ('could not be downloaded' if flags else 'add --download') in message
    assert not (tmp_path / 'maps').exists()


def test_a_cached_file_that_does_not_match_its_hash_is_refused(published, hub_cache,
                                                               synthetic_root, tmp_path,
                                                               warnings_logged):
    from mmseg_heritage.apis import init_model
    snapshot = add_to_hub_cache(hub_cache, HUB_ID,
                                {p.name: p for p in published.iterdir() if p.is_file()})
    (weights, ) = snapshot.glob('*.pth')
    blob = weights.resolve()
    data = bytearray(blob.read_bytes())
    data[100] ^= 0xFF  # one byte changed after the download
    blob.write_bytes(bytes(data))
    with pytest.raises(ValueError, match='SHA-256 .* but the hub published'):
        init_model(HUB_ID)
    image = sorted((synthetic_root / 'images').glob('*.png'))[0]
    result = run_main(INFER, HUB_ID, image, '--out-dir', tmp_path / 'maps')
    assert result.returncode == 2 and blob.name in warnings_logged()[-1]
    assert not (tmp_path / 'maps').exists()


@pytest.mark.parametrize('case', ['missing work dir', 'no checkpoint', 'out not empty'])
def test_bad_input_is_named_and_nothing_is_written(case, demo_run, tmp_path, capsys):
    source, out = demo_run, tmp_path / 'out'
    if case == 'missing work dir':
        source = tmp_path / 'no_such_run'
    elif case == 'no checkpoint':
        source = tmp_path / 'untrained'
        shutil.copytree(demo_run, source, ignore=shutil.ignore_patterns('*.pth',
                                                                        'last_checkpoint'))
    else:
        out.mkdir()
        (out / 'notes.txt').write_text('mine')
    result = run_main(PUBLISH, source, '--out', out, capsys=capsys)
    assert result.returncode == 2
    expected = {'missing work dir': f'{source}: no such work dir or checkpoint',
                'no checkpoint': f'{source}: no checkpoint in this work dir',
                'out not empty': f'{out}: not empty'}[case]
    assert expected in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(('out', '.out'))) == \
        (['out'] if case == 'out not empty' else [])


def test_push_to_hub_offline_fails_clearly_and_keeps_the_folder(demo_run, hub_cache, tmp_path,
                                                                capsys):
    out = tmp_path / 'published'
    result = run_main(PUBLISH, demo_run, '--out', out, '--push-to-hub', HUB_ID, capsys=capsys)
    assert result.returncode == 2
    assert f'{HUB_ID}: the upload failed' in result.stderr and 'is complete' in result.stderr
    assert len(list(out.glob('*.pth'))) == 1 and (out / 'README.md').is_file()
