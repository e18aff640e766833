from .artefact_visualizer import ArtefactVisualizer
from .class_distribution_chart import class_distribution_chart, read_statistics
from .class_scores_chart import class_scores_chart
from .collection_index_page import collection_index_page
from .comparison_chart import comparison_chart
from .condition_report_page import condition_report_page
from .confusion_heatmap import confusion_heatmap, normalise_rows
from .damage_map_sheet import DamageMap, damage_map_sheet
from .damage_overlay import damage_overlay
from .deep_zoom import DeepZoomWriter
from .figure_files import figure_png, save_figure
from .html_report import html_report
from .prediction_grid import colourise, error_map, prediction_grid, save_prediction_grid
from .training_curves import training_curves

__all__ = [
    'ArtefactVisualizer', 'DamageMap', 'DeepZoomWriter', 'class_distribution_chart',
    'class_scores_chart', 'collection_index_page', 'colourise', 'comparison_chart',
    'condition_report_page', 'confusion_heatmap', 'damage_map_sheet', 'damage_overlay',
    'error_map', 'figure_png', 'html_report', 'normalise_rows', 'prediction_grid',
    'read_statistics', 'save_figure', 'save_prediction_grid', 'training_curves'
]
