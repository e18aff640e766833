"""The starter model's card, from its config and records: the recipe's data, the loss, the
damage threshold it predicts with, the real photographs."""
import json

from mmengine.config import Config

from mmseg_heritage.evaluation import DamageThreshold
from mmseg_heritage.zoo import starter_model_card
from mmseg_heritage.zoo.starter_model_card import loss_weights

from helpers import REPO

STARTER = REPO / 'checkpoints/starter'


def committed():
    """The committed starter model's config and test record."""
    cfg = Config.fromfile(STARTER / 'unet_photo_damage_320.py', import_custom_modules=False)
    return cfg, json.loads((STARTER / 'metrics.json').read_text())


def test_the_card_says_what_the_config_trained_and_the_threshold_it_predicts_with():
    cfg, record = committed()
    shares = {'old/a.png': 5.854, 'old_w_scratch/b.png': 4.36}
    card = starter_model_card('unet_photo_damage_320', cfg, record, record, shares, 'f00d', 46.3,
                              DamageThreshold(0.305, 0.1652))
    assert card.startswith('---\nlicense: apache-2.0')
    assert f"{cfg.photo_scans.num_images} synthetic scans (up to {cfg.photo_scans.size} px)" in card
    assert f'Trained from scratch for {cfg.train_cfg.max_iters} iterations' in card
    assert ('(46.3 minutes for the whole recipe), Dice +\ncross-entropy (no class weights); it '
            'predicts damage where its probability exceeds 0.305, the threshold with the best '
            'damage-against-clean IoU on the validation split (16.52).') in card
    assert 'SHA-256 `f00d`' in card
    assert '| old/a.png | 5.85 |\n| old_w_scratch/b.png | 4.36 |' in card
    assert f"mIoU {record['overall']['mIoU']:.2f}" in card
    without = starter_model_card('unet_photo_damage_320', cfg, record, record, shares, 'f00d', 1)
    assert '(no class weights).\n' in without and 'exceeds' not in without


def test_class_weights_in_words():
    cfg, _ = committed()
    assert loss_weights(cfg) == 'no class weights'
    cfg.model.decode_head.loss_decode.class_weight = [1.0, 4.0, 4.0]
    assert loss_weights(cfg) == "every damage class weighing 4 to Clean's 1"
    cfg.model.decode_head.loss_decode.class_weight = [1.0, 4.0, 2.0]
    assert loss_weights(cfg) == 'class-weighted'
    cfg.model.decode_head.loss_decode.class_weight = 'data/class_weights.json'
    assert loss_weights(cfg) == 'class-weighted'
