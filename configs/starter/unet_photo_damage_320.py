# The starter model: finds damage on photographs (cracks, folds, lost emulsion, scratches,
# dust, dirt, hair, stains) and runs on a CPU. A UNet of five levels (16-256 channels, 1.9 M
# parameters) trained from scratch at full resolution, because thin damage is a pixel or two
# wide, on synthetic scans of real photographs (see datasets/preparation/synthetic/
# photo_scans.py) with real damage pasted in from the damage bank. `make starter` prepares the
# data and trains it (tools/train_starter.py); the trained model is in checkpoints/starter/.
_base_ = ['../_base_/default_runtime.py', '../_base_/schedules/demo_cpu.py']
# Everything the recipe makes lives under data_root: the scans, the damage bank and the
# evaluation scans.
data_root = 'data/starter'
# What model cards and the model zoo say about the data (tools/publish_model.py, model_zoo.py).
dataset_card = dict(
    name='synthetic scans of photographs (the starter recipe)', licence='other',
    note='The film damage and old photographs are MIT-licensed; the photographs of '
    'scikit-image, scikit-learn, matplotlib and the Debian wallpapers keep their own licences.')
damage_bank = f'{data_root}/damage_bank'
crop_size = (320, 320)
# The recipe's data, made by tools/train_starter.py: where the photographs come from (the
# old photographs in this repository, photographs scikit-image, scikit-learn and matplotlib
# ship, and the photographic wallpapers of Debian's plasma-workspace-wallpapers and
# mate-backgrounds packages), the real damage pasted in, and how many scans of what size.
# Each photograph feeds one split only; the evaluation set is new scans of the test ones.
photo_scans = dict(
    content=['resources/real_photos/old', 'skimage', 'sklearn', 'matplotlib',
             '/usr/share/wallpapers/*/contents/images*/*',
             '/usr/share/backgrounds/mate/nature/*'],
    cutouts=['resources/real_damage'],
    num_images=1500, size=512, clean_share=0.3, seed=0,
    evaluation_root=f'{data_root}/evaluation')

norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size_divisor=16,
        # Photographs of any size at test time too (MMSeg's inference_model, tools/test.py):
        # padded to the UNet's multiple of 16, and the padding cropped off the prediction.
        test_cfg=dict(size_divisor=16)),
    pretrained=None,
    backbone=dict(
        type='UNet', in_channels=3, base_channels=16, num_stages=5, strides=(1, 1, 1, 1, 1),
        enc_num_convs=(2, 2, 2, 2, 2), dec_num_convs=(2, 2, 2, 2),
        downsamples=(True, True, True, True), enc_dilations=(1, 1, 1, 1, 1),
        dec_dilations=(1, 1, 1, 1), with_cp=False, conv_cfg=None, norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'), upsample_cfg=dict(type='InterpConv'), norm_eval=False),
    # FCNHead that predicts damage where the damage classes together outweigh Clean, then
    # names its most probable kind: the probability of a thin crack is shared among Cracks,
    # Scratch and Hair, which look alike, and a plain argmax left it all Clean. make starter
    # then sets its damage_threshold to the one with the best damage IoU on the val split.
    decode_head=dict(
        type='DamageFirstFCNHead', in_channels=16, in_index=4, channels=16, num_convs=1,
        concat_input=False, dropout_ratio=0.1, num_classes=16, norm_cfg=norm_cfg,
        align_corners=False,
        # Dice + cross-entropy without class weights: Dice (F1 per class) gives thin damage its
        # due, and unweighted, the damaged area it predicts stays near the true one (rarity
        # weights trade that precision for recall and paint damage over real photographs).
        loss_decode=dict(type='ClassWeightedDiceCELoss', class_weight=None)),
    train_cfg=dict(),
    # Whole scans at their own resolution; tools/infer.py tiles large ones.
    test_cfg=dict(mode='whole'))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadArtefactAnnotations'),
    # More real damage, pasted anew every time an image is drawn.
    dict(type='DamageCopyPaste', bank=damage_bank, prob=0.5, num_instances=(1, 3),
         scale=(0.3, 1.2)),
    dict(type='RandomCrop', crop_size=crop_size),
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
# bfloat16 autocast: twice as fast as float32 on CPUs with AVX-512 BF16 or AMX (the build
# machine's AMD EPYC), where 1200 iterations take about 40 minutes on 2 cores. Weights, the
# optimizer and inference stay float32.
optim_wrapper = dict(type='BF16OptimWrapper')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, begin=0, end=100, by_epoch=False),
    dict(type='PolyLR', eta_min=1e-5, power=0.9, begin=100, end=max_iters, by_epoch=False)]
train_cfg = dict(max_iters=max_iters, val_interval=400)
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=400))
