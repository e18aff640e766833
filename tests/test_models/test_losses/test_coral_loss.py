import itertools

import numpy as np
import pytest
import torch
from mmseg.registry import MODELS

import mmseg_heritage  # noqa: F401  registers the project's components
from mmseg_heritage.models.losses import CoralLoss


def reference(features: np.ndarray, domains: np.ndarray) -> float:
    """Deep CORAL's formula, pair by pair with numpy's covariance, averaged over the pairs."""
    covariances = [np.cov(features[domains == d], rowvar=False) for d in np.unique(domains)]
    d = features.shape[1]
    return float(np.mean([((a - b)**2).sum() / (4 * d * d)
                          for a, b in itertools.combinations(covariances, 2)]))


@pytest.fixture
def features():
    return torch.randn(50, 6, generator=torch.Generator().manual_seed(0), dtype=torch.float64)


def two_domains(first: torch.Tensor, second: torch.Tensor):
    return (torch.cat([first, second]),
            torch.cat([torch.zeros(len(first)), torch.ones(len(second))]).long())


@pytest.mark.parametrize('transform', [
    lambda x: x,
    lambda x: x + torch.tensor([3.0, -1.0, 0.5, 10.0, 0.0, 2.0], dtype=x.dtype),  # mean shift
    lambda x: x.flip(0),  # the same vectors in another order
])
def test_zero_for_identical_feature_statistics(features, transform):
    loss = CoralLoss()(*two_domains(features, transform(features)))
    assert abs(loss.item()) < 1e-12


def test_matches_the_formula_and_is_positive_for_different_statistics(features):
    generator = torch.Generator().manual_seed(1)
    mixing = torch.randn(6, 6, generator=generator, dtype=torch.float64)
    other = torch.randn(40, 6, generator=generator, dtype=torch.float64) @ mixing
    third = 3 * torch.randn(30, 6, generator=generator, dtype=torch.float64)
    for parts in ([features, other], [features, other, third]):
        stacked = torch.cat(parts)
        domains = torch.cat([torch.full((len(part), ), i) for i, part in enumerate(parts)])
        loss = CoralLoss(loss_weight=2.0)(stacked, domains)
        assert loss.item() > 0
        assert loss.item() == pytest.approx(2 * reference(stacked.numpy(), domains.numpy()))


def test_gradients_flow_to_the_features(features):
    features = features.clone().requires_grad_(True)
    CoralLoss()(*two_domains(features[:25], 2 * features[25:])).backward()
    assert features.grad.abs().sum() > 0


def test_zero_with_a_graph_when_fewer_than_two_domains_have_a_covariance(features):
    features = features.float().requires_grad_(True)
    # One domain with 49 vectors, one with a single vector (no covariance).
    domains = torch.zeros(50, dtype=torch.long)
    domains[0] = 1
    loss = CoralLoss()(features, domains)
    assert loss.item() == 0 and loss.requires_grad
    loss.backward()  # part of the graph, so distributed training does not wait for it
    assert torch.equal(features.grad, torch.zeros_like(features))


def test_float32_under_bfloat16_autocast(features):
    with torch.autocast('cpu', dtype=torch.bfloat16):
        loss = CoralLoss()(*two_domains(features[:25].float(), 2 * features[25:].float()))
    assert loss.dtype == torch.float32


def test_built_from_the_registry_with_its_name():
    loss = MODELS.build(dict(type='CoralLoss', loss_weight=0.5))
    assert loss.loss_name == 'loss_coral' and loss.loss_weight == 0.5
    with pytest.raises(ValueError, match="start with 'loss_'"):
        CoralLoss(loss_name='coral')
