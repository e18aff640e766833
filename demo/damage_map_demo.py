"""One scan, one picture: the photograph beside its damage map, with each damage's area.

    python demo/damage_map_demo.py IMAGE CONFIG CHECKPOINT [--out-file damage_map.png]

Built on MMSeg's inferencer (mmseg_heritage.apis.DamageInferencer: large scans are predicted
tile by tile). For whole collections, with masks and a CSV report, use tools/infer.py.
"""
import argparse
from pathlib import Path

import matplotlib

matplotlib.use('Agg')  # noqa: E402  writes files; needs no display
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

import mmseg_heritage  # noqa: E402,F401  registers the plugin's components
from mmseg_heritage.apis import DamageInferencer, area_percent, read_image  # noqa: E402
from mmseg_heritage.utils import atomic_path  # noqa: E402
from mmseg_heritage.visualization import damage_overlay  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('image', help='image file')
    parser.add_argument('config', help='config file the model was trained with')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out-file', default='damage_map.png', help='picture to write')
    parser.add_argument('--device', default=None, help='e.g. cpu or cuda:0')
    parser.add_argument('--opacity', type=float, default=0.6, help='damage colour weight')
    args = parser.parse_args(argv)

    inferencer = DamageInferencer(args.config, args.checkpoint, device=args.device)
    image = read_image(args.image)
    mask = inferencer.predict(image)
    overlay = damage_overlay(image, mask, inferencer.palette, args.opacity)
    shares = area_percent(mask, inferencer.classes)

    figure, axes = plt.subplots(1, 2, figsize=(12, 6), constrained_layout=True)
    for axis, picture, title in ((axes[0], image, Path(args.image).name),
                                 (axes[1], overlay, 'Predicted damage')):
        axis.imshow(picture[..., ::-1])  # BGR -> RGB
        axis.set_title(title)
        axis.axis('off')
    legend = [Patch(color=[c / 255 for c in inferencer.palette[index]],
                    label=f'{name}: {shares[name]:.2f} %')
              for index, name in enumerate(inferencer.classes)
              if shares[name] > 0 and name != 'Clean']
    axes[1].legend(handles=legend or [Patch(color='white', label='no damage found')],
                   loc='upper left', bbox_to_anchor=(1.01, 1), title='Area of the image')
    with atomic_path(args.out_file) as partial:
        figure.savefig(partial, dpi=100)
    print(f'wrote {args.out_file}')


if __name__ == '__main__':
    main()
