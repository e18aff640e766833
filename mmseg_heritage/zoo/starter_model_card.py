"""The starter model's card (``checkpoints/starter/README.md``, written by
``tools/train_starter.py``): what it saw, its scores, the real photographs, its limits.

What it trained on and how comes from its config (``photo_scans``, the schedule, the loss), so
the card follows the recipe when the recipe changes.
"""
from pathlib import Path
from typing import Dict, Optional

from mmengine.config import Config

from ..class_names import CLASSES
from ..evaluation.damage_threshold import DamageThreshold
from ..evaluation.kind_bias import KindBias
from ..visualization.model_card import model_card


# How a class-weights file weights the classes (datasets/preparation/class_weights.py).
WEIGHTING_WORDS = dict(
    inverse='the inverse of their frequency', median='median frequency balancing',
    log='the inverse of the log of their frequency',
    sqrt_log='the inverse square root of the log of their frequency')


def loss_weights(cfg: Config) -> str:
    """The class weights of the model's loss, in words."""
    loss = cfg.model.decode_head.loss_decode
    weights = loss.get('class_weight')
    if weights is None:
        return 'no class weights'
    if isinstance(weights, str):
        method = loss.get('weighting')
        return f'classes weighted by {WEIGHTING_WORDS[method]}' if method in WEIGHTING_WORDS \
            else 'class-weighted'
    if len(set(weights[1:])) > 1:
        return 'class-weighted'
    return f"every damage class weighing {weights[1]:g} to Clean's {weights[0]:g}"


def model_words(cfg: Config) -> str:
    """What the network is, in words: its encoder and decoder, from the config."""
    backbone, head = cfg.model.backbone, cfg.model.decode_head
    if backbone.type == 'TimmPyramidBackbone':
        network = backbone.model_name.replace('tf_efficientnet_lite', 'EfficientNet-Lite')
        encoder = f"{'an' if network[0] in 'AEIOUaeiou' else 'a'} {network} encoder"
    else:
        encoder = f'a {backbone.type} of {backbone.get("num_stages", "")} levels'
    if 'UNetDecoderHead' in head.type:
        return f'{encoder} and a UNet decoder down to the full resolution'
    return encoder


def start_words(cfg: Config) -> str:
    """Where the training started: ImageNet weights (and their source) or random ones."""
    pretrained = cfg.model.backbone.get('pretrained') or cfg.model.get('pretrained')
    return f'from ImageNet weights (`{pretrained}`)' if pretrained else 'from scratch'


def damage_threshold_words(threshold: DamageThreshold) -> str:
    """What a model predicts with a chosen damage threshold, in words."""
    return (f'damage where its probability exceeds {threshold.value:g}, the threshold with the '
            f'best damage-against-clean IoU on the validation split ({100 * threshold.iou:.2f})')


def kind_bias_words(kind_bias: KindBias) -> str:
    """How a model names the kinds of damage with a chosen kind bias, in words."""
    names = CLASSES[1:] if len(kind_bias.values) == len(CLASSES) - 1 else \
        [f'class {index}' for index in range(1, len(kind_bias.values) + 1)]
    biases = ', '.join(f'{name} {value:+g}' for name, value in zip(names, kind_bias.values)
                       if value) or 'none'
    return ('each damaged pixel the kind most probable after a bias on the log-probabilities '
            f'({biases}), the bias with the best mean IoU of the damage classes on the '
            f'validation split ({100 * kind_bias.iou:.2f}, against '
            f'{100 * kind_bias.iou_without:.2f} without)')


def starter_model_card(name: str, cfg: Config, test_record: Dict, eval_record: Dict,
                       shares: Dict[str, float], digest: str, minutes: float,
                       threshold: Optional[DamageThreshold] = None,
                       kind_bias: Optional[KindBias] = None,
                       resumed_from: Optional[str] = None) -> str:
    """The starter model's card.

    Args:
        name (str): The model's name (its config's and checkpoint's file stem).
        cfg (Config): The config it was trained with (``photo_scans``: the recipe's data).
        test_record (dict): ``ArtefactMetric``'s record of the test split.
        eval_record (dict): ``ArtefactMetric``'s record of the evaluation scans.
        shares (dict): Predicted damaged share (%) of each real photograph, by its path.
        digest (str): SHA-256 of the published checkpoint.
        minutes (float): The minutes the whole recipe took (since it resumed, for a resumed
            run).
        threshold (DamageThreshold, optional): The damage threshold chosen on the validation
            split, if the model predicts damage first.
        kind_bias (KindBias, optional): The kind bias chosen there, if any.
        resumed_from (str, optional): The checkpoint a resumed run went on from.

    Returns:
        str: Markdown with Hugging Face's model-card metadata.
    """
    recipe = cfg.photo_scans
    photos = '\n'.join(f'| {photo} | {share:.2f} |' for photo, share in shares.items())
    never_right = ', '.join(name for name, scores in test_record['overall']['classes'].items()
                            if scores['present'] and not scores['IoU']) or 'none'
    predicts = f'; it predicts {damage_threshold_words(threshold)}' if threshold else ''
    if kind_bias:
        predicts += f', and gives {kind_bias_words(kind_bias)}'
    took = (f'{minutes} minutes since it resumed from `{Path(resumed_from).name}`'
            if resumed_from else f'{minutes} minutes for the whole recipe')
    clean = (f"; {100 * recipe.get('page_share', 0):.0f} % are pages of graphic design "
             '(posters, packaging, printed pages) and '
             f"{100 * recipe.get('clean_content_share', 0):.0f} % of the others have print, "
             'lettering, hard shadows or dark and strongly coloured areas drawn in, none of it damage'
             if recipe.get('fonts') else '')
    sections = [
        ('What it saw', f"""
{recipe.num_images} synthetic scans (up to {recipe.size} px) of real photographs, made by
`tools/train_starter.py` from `configs/starter/{name}.py`: the photographs of
{', '.join(f'`{c}`' for c in recipe.content)} at their own sharpness, most of them turned
into old prints (monochrome or faded colour, a tone, lifted blacks, vignetting; some with a
paper margin or burnt-out highlights, bright flat areas that are not damage){clean}, with
drawn cracks, folds, lost emulsion, scratches (some across the whole frame), single hairs and
dust specks, and real film damage (dust, dirt, hair, scratches, stains:
{', '.join(f'`{c}`' for c in recipe.cutouts)}, the ARTeFACT authors' cut-outs) pasted in;
{100 * recipe.clean_share:.0f} % of the scans are clean. Damage is labelled only where it
visibly changed the image. Each photograph fed one split only. It is {model_words(cfg)},
trained {start_words(cfg)} for {cfg.train_cfg.max_iters} iterations of
{cfg.train_dataloader.batch_size} crops of {cfg.crop_size[0]} px on a CPU ({took}), Dice + cross-entropy ({loss_weights(cfg)}){predicts}.
File `{name}.pth`, SHA-256 `{digest}`.
"""),
        ('Use', f"""
```bash
python tools/infer.py checkpoints/starter/{name}.py checkpoints/starter/{name}.pth \\
    my_scans/ --out-dir damage_maps
```
It writes a mask of class ids, an overlay and the damaged share of every scan. It predicts
at the scan's own resolution, tile by tile.
"""),
        ('~On real photographs', f"""
Predicted damaged share (% of the photograph) of the twelve real photographs in
`resources/real_photos` (`old/`: mostly intact, some of them among the training content;
`old_w_scratch/`: cracks, folds and losses, never trained on). No hand-made masks exist for
them, so these are predictions only; `real_photos.png` shows the maps.

| photograph | predicted damaged % |
|---|---:|
{photos}
"""),
        ('~Limits', f"""
- It has seen photographs only, and only the damage listed above: material loss, peel,
  writing, stamps, stickers, punctures, burns and light leaks of other artefacts it does not
  know (those classes are never predicted on purpose).
- The scores above are on synthetic scans. On real photographs it finds best the damage
  that looks like the drawn and pasted one: cracks and scratches brighter or darker than
  their surroundings, specks; faint folds, the finest cracks and losses that blend with the
  picture are often missed.
- Which damage class it names is less reliable than whether a pixel is damaged: cracks,
  scratches and hair look alike at this scale (cracks are often named Scratch). Classes
  present in the test split that it never predicted right there: {never_right}.
- Training data licences: the film damage and the old photographs are MIT; the photographs
  of scikit-image, scikit-learn and matplotlib, the Debian wallpapers and fonts keep their
  own licences (see their packages); none of them is redistributed here.
"""),
    ]
    return model_card(
        name, 'Finds damage on photographs of artefacts (cracks, folds, lost emulsion, '
        f'scratches, dust, dirt, hair, stains) and runs on a CPU: {model_words(cfg)}, for '
        '[mmseg-heritage](../../README.md), MMSegmentation 1.x.', sections,
        [('Test split (scans of photographs not trained on)', test_record),
         ('Evaluation scans (another seed, the same held-out photographs)', eval_record)],
        metric=dict(name='mIoU (synthetic photo scans, test split)', dataset='photo_scans',
                    value=test_record['overall']['mIoU']))
