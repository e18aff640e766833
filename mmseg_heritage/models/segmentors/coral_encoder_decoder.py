from typing import List, Optional

import torch
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, SampleList
from torch import Tensor


@MODELS.register_module()
class CoralEncoderDecoder(EncoderDecoder):
    """``EncoderDecoder`` trained with a Deep CORAL loss that aligns the domains' features.

    In training, the pixels of one feature map (backbone, or neck when there is one) are
    grouped by each image's domain (its material, from the data sample's metainfo that
    ``PackArtefactInputs`` fills) and ``coral_loss`` pulls the groups' feature covariances
    together; it is added to the decode losses as ``loss_coral``. Pixels rather than one
    pooled vector per image: a batch holds few images per material, too few for a covariance
    of hundreds of channels, but thousands of pixels. Prediction is that of
    ``EncoderDecoder``, and so are the parameters, so checkpoints load either way between
    the two.

    Args:
        coral_loss (dict): Config of the alignment loss.
            Defaults to ``dict(type='CoralLoss', loss_weight=1.0)``.
        coral_in_index (int): Which of the feature maps to align, as a decode head's
            ``in_index``. Defaults to -1 (the last one).
        coral_pixels_per_image (int, optional): Pixels drawn at random from each image's
            feature map, to bound the cost on large maps. Defaults to None (all pixels).
        domain_key (str): Metainfo key naming each sample's domain: ``'material'`` for
            leave-one-material-out, ``'content'`` for leave-one-content-out.
            Defaults to ``'material'``.
        **kwargs: Passed to :class:`mmseg.models.segmentors.EncoderDecoder` (``backbone``,
            ``decode_head``, ``data_preprocessor``, ...).
    """

    def __init__(self,
                 coral_loss: ConfigType = dict(type='CoralLoss', loss_weight=1.0),
                 coral_in_index: int = -1,
                 coral_pixels_per_image: Optional[int] = None,
                 domain_key: str = 'material',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if coral_pixels_per_image is not None and coral_pixels_per_image < 2:
            raise ValueError(f'coral_pixels_per_image must be at least 2 (a covariance needs '
                             f'two samples), got {coral_pixels_per_image}')
        self.coral_loss = MODELS.build(coral_loss)
        self.coral_in_index = coral_in_index
        self.coral_pixels_per_image = coral_pixels_per_image
        self.domain_key = domain_key

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Decode (and auxiliary) losses plus the CORAL loss of a training batch.

        Args:
            inputs (Tensor): Input images, shape (N, C, H, W).
            data_samples (list[:obj:`SegDataSample`]): The samples, with ``gt_sem_seg`` and
                the ``domain_key`` metainfo.

        Returns:
            dict[str, Tensor]: The losses, ``loss_coral`` (the loss's ``loss_name``) among them.
        """
        x = self.extract_feat(inputs)
        losses = self._decode_head_forward_train(x, data_samples)
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(x, data_samples))
        losses[self.coral_loss.loss_name] = self.coral_loss(
            *self._pixels_by_domain(x[self.coral_in_index], data_samples))
        return losses

    def _pixels_by_domain(self, feature: Tensor,
                          data_samples: SampleList) -> List[Tensor]:
        """Pixel feature vectors (n x C) of the feature map and the domain id of each."""
        domains = [sample.metainfo.get(self.domain_key) for sample in data_samples]
        if None in domains:
            raise KeyError(f'CoralEncoderDecoder needs each sample\'s {self.domain_key!r} '
                           f'metainfo; pack the inputs with PackArtefactInputs')
        names = sorted(set(domains))
        domain_ids = torch.tensor([names.index(domain) for domain in domains],
                                  device=feature.device)

        pixels = feature.flatten(2).transpose(1, 2)  # N x (h w) x C
        num_pixels = pixels.shape[1]
        if self.coral_pixels_per_image and num_pixels > self.coral_pixels_per_image:
            chosen = torch.randperm(num_pixels, device=feature.device)
            pixels = pixels[:, chosen[:self.coral_pixels_per_image]]
        return [pixels.reshape(-1, pixels.shape[2]),
                domain_ids.repeat_interleave(pixels.shape[1])]
