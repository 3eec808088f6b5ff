"""Fill the English catalog: our msgids are English, so each msgstr is its msgid.

Run by `make messages` after `pybabel update`. Only empty entries are filled, so a
deliberate English rewording in the catalog survives.
"""

import sys

from babel.messages.pofile import read_po
from babel.messages.pofile import write_po


def main(path: str) -> None:
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            if not all(message.string):
                message.string = tuple(message.id)
        elif not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True, sort_by_file=True)


if __name__ == "__main__":
    main(sys.argv[1])
