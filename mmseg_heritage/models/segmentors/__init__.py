from .coral_encoder_decoder import CoralEncoderDecoder
from .tent_segmentor import TentSegmentor

__all__ = ['CoralEncoderDecoder', 'TentSegmentor']
