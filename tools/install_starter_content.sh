#!/usr/bin/env bash
# What the starter model's recipe (configs/starter/) trains on beside the repository's own
# photographs, from Debian packages: the photographic wallpapers of two of them, and fonts for
# the clean print, lettering and graphic design it must learn are not damage (printed faces,
# handwriting and display faces). `make starter` runs this to install what is missing. As root
# on Debian or Ubuntu it installs them with apt-get; elsewhere it says what is missing.
set -euo pipefail
photos=(plasma-workspace-wallpapers mate-backgrounds)
fonts=(fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 fonts-urw-base35 fonts-freefont-ttf
       fonts-lato fonts-linuxlibertine fonts-cantarell fonts-open-sans fonts-roboto
       fonts-sil-charis fonts-comic-neue fonts-dancingscript fonts-humor-sans fonts-breip
       fonts-dkg-handwriting fonts-oflb-euterpe)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
if command -v dpkg-query >/dev/null; then
    for package in "${photos[@]}" "${fonts[@]}"; do installed "$package" || missing+=("$package"); done
else  # not Debian: judge by the folders the config reads
    [ -d /usr/share/wallpapers/Altai ] || missing+=(plasma-workspace-wallpapers)
    [ -d /usr/share/backgrounds/mate/nature ] || missing+=(mate-backgrounds)
    [ -d /usr/share/fonts/truetype/dejavu ] || missing+=("${fonts[@]}")
fi
[ ${#missing[@]} -eq 0 ] && { echo "starter content: the Debian wallpapers and fonts are installed"; exit 0; }
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing ${missing[*]} (the starter model's photographs and fonts)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "install_starter_content.sh: the starter recipe needs the Debian packages ${missing[*]}" \
         "(/usr/share/wallpapers, /usr/share/backgrounds/mate/nature, /usr/share/fonts); install" \
         "them as root (apt-get install ${missing[*]}), or drop them from photo_scans.content" \
         "and photo_scans.fonts in the config" >&2
    exit 1
fi
