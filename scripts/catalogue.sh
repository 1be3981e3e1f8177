#!/usr/bin/env bash
# The message catalogues of the words the tool prints (docs/languages.md).
#   bash scripts/catalogue.sh            # extract the English strings, merge them into every
#                                        # language's messages.po, compile the .mo files
#   bash scripts/catalogue.sh init de    # start a catalogue for a new language
# Translate the new or changed (fuzzy) entries in briefing/locale/<lang>/LC_MESSAGES/messages.po,
# then run it again to compile; tests/test_i18n.py fails while an entry is untranslated or a
# compiled catalogue is out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=.venv/bin/pybabel
pot=briefing/locale/messages.pot
$pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header -o "$pot" .
if [ "${1:-}" = "init" ]; then
  $pybabel init -i "$pot" -d briefing/locale -D messages -l "$2"
  exit 0
fi
$pybabel update -i "$pot" -d briefing/locale -D messages --no-fuzzy-matching --ignore-obsolete
$pybabel compile -d briefing/locale -D messages --statistics
