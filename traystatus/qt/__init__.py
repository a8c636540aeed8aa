"""The thin PySide6 layer: tray, popups, dialogs; receives view data, emits intents."""
