"""Pure parsers: bytes in, frozen facts out.

Nothing here opens a socket, touches a database, writes a file, reads the clock or sets
up logging (a test walks the imports). `mime` finds the attachments of a message,
`pdftext` reads a PDF's text layer, `fields` turns text into the contract's fields and
`extract` composes the two for one attachment.
"""
