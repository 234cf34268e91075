#!/usr/bin/env bash
# Runs Lensmith Studio in a real window under Xvfb on the shipped face paint and the sample
# photo, waits for its first frame, takes a screenshot of the screen with ImageMagick's
# `import`, and checks it: the preview must show the photo with the paint on it.
#
#   studio/scripts/screenshot.sh [OUT.png] [extra lensmith-studio arguments...]
#
# STUDIO_SCREENSHOT_SOURCE plays another source (a video) instead of the photo, and
# STUDIO_SCREENSHOT_BUNDLE another bundle; the check runs only for the photo without extra
# arguments (it looks for the face paint's rainbow, so another bundle should fail it).
#
# Needs: xvfb-run and import (apt-get install -y xvfb imagemagick), a Vulkan driver for
# iced's wgpu renderer (mesa-vulkan-drivers gives lavapipe), and the face models
# (cargo xtask setup). Builds the studio first, into $CARGO_TARGET_DIR (default
# studio/target); the screenshot goes to $CARGO_TARGET_DIR/screenshots/studio.png unless named.
set -euo pipefail

studio=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root=$(dirname "$studio")
target=${CARGO_TARGET_DIR:-$studio/target}
out=${1:-$target/screenshots/studio.png}
shift || true
home=${LENSMITH_HOME:-$HOME/.cache/lensmith}
photo=$home/data/astronaut.png
source=${STUDIO_SCREENSHOT_SOURCE:-$photo}
bundle=${STUDIO_SCREENSHOT_BUNDLE:-$root/effects/face-paint}
timeout_s=${STUDIO_SCREENSHOT_TIMEOUT:-120}

for tool in xvfb-run import; do
    command -v "$tool" >/dev/null || {
        echo "screenshot.sh: $tool is missing; apt-get install -y xvfb imagemagick" >&2
        exit 2
    }
done
[ -f "$photo" ] || { echo "screenshot.sh: $photo is missing; run cargo xtask setup" >&2; exit 2; }

(cd "$studio" && CARGO_TARGET_DIR=$target cargo build --quiet --bin lensmith-studio --example check_screenshot)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"
# A config of its own: the user's recent list is left alone, and the window fills the screen.
printf '[window]\nwidth = 1600.0\nheight = 1000.0\n' > "$work/studio.toml"

# Inside the X server: start the studio, wait for its first frame, give it a moment to draw,
# then take the screenshot and close the studio.
cat > "$work/inside.sh" <<INSIDE
set -u
"$target/debug/lensmith-studio" --config "$work/studio.toml" --ready-file "$work/ready" \
    --bundle "$bundle" --source "$source" $* > "$work/studio.log" 2>&1 &
pid=\$!
for _ in \$(seq 1 $((timeout_s * 5))); do
    [ -f "$work/ready" ] && break
    kill -0 \$pid 2>/dev/null || { echo "the studio exited early:"; cat "$work/studio.log"; exit 1; }
    sleep 0.2
done
[ -f "$work/ready" ] || { echo "no frame after ${timeout_s} s:"; cat "$work/studio.log"; kill \$pid; exit 1; }
sleep 3
import -window root "$out"
kill \$pid
wait \$pid 2>/dev/null
exit 0
INSIDE

xvfb-run --auto-servernum -s "-screen 0 1600x1000x24" bash "$work/inside.sh"
echo "screenshot: $out ($(cat "$work/ready"))"
if [ $# -eq 0 ] && [ "$source" = "$photo" ]; then
    "$target/debug/examples/check_screenshot" "$out" --photo "$photo"
else
    # Other views (overlays, before/after, another source) change what is on screen.
    echo "screenshot.sh: extra arguments given, the screenshot is not checked"
fi
