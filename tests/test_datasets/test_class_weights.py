import json

import numpy as np
import pytest

from mmseg_heritage.datasets.preparation import class_weights_record, compute_class_weights
from mmseg_heritage.utils.class_weights_file import (DEFAULT_METHOD, WEIGHTING_METHODS,
                                                     load_class_weights)

# ARTeFACT's pixel shares in % (ARTEFACT.md; the classes it does not list filled in small).
REAL_SHARE = np.array([86.3, 3.6, 4.8, 0.3, 0.2, 0.007, 0.3, 0.8, 0.3, 0.6, 1.0, 0.1, 0.1, 0.05,
                       0.001, 0.7])
REAL_COUNTS = (REAL_SHARE * 1e6).astype(np.int64)


@pytest.mark.parametrize('method', WEIGHTING_METHODS)
def test_weights_rise_with_rarity_and_are_not_all_equal(method):
    weights = compute_class_weights(REAL_COUNTS, method)
    assert len(set(np.round(weights, 6))) > 3
    assert weights[0] == weights.min()  # Clean, the most common, weighs least
    order = np.argsort(REAL_COUNTS)
    assert np.all(np.diff(weights[order]) <= 1e-9)  # never heavier for a commoner class
    assert np.all((weights >= 0.05) & (weights <= 50))


def test_formulas_on_hand_counts():
    counts = [600, 300, 100] + [0] * 13
    share = np.array([0.6, 0.3, 0.1])
    inverse = compute_class_weights(counts, 'inverse', clip=(0, 1e9))
    assert np.allclose(inverse[:3], (1 / share) / np.sum(share * (1 / share)))
    median = compute_class_weights(counts, 'median', clip=(0, 1e9))
    assert np.allclose(median[:3], 0.3 / share)
    log = compute_class_weights(counts, 'log', clip=(0, 1e9))
    raw = 1 / np.log(1.02 + share)
    assert np.allclose(log[:3], raw / np.sum(share * raw))
    assert np.sum(share * log[:3]) == pytest.approx(1)  # the loss keeps its scale
    sqrt_log = compute_class_weights(counts, 'sqrt_log', clip=(0, 1e9))
    raw = 1 / np.sqrt(np.log(1.02 + share))
    assert np.allclose(sqrt_log[:3], raw / np.sum(share * raw))
    # Absent classes take the upper clip.
    assert np.all(compute_class_weights(counts, 'log', clip=(0.1, 7))[3:] == 7)


def test_default_is_log_and_json_round_trip(tmp_path):
    assert DEFAULT_METHOD == 'log'
    path = tmp_path / 'class_weights.json'
    path.write_text(json.dumps(class_weights_record(REAL_COUNTS)))
    assert load_class_weights(path) == pytest.approx(
        compute_class_weights(REAL_COUNTS, 'log').tolist(), rel=1e-5)
    assert load_class_weights(str(path), 'median')[0] == pytest.approx(0.05)
    (tmp_path / 'list.json').write_text(json.dumps([1.0] * 16))
    assert load_class_weights(tmp_path / 'list.json') == [1.0] * 16
    assert load_class_weights([2] * 16) == [2.0] * 16


@pytest.mark.parametrize('content, method, problem', [
    ('[1, 2]', None, '2 class weights, expected 16'),
    ('{"weights": {"log": []}}', 'sqrt', "no class weights for method 'sqrt'"),
    ('{not json', None, 'not valid JSON'),
])
def test_bad_weight_files_are_named(tmp_path, content, method, problem):
    path = tmp_path / 'w.json'
    path.write_text(content)
    with pytest.raises(ValueError, match=problem) as error:
        load_class_weights(path, method)
    assert 'w.json' in str(error.value)


def test_bad_counts_and_methods():
    with pytest.raises(ValueError, match='all zero'):
        compute_class_weights([0] * 16)
    with pytest.raises(ValueError, match='unknown class weighting'):
        compute_class_weights([1] * 16, 'sqrt')
