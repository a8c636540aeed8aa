# Build dist\traystatus (PyInstaller one-folder) and the installer on Windows (Python 3.11+, Inno Setup 6).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
py -3.11 -m venv build\win-venv
build\win-venv\Scripts\pip install -q . pyinstaller pillow   # pillow converts the PNG icon to .ico
build\win-venv\Scripts\python packaging\build.py windows
& "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" packaging\windows\traystatus.iss
