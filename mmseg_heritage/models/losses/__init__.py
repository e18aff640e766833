from .dice_ce_loss import ClassWeightedDiceCELoss

__all__ = ['ClassWeightedDiceCELoss']
