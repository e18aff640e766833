"""MMEngine formats each config text once (engine/config_text.py): the text yapf gives,
without formatting the same config again, and a changed config formatted anew."""
from mmengine.config import Config
from mmengine.config import config as mmengine_config
from yapf.yapflib import yapf_api

from helpers import REPO, STARTER_NAME

STARTER = REPO / f'configs/starter/{STARTER_NAME}.py'
# MMEngine's style (mmengine/config/config.py, Config.pretty_text)
STYLE = dict(based_on_style='pep8', blank_line_before_nested_class_or_def=True,
             split_before_expression_after_opening_paren=True)


def test_a_config_is_formatted_once_as_yapf_formats_it():
    cfg = Config.fromfile(STARTER)
    cfg.model.decode_head.damage_threshold = 0.123456  # a text no other test formats
    formatted = mmengine_config.FormatCode.cache_info
    before = formatted()
    text = cfg.pretty_text
    assert formatted().misses == before.misses + 1
    for _ in range(3):  # logged, dumped, saved with a checkpoint: yapf is not asked again
        assert cfg.pretty_text == text
    assert formatted().misses == before.misses + 1 and formatted().hits == before.hits + 3
    plain = Config(cfg.to_dict(), format_python_code=False).pretty_text
    assert text == yapf_api.FormatCode(plain, style_config=STYLE)[0]
    assert 'damage_threshold=0.123456' in text


def test_a_changed_config_is_formatted_anew():
    cfg = Config.fromfile(STARTER)
    first = cfg.pretty_text
    cfg.model.decode_head.damage_threshold = 0.654321
    second = cfg.pretty_text
    assert 'damage_threshold=0.654321' in second and 'damage_threshold=0.654321' not in first
    assert Config.fromstring(second, '.py').model.decode_head.damage_threshold == 0.654321
