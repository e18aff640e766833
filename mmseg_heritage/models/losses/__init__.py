from .coral_loss import CoralLoss
from .dice_ce_loss import ClassWeightedDiceCELoss

__all__ = ['ClassWeightedDiceCELoss', 'CoralLoss']
