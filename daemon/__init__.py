"""The daemon: composes parsers, routing and storage; the only package with network code.

Exception tree (each edge translates once):

    ConfigError            daemon.config   bad configuration → CLI exit 1
    StorageError           storage.store   inbox cannot be opened/written → SMTP 451, CLI exit 1
    UserError              daemon.cli      unknown id, bad argument → CLI exit 1
"""
