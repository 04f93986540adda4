;; Per-channel int8 weight quantization with wasm SIMD (f32x4): the two passes over every weight
;; of a model (largest |w| per channel, then round(w / scale)), 4 to 16 values per instruction.
;; Rounding is std::round (half away from zero) on float32, as TFLite's converter computes it:
;; t = trunc(x); if |x - t| >= 0.5 then t += sign(x). Compiled by scripts/build-wasm.ts.
(module
  (memory (export "memory") 1)

  ;; max |x| over n floats at p (NaN ignored: pmax keeps the accumulator)
  (func $absmax (export "absmax") (param $p i32) (param $n i32) (result f32)
    (local $acc v128) (local $end i32) (local $stop i32) (local $m f32) (local $v f32)
    (local.set $acc (v128.const f32x4 0 0 0 0))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $stop (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $acc (f32x4.pmax (local.get $acc) (f32x4.abs (v128.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l)))
    (local.set $m (f32x4.extract_lane 0 (local.get $acc)))
    (local.set $v (f32x4.extract_lane 1 (local.get $acc)))
    (local.set $m (select (local.get $v) (local.get $m) (f32.gt (local.get $v) (local.get $m))))
    (local.set $v (f32x4.extract_lane 2 (local.get $acc)))
    (local.set $m (select (local.get $v) (local.get $m) (f32.gt (local.get $v) (local.get $m))))
    (local.set $v (f32x4.extract_lane 3 (local.get $acc)))
    (local.set $m (select (local.get $v) (local.get $m) (f32.gt (local.get $v) (local.get $m))))
    (block $tdone
      (loop $t
        (br_if $tdone (i32.ge_u (local.get $p) (local.get $stop)))
        (local.set $v (f32.abs (f32.load (local.get $p))))
        (local.set $m (select (local.get $v) (local.get $m) (f32.gt (local.get $v) (local.get $m))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $t)))
    (local.get $m))

  ;; out[c] = max(out[c], |x[r * cols + c]|) over rows: per-channel along the last axis
  (func (export "absmax_cols") (param $p i32) (param $rows i32) (param $cols i32) (param $out i32)
    (local $r i32) (local $c i32) (local $vec i32) (local $q i32) (local $o i32) (local $v f32) (local $m f32)
    (local.set $vec (i32.and (local.get $cols) (i32.const -4)))
    (block $rdone
      (loop $rl
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $cdone
          (loop $cl
            (br_if $cdone (i32.ge_u (local.get $c) (local.get $vec)))
            (local.set $o (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))))
            (v128.store (local.get $o) (f32x4.pmax (v128.load (local.get $o)) (f32x4.abs (v128.load (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $cl)))
        (block $tdone
          (loop $tl
            (br_if $tdone (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $o (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $v (f32.abs (f32.load (local.get $p))))
            (local.set $m (f32.load (local.get $o)))
            (f32.store (local.get $o) (select (local.get $v) (local.get $m) (f32.gt (local.get $v) (local.get $m))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $tl)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rl))))

  ;; std::round(x) on 4 lanes is written out inline where used (a call per vector cost 7x):
  ;; clamp to [-qmax, qmax] with pmin / pmax (plain min / max carry NaN and -0 rules that cost
  ;; several instructions on x86), then trunc(x + copysign(0.49999997, x)): the largest float
  ;; below 0.5 makes the float sum round half away from zero exactly (0.5 itself would turn
  ;; 0.49999997 into 1); to int32 lanes by the 1.5 * 2^23 trick (exact for integral values).

  (func $round1 (param $x f32) (param $qmax f32) (result i32)
    (local $t f32) (local $r f32)
    (local.set $t (f32.trunc (local.get $x)))
    (local.set $r (select
      (f32.add (local.get $t) (f32.copysign (f32.const 1) (local.get $x)))
      (local.get $t)
      (f32.ge (f32.abs (f32.sub (local.get $x) (local.get $t))) (f32.const 0.5))))
    (i32.trunc_sat_f32_s (f32.min (local.get $qmax) (f32.max (f32.neg (local.get $qmax)) (local.get $r)))))

  ;; dst[i] = round(src[i] * inv) as int8, one scale for n values
  (func $quantize (export "quantize") (param $src i32) (param $dst i32) (param $n i32) (param $inv f32) (param $qmax f32)
    (local $s v128) (local $q v128) (local $end i32) (local $stop i32) (local $nq v128) (local $half v128) (local $sign v128) (local $x v128) (local $magic v128)
    (local.set $s (f32x4.splat (local.get $inv)))
    (local.set $q (f32x4.splat (local.get $qmax)))
    (local.set $nq (f32x4.neg (local.get $q)))
    (local.set $half (v128.const i32x4 0x3effffff 0x3effffff 0x3effffff 0x3effffff))
    (local.set $sign (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
    ;; 1.5 * 2^23: adding it to an integral float in range leaves the integer in the low bits
    (local.set $magic (v128.const f32x4 12582912 12582912 12582912 12582912))
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -16)) (i32.const 2))))
    (local.set $stop (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (v128.store (local.get $dst)
          (i8x16.narrow_i16x8_s
            (i16x8.narrow_i32x4_s
              (block (result v128)
            (local.set $x (f32x4.pmin (local.get $q) (f32x4.pmax (local.get $nq) (f32x4.mul (v128.load (local.get $src)) (local.get $s)))))
            (i32x4.sub (f32x4.add (local.get $magic) (f32x4.trunc (f32x4.add (local.get $x)
              (v128.or (v128.and (local.get $x) (local.get $sign)) (local.get $half))))) (local.get $magic)))
              (block (result v128)
            (local.set $x (f32x4.pmin (local.get $q) (f32x4.pmax (local.get $nq) (f32x4.mul (v128.load offset=16 (local.get $src)) (local.get $s)))))
            (i32x4.sub (f32x4.add (local.get $magic) (f32x4.trunc (f32x4.add (local.get $x)
              (v128.or (v128.and (local.get $x) (local.get $sign)) (local.get $half))))) (local.get $magic))))
            (i16x8.narrow_i32x4_s
              (block (result v128)
            (local.set $x (f32x4.pmin (local.get $q) (f32x4.pmax (local.get $nq) (f32x4.mul (v128.load offset=32 (local.get $src)) (local.get $s)))))
            (i32x4.sub (f32x4.add (local.get $magic) (f32x4.trunc (f32x4.add (local.get $x)
              (v128.or (v128.and (local.get $x) (local.get $sign)) (local.get $half))))) (local.get $magic)))
              (block (result v128)
            (local.set $x (f32x4.pmin (local.get $q) (f32x4.pmax (local.get $nq) (f32x4.mul (v128.load offset=48 (local.get $src)) (local.get $s)))))
            (i32x4.sub (f32x4.add (local.get $magic) (f32x4.trunc (f32x4.add (local.get $x)
              (v128.or (v128.and (local.get $x) (local.get $sign)) (local.get $half))))) (local.get $magic))))))
        (local.set $src (i32.add (local.get $src) (i32.const 64)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $l)))
    ;; then 4 at a time: rows of 24 or 40 weights are common (1x1 convs)
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.and (i32.shr_u (i32.sub (local.get $stop) (local.get $src)) (i32.const 2)) (i32.const -4)) (i32.const 2))))
    (block $vdone
      (loop $v
        (br_if $vdone (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $x (block (result v128)
            (local.set $x (f32x4.pmin (local.get $q) (f32x4.pmax (local.get $nq) (f32x4.mul (v128.load (local.get $src)) (local.get $s)))))
            (i32x4.sub (f32x4.add (local.get $magic) (f32x4.trunc (f32x4.add (local.get $x)
              (v128.or (v128.and (local.get $x) (local.get $sign)) (local.get $half))))) (local.get $magic))))
        (local.set $x (i16x8.narrow_i32x4_s (local.get $x) (local.get $x)))
        (v128.store32_lane 0 (local.get $dst) (i8x16.narrow_i16x8_s (local.get $x) (local.get $x)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br $v)))
    (block $tdone
      (loop $t
        (br_if $tdone (i32.ge_u (local.get $src) (local.get $stop)))
        (i32.store8 (local.get $dst) (call $round1 (f32.mul (f32.load (local.get $src)) (local.get $inv)) (local.get $qmax)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
        (br $t))))

  ;; the same with one scale per column (per-channel along the last axis): inv at $invp
  (func (export "quantize_cols") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32) (param $invp i32) (param $qmax f32)
    (local $q v128) (local $r i32) (local $c i32) (local $vec i32) (local $i v128) (local $nq v128) (local $half v128) (local $sign v128) (local $x v128) (local $magic v128)
    (local.set $q (f32x4.splat (local.get $qmax)))
    (local.set $nq (f32x4.neg (local.get $q)))
    (local.set $half (v128.const i32x4 0x3effffff 0x3effffff 0x3effffff 0x3effffff))
    (local.set $sign (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
    ;; 1.5 * 2^23: adding it to an integral float in range leaves the integer in the low bits
    (local.set $magic (v128.const f32x4 12582912 12582912 12582912 12582912))
    (local.set $vec (i32.and (local.get $cols) (i32.const -4)))
    (block $rdone
      (loop $rl
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $cdone
          (loop $cl
            (br_if $cdone (i32.ge_u (local.get $c) (local.get $vec)))
            (local.set $i (block (result v128)
            (local.set $x (f32x4.pmin (local.get $q) (f32x4.pmax (local.get $nq) (f32x4.mul (v128.load (local.get $src)) (v128.load (i32.add (local.get $invp) (i32.shl (local.get $c) (i32.const 2))))))))
            (i32x4.sub (f32x4.add (local.get $magic) (f32x4.trunc (f32x4.add (local.get $x)
              (v128.or (v128.and (local.get $x) (local.get $sign)) (local.get $half))))) (local.get $magic))))
            (local.set $i (i16x8.narrow_i32x4_s (local.get $i) (local.get $i)))
            (v128.store32_lane 0 (local.get $dst) (i8x16.narrow_i16x8_s (local.get $i) (local.get $i)))
            (local.set $src (i32.add (local.get $src) (i32.const 16)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $cl)))
        (block $tdone
          (loop $tl
            (br_if $tdone (i32.ge_u (local.get $c) (local.get $cols)))
            (i32.store8 (local.get $dst) (call $round1 (f32.mul (f32.load (local.get $src)) (f32.load (i32.add (local.get $invp) (i32.shl (local.get $c) (i32.const 2))))) (local.get $qmax)))
            (local.set $src (i32.add (local.get $src) (i32.const 4)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $tl)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rl))))
;; out[c] = max |x| over row c of `rows` contiguous rows of `inner` floats (per-channel along
  ;; axis 0): one call for the whole tensor instead of one per channel
  (func (export "absmax_rows") (param $p i32) (param $rows i32) (param $inner i32) (param $out i32)
    (local $r i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (call $absmax (local.get $p) (local.get $inner)))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $inner) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $l))))

  ;; row c quantized with inv[c] (floats at $invp)
  (func (export "quantize_rows") (param $src i32) (param $dst i32) (param $rows i32) (param $inner i32) (param $invp i32) (param $qmax f32)
    (local $r i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (call $quantize (local.get $src) (local.get $dst) (local.get $inner)
          (f32.load (i32.add (local.get $invp) (i32.shl (local.get $r) (i32.const 2)))) (local.get $qmax))
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $inner) (i32.const 2))))
        (local.set $dst (i32.add (local.get $dst) (local.get $inner)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $l))))
)
