#!/usr/bin/env python3
"""Run the briefing generator from a checkout: ``python generate.py brief --audience industry``.

The installed console command ``generate`` does the same.
"""

from briefing.cli import run

if __name__ == "__main__":
    run()
