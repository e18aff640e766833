from .prediction_grid import colourise, save_prediction_grid

__all__ = ['colourise', 'save_prediction_grid']
