from .damage_threshold import (DamageThreshold, best_damage_threshold, calibrate_damage_threshold,
                               damage_probability_histograms, predicts_damage_first,
                               set_damage_threshold)
from .majority_baseline import majority_baseline
from .metrics import ArtefactMetric
from .run_comparison import comparison_rows, markdown_table, write_comparison
from .run_results import RunResults, load_run

__all__ = ['ArtefactMetric', 'DamageThreshold', 'RunResults', 'best_damage_threshold',
           'calibrate_damage_threshold', 'comparison_rows', 'damage_probability_histograms',
           'load_run', 'majority_baseline', 'markdown_table', 'predicts_damage_first',
           'set_damage_threshold', 'write_comparison']
