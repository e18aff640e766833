# Deep CORAL (Sun and Saenko, 2016) on the baseline: training adds a loss that pulls together
# the feature covariances of the materials in each batch, so that features do not encode the
# material and carry over to unseen ones. Prediction and parameter names are the baseline's.
_base_ = ['./unet_s_synthetic_160_baseline.py']
model = dict(
    type='CoralEncoderDecoder',
    # Deep CORAL weighs the loss so that it counts beside the task loss. With weight 1 it
    # stayed near 0.003 against a segmentation loss near 4 in a short run on 64 px synthetic
    # images; 100 gives it a say. Untuned.
    coral_loss=dict(type='CoralLoss', loss_weight=100.0),
    # The features the decode head classifies (the UNet's last, full-resolution map); pixels,
    # not pooled images, because a batch of 8 holds one or two images per material.
    coral_in_index=-1,
    coral_pixels_per_image=1024,  # a random 1024 of each image's 160 x 160 pixels
    domain_key='material')  # 'content' for the leave-one-content-out protocol
