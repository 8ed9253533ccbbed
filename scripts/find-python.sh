#!/usr/bin/env sh
# Prints the newest Python 3.13 or 3.12 on this machine (PATH first, then pyenv), or nothing.
for candidate in python3.13 python3.12 \
    "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3 python3; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if "$path" -c 'import sys; sys.exit(not (3, 12) <= sys.version_info[:2] < (3, 15))' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
