# POC-5.5 as reported (fine mIoU 20.9 %, binary 71.9 %, coarse 55.7 % in the seed project):
# hierarchical_upernet_convnext_tiny_256.py (256 px crops, losses, curriculum, schedule) with
# the MaxViT-Tiny backbone of configs/_base_/models/upernet_maxvit_tiny.py.
# Needs ARTeFACT converted to data/artefact. Pretrained weights: timm's
# maxvit_tiny_tf_384.in1k (pretrained_weights; relative position tables resized to 256 on
# loading), given as a local path: --cfg-options model.pretrained=/path/model.safetensors
# (tools/fetch_weights.py prints it). Training never downloads anything.
_base_ = ['./hierarchical_upernet_convnext_tiny_256.py']
pretrained_weights = ('https://huggingface.co/timm/maxvit_tiny_tf_384.in1k/'
                      'resolve/main/model.safetensors')
# MaxViT is built for one input size: train on crop_size, pad test images to at least one
# window and slide crop-sized windows over them.
crop_size = (256, 256)
model = dict(
    data_preprocessor=dict(
        size=crop_size, size_divisor=None, test_cfg=dict(size=crop_size, size_divisor=None)),
    backbone=dict(
        _delete_=True,
        type='TimmPyramidBackbone',
        model_name='maxvit_tiny_tf_384',
        img_size=crop_size,
        drop_path_rate=0.2),
    decode_head=dict(in_channels=[64, 128, 256, 512]),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(171, 171)))
