"""Each config's text formatted once, applied when the plugin loads.

MMEngine formats a config with yapf every time it writes it out: the runner logs it, the
RuntimeInfoHook keeps it, the visualiser's backends and ``dump_config`` write it, and every
checkpoint carries it. Each is a fresh ``FormatCode`` call on the same text, 0.1-0.5 s for our
configs: seconds at every ``tools/train.py`` and ``tools/test.py`` start and at every checkpoint.
The text yapf is given depends only on the config's content, so its answer for a text is kept
(the last few) and given again: the same output, formatted once.
"""
import functools
import json

from mmengine.config import config as mmengine_config


def format_each_config_text_once() -> None:
    """Make MMEngine's ``Config.pretty_text`` reuse yapf's answer for a text it formatted
    before (a config that changed is a new text, formatted anew)."""
    format_code = mmengine_config.FormatCode
    if getattr(format_code, 'formats_once', False):
        return

    @functools.lru_cache(maxsize=8)
    def formatted(text: str, style: str, options: tuple) -> tuple:
        return format_code(text, style_config=json.loads(style), **dict(options))

    @functools.wraps(format_code)
    def format_once(text: str, style_config=None, **options) -> tuple:
        return formatted(text, json.dumps(style_config, sort_keys=True),
                         tuple(sorted(options.items())))

    format_once.formats_once = True
    format_once.cache_info = formatted.cache_info
    mmengine_config.FormatCode = format_once
