#!/usr/bin/env bash
# The starter model's recipe (configs/starter/) trains on, among others, the photographic
# wallpapers of two Debian packages; `make starter` runs this to install them when missing.
# As root on Debian or Ubuntu it installs them with apt-get; elsewhere it says what is missing.
set -euo pipefail
packages=()
[ -d /usr/share/wallpapers/Altai ] || packages+=(plasma-workspace-wallpapers)
[ -d /usr/share/backgrounds/mate/nature ] || packages+=(mate-backgrounds)
[ ${#packages[@]} -eq 0 ] && { echo "starter photographs: Debian wallpapers are installed"; exit 0; }
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing ${packages[*]} (the starter model's wallpaper photographs)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
else
    echo "install_starter_photos.sh: the starter recipe needs the Debian packages ${packages[*]}" \
         "(/usr/share/wallpapers, /usr/share/backgrounds/mate/nature); install them as root" \
         "(apt-get install ${packages[*]}) or drop them from photo_scans.content in the config" >&2
    exit 1
fi
