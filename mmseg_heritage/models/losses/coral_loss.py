"""Deep CORAL (Sun and Saenko, ECCV 2016 workshops): align second-order feature statistics.

For two domains with feature matrices ``X_s`` (``n_s x d``) and ``X_t`` (``n_t x d``) the
loss is::

    CORAL = ||C_s - C_t||_F^2 / (4 d^2),   C = (X - mean(X))^T (X - mean(X)) / (n - 1)

With ``k > 2`` domains present it is the mean over the ``k (k - 1) / 2`` pairs, computed
through the identity ``sum_{a<b} ||C_a - C_b||^2 = k sum_a ||C_a - C_mean||^2``: one
deviation per domain instead of one difference per pair, so memory grows with ``k d^2``,
not ``k^2 d^2``, and nothing cancels numerically. Covariances ignore the means, so features
that differ by a shift per domain score 0.
"""
import torch
import torch.nn as nn
from mmseg.registry import MODELS


def covariance(features: torch.Tensor) -> torch.Tensor:
    """Unbiased covariance ``d x d`` of ``n >= 2`` feature vectors ``n x d``."""
    centred = features - features.mean(0, keepdim=True)
    return centred.T @ centred / (features.shape[0] - 1)


@MODELS.register_module()
class CoralLoss(nn.Module):
    """CORAL distance between the feature covariances of the domains in a batch.

    Args:
        loss_weight (float): Factor of the loss. Deep CORAL picks it so that the CORAL and
            the segmentation losses end training on a similar scale. Defaults to 1.0.
        loss_name (str): Key of the loss in mmseg's loss dict; must start with ``'loss_'`` so
            mmseg adds it to the total it back-propagates. Defaults to ``'loss_coral'``.
    """

    def __init__(self, loss_weight: float = 1.0, loss_name: str = 'loss_coral') -> None:
        super().__init__()
        if not loss_name.startswith('loss_'):
            raise ValueError(f"loss_name must start with 'loss_' (mmseg only back-propagates "
                             f'such keys), got {loss_name!r}')
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self, features: torch.Tensor, domains: torch.Tensor) -> torch.Tensor:
        """Mean CORAL distance over the pairs of domains present.

        Args:
            features (Tensor): Feature vectors, shape (n, d), e.g. pixels of a feature map.
            domains (Tensor): Integer domain id of each vector, shape (n,).

        Returns:
            Tensor: The scalar loss. Domains with fewer than two vectors have no covariance
            and take no part; with fewer than two domains left the loss is 0, still part of
            the graph (so distributed training sees the same parameters used on every rank).
        """
        if features.dim() != 2 or domains.shape != features.shape[:1]:
            raise ValueError(f'expected features n x d and one domain id per row, got '
                             f'features {tuple(features.shape)} and domains '
                             f'{tuple(domains.shape)}')
        # Covariances of wide features under bfloat16 autocast lose most of their digits.
        with torch.autocast(features.device.type, enabled=False):
            features = features.to(torch.promote_types(features.dtype, torch.float32))
            ids, counts = domains.unique(return_counts=True)
            covariances = [covariance(features[domains == i]) for i in ids[counts > 1]]
            if len(covariances) < 2:
                return features.sum() * 0
            covariances = torch.stack(covariances)
            k, d = covariances.shape[:2]
            spread = (covariances - covariances.mean(0)).pow(2).sum()
            # Mean over pairs: k * spread / (k (k - 1) / 2), each pair divided by 4 d^2.
            return self.loss_weight * 2 * spread / (k - 1) / (4 * d * d)

    @property
    def loss_name(self) -> str:
        """Key of this loss in the loss dict."""
        return self._loss_name
