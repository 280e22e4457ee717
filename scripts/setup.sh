#!/bin/sh
# Install what policybrief needs on a Debian machine, then the Python packages.
#   scripts/setup.sh          system packages + the package and its dependencies
#   scripts/setup.sh --test   the same, plus the test dependencies
# System packages: Noto CJK fonts; HarfBuzz's subset library, without which WeasyPrint
# falls back to fontTools and one CJK PDF takes ~18 s instead of <1 s; Pango for layout;
# poppler-utils (pdftotext, pdftoppm) to inspect PDFs; librsvg2-bin (rsvg-convert) draws the
# Word edition's charts as PNG beside their SVG; libgs-common, Ghostscript's ICC profiles (only
# the profiles: the print edition's CMYK output intent, docs/print.md). With --test also LibreOffice Writer (headless,
# without its GUI: the Word tests convert each .docx to PDF with it), Debian's Chromium
# (the browser tests drive it through Playwright; Playwright's own browser download is never
# used), mupdf-tools (mutool draw, the second of the three renderers tests/test_fonts.py
# compares) and, from the npm registry, axe-core and pdfjs-dist (the third renderer, run in
# that Chromium), both pinned below, into tests/.cache/.
set -eu
cd "$(dirname "$0")/.."

extra=""
[ "${1:-}" = "--test" ] && extra="[test]"
AXE_CORE_VERSION="4.14.1"
PDFJS_VERSION="6.5.438"

packages="fonts-noto-cjk fonts-noto-core libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils"
packages="$packages librsvg2-bin libgs-common"
if [ -n "$extra" ]; then
    packages="$packages chromium libreoffice-writer-nogui mupdf-tools"
    command -v npm >/dev/null 2>&1 || packages="$packages nodejs npm"
fi
missing=""
for package in $packages; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done
if [ -n "$missing" ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing system packages:$missing"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

python="${PYTHON:-python3}"
echo "setup: installing Python packages from pyproject.toml$extra"
"$python" -m pip install --quiet --disable-pip-version-check -e ".$extra"

if [ -n "$extra" ]; then
    # npm prunes what it was not asked for: both packages are installed in one command.
    version_of() {
        sed -n 's/^  "version": "\(.*\)",$/\1/p' "tests/.cache/node_modules/$1/package.json" \
            2>/dev/null || true
    }
    if [ "$(version_of axe-core)" != "$AXE_CORE_VERSION" ] ||
       [ "$(version_of pdfjs-dist)" != "$PDFJS_VERSION" ]; then
        echo "setup: installing axe-core@$AXE_CORE_VERSION and pdfjs-dist@$PDFJS_VERSION" \
             "from npm into tests/.cache"
        mkdir -p tests/.cache
        npm install --prefix tests/.cache --no-save --no-package-lock --no-audit --no-fund \
            --omit=optional --loglevel=error "axe-core@$AXE_CORE_VERSION" \
            "pdfjs-dist@$PDFJS_VERSION" >/dev/null
    fi
fi
