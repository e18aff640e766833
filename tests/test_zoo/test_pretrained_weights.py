"""Every config names the pretrained weights of its own backbone (or none, from scratch)."""
import re

import pytest
import timm
from mmengine.config import Config

from mmseg_heritage.models.backbones import PackagedWeights
from mmseg_heritage.zoo import PretrainedWeights, pretrained_weights
from mmseg_heritage.zoo.model_index import zoo_configs

from helpers import REPO

# MMSeg's MiT encoders, by their stage depths.
MIT_DEPTHS = {'mit_b3': [3, 4, 18, 3]}


@pytest.mark.parametrize('config', zoo_configs(REPO), ids=lambda path: path.stem)
def test_a_config_names_the_weights_of_its_own_backbone(config):
    cfg = Config.fromfile(config, import_custom_modules=False)
    backbone, weights = cfg.model.backbone, pretrained_weights(cfg)
    if isinstance(weights, PackagedWeights):  # installed with pip: the config starts from them
        assert cfg.model.pretrained == weights.source
        assert weights.model_name == backbone.model_name
        return
    assert cfg.model.get('pretrained') is None  # a local path, given only on request
    if weights is None:
        return
    if backbone.type == 'TimmPyramidBackbone':
        repo_id = weights.hub_file['repo_id']
        architecture, tag = repo_id.split('/')[1].split('.', 1)
        assert architecture == backbone.model_name
        # timm itself names that hub repository for those weights.
        assert timm.models.get_pretrained_cfg(f'{architecture}.{tag}').hf_hub_id == repo_id
        assert weights.hub_file['filename'] == 'model.safetensors'
    else:
        assert backbone.type == 'MixVisionTransformer'
        name = re.search(r'/(mit_b\d)_\d{8}-[0-9a-f]{8}\.pth$', weights.url)[1]
        assert backbone.num_layers == MIT_DEPTHS[name]


def test_hub_urls_and_other_urls_are_told_apart():
    hub = PretrainedWeights('https://huggingface.co/timm/convnext_tiny.fb_in22k/resolve/main/'
                            'model.safetensors')
    assert hub.hub_file == dict(repo_id='timm/convnext_tiny.fb_in22k', revision='main',
                                filename='model.safetensors')
    assert hub.destination.name == 'models--timm--convnext_tiny.fb_in22k'
    mit = PretrainedWeights('https://download.openmmlab.com/mmsegmentation/v0.5/pretrain/'
                            'segformer/mit_b3_20220624-13b1141c.pth')
    assert mit.hub_file is None
    assert mit.destination.parts[-2:] == ('checkpoints', 'mit_b3_20220624-13b1141c.pth')
