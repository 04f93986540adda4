#!/usr/bin/env bash
# Installs what the independent TFLite verifiers (lib/verify) need, and nothing else:
#   - Arm NN from Debian (python3-pyarmnn + TFLite parser + CpuRef backend, numpy), when root;
#   - @tensorflow/tfjs-tflite in its own folder (tools/tfjs-tflite: it peer-pins tfjs-core 4.9).
# Idempotent: installs only what is missing and says what it did. Safe to call before every test run.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3-pyarmnn libarmnntfliteparser22 libarmnn-cpuref-backend22 python3-numpy)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: Arm NN packages present (${APT_PACKAGES[*]})"
elif ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: WARNING no apt-get here; Arm NN checks will fail. Needs: ${missing[*]}" >&2
elif [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: WARNING not root; Arm NN checks will fail until someone runs:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
else
  echo "install-test-deps: apt-get install -y ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # A fresh container may have empty package lists: update once, only if the install needs it.
  if ! apt-get install -y "${missing[@]}"; then
    echo "install-test-deps: apt-get update, then retry"
    apt-get update
    apt-get install -y "${missing[@]}"
  fi
fi

if [ -f tools/tfjs-tflite/node_modules/@tensorflow/tfjs-tflite/package.json ]; then
  echo "install-test-deps: tools/tfjs-tflite/node_modules present"
else
  echo "install-test-deps: npm ci --prefix tools/tfjs-tflite --legacy-peer-deps"
  npm ci --prefix tools/tfjs-tflite --legacy-peer-deps --no-audit --no-fund
fi
