#!/usr/bin/env bash
# Make the "Noto Sans Marks" fonts (src/ttdn/core/static/ttdn/fonts/noto-sans-marks-*.woff2).
#
# The @fontsource subsets of Noto Sans carry no free-standing combining marks (U+0302 circumflex,
# U+0306 breve …), so the Jarai/Bahnar letter ô̆ (ô + combining breve) fell back to a system font that
# does not stack the breve over the circumflex. These files are Noto Sans (SIL OFL 1.1, see
# ../fonts/OFL-noto-sans.txt) from Debian's fonts-noto-core, cut to Latin with every combining mark and the
# mark-to-base / mark-to-mark positioning kept; fonts.css declares them (scripts/vendor-assets.sh writes the
# @font-face rules) and the stylesheets list them right after "Noto Sans", so the browser
# only fetches them for text that needs them. Run by hand, review, commit; NOT run at install or test time.
#
# Needs: apt-get, dpkg-deb, python3 with fonttools and brotli (pip install fonttools brotli).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$REPO/src/ttdn/core/static/ttdn/fonts"
WORK=$(mktemp -d /tmp/ttdn-marks.XXXXXX)
(cd "$WORK" && apt-get download fonts-noto-core && dpkg-deb -x fonts-noto-core_*.deb x)
for pair in Regular:400 Bold:700; do
  name=${pair%%:*}
  weight=${pair##*:}
  pyftsubset "$WORK/x/usr/share/fonts/truetype/noto/NotoSans-$name.ttf" \
    --unicodes="U+0000-024F,U+0250-02FF,U+0300-036F,U+1DC0-1DFF,U+1E00-1EFF,U+2000-206F,U+20AB" \
    --layout-features='ccmp,locl,mark,mkmk,kern,liga' --flavor=woff2 \
    --output-file="$OUT/noto-sans-marks-$weight-normal.woff2"
done
echo "Wrote $OUT/noto-sans-marks-{400,700}-normal.woff2"
