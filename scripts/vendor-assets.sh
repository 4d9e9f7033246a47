#!/usr/bin/env bash
# Refresh the vendored front-end assets (htmx, Jodit, Chart.js and the Noto fonts) from the npm registry.
#
# TTĐN must work fully offline, so every asset is committed under
# src/ttdn/core/static/ttdn/. This script is what produced them; it is NOT run at
# install or test time. Run it by hand on a machine that reaches registry.npmjs.org,
# review the diff, run tests/core/test_static_assets.py, and commit.
#
# Needs: bash, npm, tar, python3 (standard library only).
#
# Usage: scripts/vendor-assets.sh            (work dir defaults to a fresh mktemp dir)
#        WORK=/tmp/assets scripts/vendor-assets.sh
set -euo pipefail

# Pinned versions. htmx stays on the 2.x line (4.x is a different API).
HTMX_VERSION=2.0.11
NOTO_SANS_VERSION=5.3.0          # @fontsource/noto-sans
NOTO_SANS_LAO_VERSION=5.3.0      # @fontsource/noto-sans-lao
NOTO_SANS_KHMER_VERSION=5.3.0    # @fontsource/noto-sans-khmer
NOTO_SANS_SC_VERSION=5.3.0       # @fontsource/noto-sans-sc (Simplified Chinese)
NOTO_SANS_TAI_VIET_VERSION=5.3.0 # @fontsource/noto-sans-tai-viet (Tai Dam); only weight 400 exists
JODIT_VERSION=4.15.13            # jodit (MIT), the rich-text editor of the edit pages (src/ttdn/content/static/content/vendor/)
CHARTJS_VERSION=4.6.1            # chart.js, for the plan dashboards (src/ttdn/programme/static/programme/)

# Set INCLUDE_SC_BOLD=0 to ship only weight 400 of Noto Sans SC (halves the ~7 MB it takes).
INCLUDE_SC_BOLD=${INCLUDE_SC_BOLD:-1}

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATIC="$REPO/src/ttdn/core/static/ttdn"
WORK=${WORK:-$(mktemp -d /tmp/ttdn-assets.XXXXXX)}
mkdir -p "$WORK"
echo "Working in $WORK"

# SHA-256 of each npm tarball, so a changed upstream file cannot slip in unnoticed.
# When you bump a version above, replace its hash with the one this script prints on mismatch.
declare -A SHA256=(
    [htmx.org]=165a2655073e9e6e55e307a7c74e8ebcdb76afb7701f9c16cfd106a13add408e
    [jodit]=881b65ff502d3593fea548d1b365210785de9c78ff47d5c496b9b132cc2b8b70
    [chart.js]=9345dacdf4bb4c5d40321f4b9aafab6fe676d37a534fc0bc2d17c4c4e29c4f00
    [@fontsource/noto-sans]=f62f8ed40e378f15134e32bed2fd5718d81e9ec7a5603d1022d7b385e2297abc
    [@fontsource/noto-sans-lao]=a3cd7efc1c2eec42d39557d49fb52c3ac8bf81a14610180033052b1f134bf892
    [@fontsource/noto-sans-khmer]=aa26ae5e1d6ed84e55c329071d4233f29fa4209b77c55af7adaa8f09607a3c20
    [@fontsource/noto-sans-sc]=05a7abac78a6cac4bd1361e7b24c680ee820fcc2f22cf5cc92673f4cd12771c5
    [@fontsource/noto-sans-tai-viet]=6c18d01501532aa1df026e01f3f1a06d4ae0100500c66855b977fc919019217a
)

fetch() {  # fetch <package> <version> -> unpacks into $WORK/<dir>/package, prints that path
    local pkg=$1 version=$2 dir tgz actual
    dir="$WORK/$(echo "$pkg" | tr -d '@' | tr '/' '-')-$version"
    if [ ! -d "$dir/package" ]; then
        mkdir -p "$dir"
        (cd "$dir" && npm pack --silent "$pkg@$version" >/dev/null)
        tgz=$(ls "$dir"/*.tgz)
        actual=$(sha256sum "$tgz" | cut -d' ' -f1)
        if [ "$actual" != "${SHA256[$pkg]}" ]; then
            echo "SHA-256 mismatch for $pkg@$version: got $actual" >&2
            exit 1
        fi
        tar -xzf "$tgz" -C "$dir"
    fi
    echo "$dir/package"
}

# --- htmx -------------------------------------------------------------------
HTMX=$(fetch htmx.org "$HTMX_VERSION")
mkdir -p "$STATIC/vendor"
cp "$HTMX/dist/htmx.min.js" "$STATIC/vendor/htmx.min.js"
cp "$HTMX/LICENSE" "$STATIC/vendor/htmx.LICENSE.txt"

# --- Jodit (rich-text editor; English-only build: content/static/content/editor.js carries the Vietnamese) ----
JODIT=$(fetch jodit "$JODIT_VERSION")
CONTENT_VENDOR="$REPO/src/ttdn/content/static/content/vendor"
mkdir -p "$CONTENT_VENDOR"
cp "$JODIT/es2021.en/jodit.min.js" "$JODIT/es2021.en/jodit.min.css" "$CONTENT_VENDOR/"
cp "$JODIT/LICENSE.txt" "$CONTENT_VENDOR/jodit.LICENSE.txt"

# --- Chart.js (plan dashboards) ------------------------------------------------
CHARTJS=$(fetch chart.js "$CHARTJS_VERSION")
PROGRAMME_STATIC="$REPO/src/ttdn/programme/static/programme"
mkdir -p "$PROGRAMME_STATIC"
# The source map is not shipped, so its reference line goes (the manifest storage would look for it).
grep -v '^//# sourceMappingURL=' "$CHARTJS/dist/chart.umd.min.js" >"$PROGRAMME_STATIC/chart.umd.min.js"
cp "$CHARTJS/LICENSE.md" "$PROGRAMME_STATIC/chart.LICENSE.md"

# --- fonts ------------------------------------------------------------------
SANS=$(fetch @fontsource/noto-sans "$NOTO_SANS_VERSION")
LAO=$(fetch @fontsource/noto-sans-lao "$NOTO_SANS_LAO_VERSION")
KHMER=$(fetch @fontsource/noto-sans-khmer "$NOTO_SANS_KHMER_VERSION")
SC=$(fetch @fontsource/noto-sans-sc "$NOTO_SANS_SC_VERSION")
TAIVIET=$(fetch @fontsource/noto-sans-tai-viet "$NOTO_SANS_TAI_VIET_VERSION")

FONTS="$STATIC/fonts"
rm -rf "$FONTS"
mkdir -p "$FONTS" "$STATIC/css"
cp "$SANS/LICENSE" "$FONTS/OFL-noto-sans.txt"
cp "$LAO/LICENSE" "$FONTS/OFL-noto-sans-lao.txt"
cp "$KHMER/LICENSE" "$FONTS/OFL-noto-sans-khmer.txt"
cp "$SC/LICENSE" "$FONTS/OFL-noto-sans-sc.txt"
cp "$TAIVIET/LICENSE" "$FONTS/OFL-noto-sans-tai-viet.txt"

SC_WEIGHTS="400"
[ "$INCLUDE_SC_BOLD" = "1" ] && SC_WEIGHTS="400 700"

# Select @font-face blocks from fontsource's per-weight CSS (the per-weight files carry the
# unicode-range; the per-subset files do not), copy their woff2 files, and write fonts.css
# with URLs relative to css/ and without the woff fallback.
python3 - "$FONTS" "$STATIC/css/fonts.css" \
    "$SANS" "latin latin-ext vietnamese" "400 700" \
    "$LAO" "lao" "400 700" \
    "$KHMER" "khmer" "400 700" \
    "$SC" "NUMBERED" "$SC_WEIGHTS" \
    "$TAIVIET" "tai-viet" "400" <<'PY'
import re
import shutil
import sys
from pathlib import Path

fonts_dir, out_css = Path(sys.argv[1]), Path(sys.argv[2])
args = sys.argv[3:]
block_re = re.compile(r"/\* (?P<name>[^*]+?) \*/\s*@font-face \{(?P<body>[^}]*)\}", re.S)
out = [
    "/* TTĐN vendored fonts, generated by scripts/vendor-assets.sh. Do not edit by hand.\n"
    " * Noto Sans, Noto Sans Lao, Noto Sans Khmer, Noto Sans SC, Noto Sans Tai Viet from @fontsource (SIL OFL 1.1,\n"
    " * see ../fonts/OFL-*.txt). Noto Sans SC is split into numbered unicode-range chunks;\n"
    " * the browser downloads only the chunks a page uses. Noto Sans Marks (last) is made by\n"
    " * scripts/vendor-marks-font.sh. */\n"
]
# The faces scripts/vendor-marks-font.sh makes (its files are committed, not from @fontsource).
MARKS_NOTE = """/* noto-sans-marks-400-normal, noto-sans-marks-700-normal (scripts/vendor-marks-font.sh)
 * Combining marks stacked as Jarai and Bahnar write them (ô̆ = ô + combining breve): the Noto Sans subsets
 * above carry no free-standing marks, so a letter with one is drawn whole from this Latin cut of Noto Sans,
 * which positions a mark over a mark. Listed after "Noto Sans", it is fetched only for text Noto Sans cannot
 * draw. It lives in this file, not a later one: were this file lost on a bad link, the browser would
 * otherwise fetch these faces for every letter of the page. */
"""
MARKS = MARKS_NOTE + "\n".join(
    "@font-face {\n  font-family: 'Noto Sans Marks';\n  font-style: normal;\n  font-display: swap;\n"
    f"  font-weight: {weight};\n  src: url(../fonts/noto-sans-marks-{weight}-normal.woff2) format('woff2');\n"
    "  unicode-range: U+0000-02FF,U+0300-036F,U+1DC0-1DFF,U+1E00-1EFF;\n}\n" for weight in (400, 700))


def parse_ranges(value):
    points = set()
    for part in value.split(","):
        first, _, last = part.strip().upper().removeprefix("U+").partition("-")
        points.update(range(int(first, 16), int(last or first, 16) + 1))
    return points


def format_ranges(points):
    out, run = [], None
    for p in sorted(points):
        if run and p == run[1] + 1:
            run[1] = p
        else:
            run = [p, p]
            out.append(run)
    return ",".join(f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}" for a, b in out)


range_re = re.compile(r"unicode-range:\s*([^;]+);")
for i in range(0, len(args), 3):
    pkg, subsets, weights = Path(args[i]), args[i + 1].split(), args[i + 2].split()
    family_slug = pkg.parent.name.rsplit("-", 1)[0].removeprefix("fontsource-")  # noto-sans-lao
    for weight in weights:
        css = (pkg / f"{weight}.css").read_text(encoding="utf-8")
        for m in block_re.finditer(css):
            name = m.group("name")  # e.g. noto-sans-lao-lao-400-normal, noto-sans-sc-[12]-400-normal
            subset = name.removeprefix(family_slug + "-").removesuffix(f"-{weight}-normal")
            if subsets == ["NUMBERED"]:
                if not re.fullmatch(r"\[\d+\]", subset):
                    continue
            elif subset not in subsets:
                continue
            body = m.group("body")
            if subset == "latin-ext" and family_slug == "noto-sans":
                # Vietnamese letters (ă, đ, ơ, ư…) are in both latin-ext and vietnamese; the browser tries the
                # later face first, so a Vietnamese page would fetch the large latin-ext face too. Leave them
                # to the small vietnamese face.
                viet = next(b for b in block_re.finditer(css) if b.group("name").endswith(f"-vietnamese-{weight}-normal"))
                drop = parse_ranges(range_re.search(viet.group("body")).group(1))
                kept = parse_ranges(range_re.search(body).group(1)) - drop
                body = range_re.sub(lambda _m: f"unicode-range: {format_ranges(kept)};", body)
            src = re.search(r"url\(\./files/([^)]+\.woff2)\)", body).group(1)
            shutil.copyfile(pkg / "files" / src, fonts_dir / src)
            body = re.sub(r"src:[^;]*;", f"src: url(../fonts/{src}) format('woff2');", body)
            out.append(f"/* {name} */\n@font-face {{{body}}}\n")
out.append(MARKS)
out_css.write_text("\n".join(out), encoding="utf-8")
print(f"wrote {out_css} with {len(out)} @font-face rules")  # the header out, the two Marks faces in one entry
PY

du -sh "$FONTS"
echo "Done. Now run: python -m pytest tests/core/test_static_assets.py -q"
