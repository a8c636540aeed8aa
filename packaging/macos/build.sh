#!/bin/sh
# Build dist/traystatus.app on macOS (Python 3.11+ from python.org or Homebrew).
set -eu
cd "$(dirname "$0")/../.."
python3 -m venv build/macos-venv
build/macos-venv/bin/pip install -q . pyinstaller pillow   # pillow converts the PNG icon to .icns
build/macos-venv/bin/python packaging/build.py macos
# Optional: codesign and notarize (needs an Apple Developer ID)
#   codesign --deep --force --options runtime --sign "Developer ID Application: …" dist/traystatus.app
#   ditto -c -k --keepParent dist/traystatus.app dist/traystatus-macos.zip
#   xcrun notarytool submit dist/traystatus-macos.zip --keychain-profile … --wait
echo "built dist/traystatus.app"
