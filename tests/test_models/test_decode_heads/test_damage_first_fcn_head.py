"""DamageFirstFCNHead: damage where the damage classes together outweigh Clean, in the most
probable damage class; FCNHead's weights and training. Damage-first prediction serves any
decode head, and says the probability of damage of what it predicted."""
import pytest
import torch
from mmseg.models.decode_heads import FCNHead
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS

from mmseg_heritage.models.decode_heads import (DamageFirstPrediction, damage_first_scores,
                                                damage_kind_scores, damage_probability)

HEAD = dict(in_channels=4, channels=4, num_convs=1, concat_input=False, num_classes=16,
            norm_cfg=dict(type='BN'), loss_decode=dict(type='ClassWeightedDiceCELoss'))


def logits_of(*probabilities):
    """1 x 16 x 1 x len pixels of logits with the given probabilities (the rest ~0)."""
    p = torch.full((len(probabilities), 16), 1e-9)
    for pixel, values in enumerate(probabilities):
        p[pixel, :len(values)] = torch.tensor(values)
    return p.log().T.reshape(1, 16, 1, -1)


def test_damage_wins_where_the_damage_classes_together_outweigh_clean():
    logits = logits_of([0.4, 0.0, 0.0, 0.25, 0.35],  # damage 0.6: the likelier of the two
                       [0.6, 0.0, 0.0, 0.25, 0.15],  # damage 0.4: Clean
                       [0.2, 0.8])  # as the plain argmax
    assert logits.argmax(dim=1).flatten().tolist() == [0, 0, 1]
    scores = damage_first_scores(logits)
    assert scores.argmax(dim=1).flatten().tolist() == [4, 0, 1]
    log_p = logits.log_softmax(dim=1)
    torch.testing.assert_close(scores[:, 0], log_p[:, 0])  # Clean keeps log P(Clean)
    torch.testing.assert_close(scores[0, 4, 0, 0], torch.tensor(0.6).log())  # log P(damage)


def test_the_head_has_fcnheads_weights_and_loss_and_decides_damage_first():
    torch.manual_seed(0)
    plain, head = FCNHead(**HEAD), MODELS.build(dict(type='DamageFirstFCNHead', **HEAD))
    head.load_state_dict(plain.state_dict())  # a checkpoint of one loads into the other
    plain.eval(), head.eval()
    features = [torch.randn(2, 4, 8, 8)]
    metas = [dict(img_shape=(8, 8), pad_shape=(8, 8))] * 2
    logits = plain.predict(features, metas, {})
    torch.testing.assert_close(head.predict(features, metas, {}), damage_first_scores(logits))
    plain.train(), head.train()
    assert torch.equal(head.forward(features), plain.forward(features))


def test_a_damage_threshold_marks_damage_where_its_probability_exceeds_it():
    logits = logits_of([0.75, 0.0, 0.0, 0.25],  # damage 0.25
                       [0.65, 0.0, 0.0, 0.05, 0.3],  # damage 0.35
                       [0.45, 0.55])  # damage 0.55
    for threshold, labels in ((0.2, [3, 4, 1]), (0.3, [0, 4, 1]), (0.5, [0, 0, 1]),
                              (0.6, [0, 0, 0])):
        scores = damage_first_scores(logits, threshold)
        assert scores.argmax(dim=1).flatten().tolist() == labels, threshold
    torch.manual_seed(0)
    plain = FCNHead(**HEAD).eval()
    head = MODELS.build(dict(type='DamageFirstFCNHead', damage_threshold=0.3, **HEAD)).eval()
    head.load_state_dict(plain.state_dict())
    features = [torch.randn(1, 4, 8, 8)]
    metas = [dict(img_shape=(8, 8), pad_shape=(8, 8))]
    torch.testing.assert_close(head.predict(features, metas, {}),
                               damage_first_scores(plain.predict(features, metas, {}), 0.3))
    with pytest.raises(ValueError, match='damage_threshold must lie between 0 and 1, got 1'):
        MODELS.build(dict(type='DamageFirstFCNHead', damage_threshold=1, **HEAD))


def test_a_kind_bias_changes_which_kind_is_named_but_not_where_damage_is():
    logits = logits_of([0.4, 0.0, 0.0, 0.0, 0.35, 0.25],  # Scratch, Hair close behind
                       [0.4, 0.0, 0.0, 0.0, 0.55, 0.05],  # clearly Scratch
                       [0.8, 0.0, 0.0, 0.0, 0.1, 0.1])  # Clean
    bias = [0.0] * 15
    bias[4] = 0.5  # Hair: e^0.5 = 1.65 times as likely as the model says
    plain, biased = damage_first_scores(logits, 0.5), damage_first_scores(logits, 0.5, bias)
    assert plain.argmax(dim=1).flatten().tolist() == [4, 4, 0]
    assert biased.argmax(dim=1).flatten().tolist() == [5, 4, 0]
    torch.testing.assert_close(damage_probability(biased), damage_probability(plain))
    torch.testing.assert_close(biased[0, 5, 0, 0], torch.tensor(0.6).log())  # log P(damage)
    # The kinds' scores read back without the bias: log p less the same amount per pixel.
    kinds = damage_kind_scores(biased, bias)
    log_p = logits.log_softmax(dim=1)[:, 1:]
    torch.testing.assert_close(kinds - kinds[:, 3:4], log_p - log_p[:, 3:4])  # Scratch
    with pytest.raises(ValueError, match=r'one value per damage class \(15\), got 2'):
        damage_first_scores(logits, 0.5, [0.0, 1.0])
    torch.manual_seed(0)
    plain_head = FCNHead(**HEAD).eval()
    head = MODELS.build(dict(type='DamageFirstFCNHead', kind_bias=bias, **HEAD)).eval()
    head.load_state_dict(plain_head.state_dict())
    features, metas = [torch.randn(1, 4, 8, 8)], [dict(img_shape=(8, 8), pad_shape=(8, 8))]
    torch.testing.assert_close(head.predict(features, metas, {}), damage_first_scores(
        plain_head.predict(features, metas, {}), 0.5, bias))
    with pytest.raises(ValueError, match=r'one value per damage class \(15\), got 14'):
        MODELS.build(dict(type='DamageFirstFCNHead', kind_bias=bias[1:], **HEAD))


class PlainHead(BaseDecodeHead):
    """The smallest decode head: a 1x1 classifier on the first feature map."""

    def forward(self, inputs):
        return self.cls_seg(inputs[0])


class DamageFirstPlainHead(DamageFirstPrediction, PlainHead):
    pass


def test_another_decode_head_predicts_damage_first_and_says_its_damage_probability():
    torch.manual_seed(0)
    options = dict(in_channels=4, channels=4, num_classes=16,
                   loss_decode=dict(type='ClassWeightedDiceCELoss'))
    plain = PlainHead(**options).eval()
    head = DamageFirstPlainHead(damage_threshold=0.3, **options).eval()
    head.load_state_dict(plain.state_dict())
    features = [torch.randn(2, 4, 8, 8)]
    metas = [dict(img_shape=(16, 16), pad_shape=(16, 16))] * 2
    logits = plain.predict(features, metas, {})
    predicted = head.predict(features, metas, {})
    torch.testing.assert_close(predicted, damage_first_scores(logits, 0.3))
    p_damage = 1 - logits.softmax(dim=1)[:, 0]
    torch.testing.assert_close(head.damage_probability(predicted), p_damage)
    assert torch.equal(predicted.argmax(dim=1) > 0, head.damage_probability(predicted) > 0.3)
    for threshold in (0.01, 0.5, 0.99):  # whatever threshold the scores were made with
        torch.testing.assert_close(
            damage_probability(damage_first_scores(logits, threshold), threshold), p_damage)
