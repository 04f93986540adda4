#!/usr/bin/env bash
# Regenerates lib/formats/tflite/generated/ from lib/formats/tflite/schema/tflite.fbs:
#  - flatc's TypeScript bindings (Builder helpers and accessors; used by writers and tests),
#  - schema-info.ts: field slots, enums and unions as plain data, which the bounds-checked
#    reader walks instead of flatc's accessors (those read offsets blindly).
# Needs Debian's flatc 2.0.8 (apt-get install -y flatbuffers-compiler) and node.
set -euo pipefail
cd "$(dirname "$0")/.."

FLATC="${FLATC:-/usr/bin/flatc}"
schema=lib/formats/tflite/schema/tflite.fbs
out=lib/formats/tflite/generated

rm -rf "$out"
mkdir -p "$out"
"$FLATC" --ts -o "$out" "$schema"

# flatc 2.0.8 output passes our strict tsconfig (noUncheckedIndexedAccess included) as is; if a
# future flatc's does not, prepend '// @ts-nocheck' to each file here instead of hand-editing.

node lib/formats/tflite/schema/gen-schema-info.mjs "$schema" > "$out/schema-info.ts"
echo "generated $(find "$out" -name '*.ts' | wc -l) files in $out"
