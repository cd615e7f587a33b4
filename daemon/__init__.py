"""The daemon: composes parsers, routing and storage; the only package with network code.

Exception tree (each edge translates once):

    ConfigError            daemon.config   bad configuration → CLI exit 1
    StorageError           storage         inbox cannot be opened/written → CLI exit 1
      StorageUnavailable   storage         database down → mail waits in the spool, runner waits (daemon.health)
      StorageConflict      storage         another writer was first → intake decides again
    SpoolBusy              daemon.spool    another serve holds this spool → serve exits 1
    ResolutionError        storage.store   a resolution that does not apply → CLI exit 1
    UserError              daemon.cli      unknown id, missing file → CLI exit 1
    ImapError              daemon.imap     the server refused or misbehaved → poll retried with backoff
    (anything else)        daemon.app      a spooled message failing → retried, then quarantined
"""
