"""Pure routing: extracted facts in, decisions out (no I/O, no clock, no logging).

`addresses` maps recipients to (company, mailbox), `checks` turns a document's fields into the
contract's flags and status, `decide` tells a new document from a redelivery or an edit.
"""
