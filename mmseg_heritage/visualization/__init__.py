from .artefact_visualizer import ArtefactVisualizer
from .damage_overlay import damage_overlay
from .prediction_grid import colourise, save_prediction_grid

__all__ = ['ArtefactVisualizer', 'colourise', 'damage_overlay', 'save_prediction_grid']
