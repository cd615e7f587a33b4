"""The daemon: composes parsers, routing and storage; the only package with network code.

Exception tree (each edge translates once):

    ConfigError            daemon.config   bad configuration → CLI exit 1
    StorageError           storage         inbox cannot be opened/written → CLI exit 1
      StorageUnavailable   storage         database down → mail waits in the spool, runner waits (daemon.health)
      StorageConflict      storage         another writer was first → intake decides again
    SpoolBusy              daemon.spool    another serve holds this spool → serve exits 1
    ResolutionError        storage.store   a resolution that does not apply → CLI exit 1
    UserError              daemon.cli      unknown id, missing file → CLI exit 1
    MessageUnreadable      daemon.workers  a message's MIME could not be read → retried, then quarantined
    DamagedEntry           daemon.spool    a spool entry unreadable → its message kept for a person
    ImapError              daemon.imap     the server refused or misbehaved → poll retried with backoff
    (anything else)        daemon.runner   a spooled message failing → retried, then quarantined;
                           daemon.smtp     in an SMTP hook → 451 4.3.0 (handle_exception)
"""
