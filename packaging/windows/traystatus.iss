; Inno Setup script: build dist\traystatus first (packaging\windows\build.ps1), then
;   iscc packaging\windows\traystatus.iss   ->  dist\traystatus-setup-<version>.exe
; Installs per user (no admin rights), adds a Start menu entry and, if chosen, the Run key that
; "Start at login" in the app also manages (HKCU\Software\Microsoft\Windows\CurrentVersion\Run).
; build.ps1 passes /DAppVersion=<traystatus.__version__>; the default here is kept in step by a test.
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6D1F3E3A-8C1B-4C55-9A0E-7B7C1B6A7F10}
AppName=traystatus
AppVersion={#AppVersion}
AppPublisher=traystatus contributors
AppPublisherURL=https://github.com/traystatus/traystatus
DefaultDirName={localappdata}\Programs\traystatus
DefaultGroupName=traystatus
PrivilegesRequired=lowest
OutputDir=..\..\dist
OutputBaseFilename=traystatus-setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\traystatus.exe
CloseApplications=yes

[Tasks]
Name: "autostart"; Description: "Start traystatus when I sign in"; GroupDescription: "Options:"

[Files]
Source: "..\..\dist\traystatus\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\traystatus"; Filename: "{app}\traystatus.exe"
Name: "{group}\traystatus settings"; Filename: "{app}\traystatus.exe"; Parameters: "settings"

[Registry]
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "traystatus"; \
  ValueData: """{app}\traystatus.exe"""; Flags: uninsdeletevalue; Tasks: autostart

[Run]
Filename: "{app}\traystatus.exe"; Description: "Start traystatus now"; Flags: nowait postinstall skipifsilent
