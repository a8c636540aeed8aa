# Build dist\traystatus (PyInstaller one-folder) and the installer on Windows (Python 3.11+, Inno Setup 6).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
py -3.11 -m venv build\win-venv
build\win-venv\Scripts\pip install -q . pyinstaller pillow   # pillow converts the PNG icon to .ico
if ($LASTEXITCODE) { exit $LASTEXITCODE }  # "Stop" does not cover native commands
build\win-venv\Scripts\python packaging\build.py windows
if ($LASTEXITCODE) { exit $LASTEXITCODE }
$version = build\win-venv\Scripts\python -c "import traystatus; print(traystatus.__version__)"
& "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" "/DAppVersion=$version" packaging\windows\traystatus.iss
