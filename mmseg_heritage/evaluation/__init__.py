from .damage_threshold import best_damage_threshold, damage_probability_histograms
from .majority_baseline import majority_baseline
from .metrics import ArtefactMetric
from .run_comparison import comparison_rows, markdown_table, write_comparison
from .run_results import RunResults, load_run

__all__ = ['ArtefactMetric', 'RunResults', 'best_damage_threshold', 'comparison_rows',
           'damage_probability_histograms', 'load_run', 'majority_baseline', 'markdown_table',
           'write_comparison']
