#!/bin/bash -eu
# The repository's own build script is the one owner of the build steps.
exec "$SRC/kmsan-harness/.clusterfuzzlite/build.sh"
