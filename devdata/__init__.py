"""Development data: the plant simulation, the ISO-compliant seed and the demo superuser.

The top floor: it imports every domain app and nothing imports it (tests and bench aside).
"""
