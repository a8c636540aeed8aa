"""The settings window and first-run setup: pages of fields bound to config keys, validated as typed."""
