# POC-5.5 with a Swin-Tiny backbone: hierarchical_upernet_convnext_tiny_256.py (256 px crops,
# losses, curriculum, schedule) with the backbone of configs/_base_/models/upernet_swin_tiny.py.
# Needs ARTeFACT converted to data/artefact. Pretrained weights: timm's
# swin_tiny_patch4_window7_224.ms_in22k model.safetensors, downloaded by the user and given as
# a local path: --cfg-options model.pretrained=/path/model.safetensors. Nothing is downloaded.
_base_ = ['./hierarchical_upernet_convnext_tiny_256.py']
crop_size = (256, 256)
model = dict(
    backbone=dict(
        _delete_=True,
        type='TimmPyramidBackbone',
        model_name='swin_tiny_patch4_window7_224',
        # Windows planned for the training crop; any test size works (whole-image inference).
        img_size=crop_size,
        strict_img_size=False,
        drop_path_rate=0.3),
    decode_head=dict(in_channels=[96, 192, 384, 768]))
