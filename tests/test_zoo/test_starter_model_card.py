"""The starter model's card, from its config and records: the recipe's data, the loss, the
damage threshold it predicts with, the real photographs."""
import json

from mmengine.config import Config

from mmseg_heritage.evaluation import DamageThreshold, KindBias
from mmseg_heritage.zoo import starter_model_card
from mmseg_heritage.zoo.starter_model_card import loss_weights, model_words, start_words

from helpers import REPO, STARTER_NAME

STARTER = REPO / 'checkpoints/starter'


def committed():
    """The committed starter model's config and test record."""
    cfg = Config.fromfile(STARTER / f'{STARTER_NAME}.py', import_custom_modules=False)
    return cfg, json.loads((STARTER / 'metrics.json').read_text())


def test_the_card_says_what_the_config_trained_and_the_threshold_it_predicts_with():
    cfg, record = committed()
    shares = {'old/a.png': 5.854, 'old_w_scratch/b.png': 4.36}
    card = starter_model_card(STARTER_NAME, cfg, record, record, shares, 'f00d', 46.3,
                              DamageThreshold(0.305, 0.1652))
    assert card.startswith('---\nlicense: apache-2.0')
    assert f"{cfg.photo_scans.num_images} synthetic scans (up to {cfg.photo_scans.size} px)" in card
    flat = ' '.join(card.split())  # the words, whatever the line breaks
    assert f'trained {start_words(cfg)} for {cfg.train_cfg.max_iters} iterations' in flat
    assert (f'(46.3 minutes for the whole recipe), Dice + cross-entropy ({loss_weights(cfg)}); '
            'it predicts damage where its probability exceeds 0.305, the threshold with the '
            'best damage-against-clean IoU on the validation split (16.52).') in flat
    assert 'SHA-256 `f00d`' in card
    assert '| old/a.png | 5.85 |\n| old_w_scratch/b.png | 4.36 |' in card
    assert f"mIoU {record['overall']['mIoU']:.2f}" in card
    without = starter_model_card(STARTER_NAME, cfg, record, record, shares, 'f00d', 1)
    assert f'({loss_weights(cfg)}).' in ' '.join(without.split()) and 'exceeds' not in without


def test_the_card_says_how_the_kinds_are_named_and_where_a_resumed_run_went_on():
    cfg, record = committed()
    bias = KindBias((1.0, 0, 0, -0.25) + (0, ) * 11, 0.3396, 0.2842)
    card = ' '.join(starter_model_card(
        STARTER_NAME, cfg, record, record, {}, 'f00d', 7.5, DamageThreshold(0.73, 0.5),
        bias, 'work_dirs/starter/iter_1200.pth').split())
    assert ('(7.5 minutes since it resumed from `iter_1200.pth`)' in card
            and 'whole recipe' not in card)
    assert ('validation split (50.00), and gives each damaged pixel the kind most probable '
            'after a bias on the log-probabilities (Material loss +1, Scratch -0.25), the bias '
            'with the best mean IoU of the damage classes on the validation split (33.96, '
            'against 28.42 without).') in card


def test_class_weights_in_words():
    cfg, _ = committed()
    loss = cfg.model.decode_head.loss_decode
    assert loss_weights(cfg) == ('classes weighted by the inverse square root of the log of '
                                 'their frequency')  # the starter's: sqrt_log
    loss.pop('weighting')
    loss.class_weight = None
    assert loss_weights(cfg) == 'no class weights'
    cfg.model.decode_head.loss_decode.class_weight = [1.0, 4.0, 4.0]
    assert loss_weights(cfg) == "every damage class weighing 4 to Clean's 1"
    cfg.model.decode_head.loss_decode.class_weight = [1.0, 4.0, 2.0]
    assert loss_weights(cfg) == 'class-weighted'
    cfg.model.decode_head.loss_decode.class_weight = 'data/class_weights.json'
    assert loss_weights(cfg) == 'class-weighted'
    cfg.model.decode_head.loss_decode.weighting = 'sqrt_log'
    assert loss_weights(cfg) == ('classes weighted by the inverse square root of the log of '
                                 'their frequency')


def test_the_network_and_its_start_in_words():
    cfg, _ = committed()
    cfg.model.backbone = dict(type='TimmPyramidBackbone', model_name='tf_efficientnet_lite0',
                              pretrained='package:efficientnet-lite0')
    cfg.model.decode_head.type = 'DamageFirstUNetDecoderHead'
    assert start_words(cfg) == 'from ImageNet weights (`package:efficientnet-lite0`)'
    assert model_words(cfg) == ('an EfficientNet-Lite0 encoder and a UNet decoder down to the '
                                'full resolution')
    cfg.model.backbone = dict(type='UNet', num_stages=5)
    cfg.model.pretrained = None  # (MMSeg's EncoderDecoder hands it to the backbone)
    cfg.model.decode_head.type = 'DamageFirstFCNHead'
    assert (start_words(cfg), model_words(cfg)) == ('from scratch', 'a UNet of 5 levels')
