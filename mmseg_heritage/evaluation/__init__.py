from .damage_threshold import (DamageThreshold, best_damage_threshold, calibrate_damage_threshold,
                               damage_probability_histograms, predicts_damage_first,
                               set_damage_threshold)
from .kind_bias import (DamagedPixels, KindBias, best_kind_bias, calibrate_kind_bias,
                        damaged_pixels, set_kind_bias)
from .majority_baseline import majority_baseline
from .metrics import ArtefactMetric
from .run_comparison import comparison_rows, markdown_table, write_comparison
from .run_results import RunResults, load_run

__all__ = ['ArtefactMetric', 'DamageThreshold', 'DamagedPixels', 'KindBias', 'RunResults',
           'best_damage_threshold', 'best_kind_bias', 'calibrate_damage_threshold',
           'calibrate_kind_bias', 'comparison_rows', 'damage_probability_histograms',
           'damaged_pixels', 'load_run', 'majority_baseline', 'markdown_table',
           'predicts_damage_first', 'set_damage_threshold', 'set_kind_bias', 'write_comparison']
