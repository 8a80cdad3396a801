#!/bin/sh
# Builds the training SIMD kernels: src/main/ml/simd/kernels.c → src/main/ml/simd/kernels.wasm with
# Debian's clang and lld (wasm-ld): `apt-get install clang lld`. The binary is committed, so neither
# CI nor a user needs clang; `scripts/build-simd.sh --check` rebuilds into a temp file and fails when
# it differs from the committed binary (same clang major version needed for the same bytes).
set -eu
cd "$(dirname "$0")/.."
CLANG="${CLANG:-clang}"
SRC=src/main/ml/simd/kernels.c
OUT=src/main/ml/simd/kernels.wasm
command -v "$CLANG" >/dev/null || { echo "build-simd: $CLANG not found (apt-get install clang lld)" >&2; exit 1; }
command -v wasm-ld >/dev/null || { echo "build-simd: wasm-ld not found (apt-get install lld)" >&2; exit 1; }
target="$OUT"
if [ "${1:-}" = "--check" ]; then target="$(mktemp --suffix=.wasm)"; fi
# wasm32 with the SIMD (simd128) and bulk-memory (memory.fill for zeroing, no libc memset) features;
# no libc, no entry point, only the kernels and the memory exported, and no name/debug sections, so
# the bytes depend on the source and the compiler only.
"$CLANG" --target=wasm32 -msimd128 -mbulk-memory -O3 -ffreestanding -nostdlib -g0 \
  -ffile-prefix-map="$PWD"=. \
  -Wl,--no-entry -Wl,--strip-all -Wl,--export=__heap_base \
  -Wl,-z,stack-size=65536 -Wl,--initial-memory=262144 \
  -o "$target" "$SRC"
if [ "$target" != "$OUT" ]; then
  if cmp -s "$target" "$OUT"; then echo "build-simd: $OUT is reproduced byte for byte"; rm -f "$target"
  else echo "build-simd: the build differs from the committed $OUT ($("$CLANG" --version | head -1))" >&2; rm -f "$target"; exit 1; fi
else
  echo "build-simd: wrote $OUT ($(wc -c <"$OUT") bytes, $("$CLANG" --version | head -1))"
fi
