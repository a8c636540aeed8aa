"""All I/O: calendars, services, keyring, config and state files, archive, scheduler, notifications."""
