#!/usr/bin/env bash
# Proof that the quick tests bite: plants known defects, one at a time, into a scratch copy of
# the tree (the scalar backend, impl/cpu/scalar/scalar_backend.cc, and the CUDA core, impl/cuda/core/,
# which the cuda-host backend runs) and runs the property tests as CTest's `quick` label runs them
# (fixed seed, 5,000 cases a property), and for the CUDA core also the layout suite. Defects planted
# in the SIMD backend (impl/cpu/simd/) are judged by its own tests (cpu_simd_test, against the
# scalar code). Defects planted
# in the reference, in either of its paths (reference/fixed/, reference/exact/), are judged as the
# quick label judges the reference: the traps suite's tests, the fast path's properties against the
# GMP path, and the GMP path as a backend against the fast one on the known, edge and traps suites. Prints,
# per mutant, the properties that caught it and after how many passing cases; exits 1 if a mutant
# survives. Defects planted in the CUDA core are also judged by cuda_core_test. Takes a few
# minutes (one build of the copy, then one small rebuild per mutant).
#   tools/mutants.sh [SCRATCH_DIR [NAME_REGEX]]   (NAME_REGEX: only the mutants whose names match)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
scratch=${1:-/tmp/qdq-mutants}
only=${2:-.}
mkdir -p "$scratch/src"
# (-m: extracted files get the current time, so that objects left from a previous run's mutant are rebuilt)
git ls-files -z | tar --null -T - -cf - | tar -xmf - -C "$scratch/src"
cmake -S "$scratch/src" -B "$scratch/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQDQ_CUDA=OFF >/dev/null
rm -rf "$scratch/original" && mkdir -p "$scratch/original"
cp -r "$scratch/src/impl" "$scratch/src/reference" "$scratch/original/"

# (No '|' inside a text or a replacement: it separates the fields.)
# name | text | replacement, in impl/cpu/scalar/scalar_backend.cc unless the name says cuda-* or ref-*,
# then in the CUDA core file or the reference file named after the second '|' (name|file|text|replacement).
# ftz-missing-alone is an equivalent mutant, listed to show it: every tiny result the op can make
# (a subnormal inverse scale or clamp bound on the host, a tiny product rounded to an integer next
# on the device) is read through DAZ or rounded to ±0 anyway, so FTZ without DAZ changes no output
# (impl/cpu/simd/kernels.h says the same). It is expected to survive and is not counted.
mutants=(
  "ties-rounded-the-wrong-way|if (!half_up) r = elem.rint(elem.mul(v, s.scale));|if (!half_up) r = elem.floor(elem.add(elem.mul(v, s.scale), C(0.5)));"
  "ftz-and-daz-missing|host(t, p.rules(t).host), dev(t, p.rules(t).device);|host(t, ArithEnv{p.rules(t).host.compute, false, false}), dev(t, ArithEnv{p.rules(t).device.compute, false, false});"
  "ftz-missing-alone|host(t, p.rules(t).host), dev(t, p.rules(t).device);|host(t, ArithEnv{p.rules(t).host.compute, false, p.rules(t).host.daz}), dev(t, ArithEnv{p.rules(t).device.compute, false, p.rules(t).device.daz});"
  "clamp-bounds-swapped|clamp(p.clamp, elem, elem.read(v), s.lo, s.hi)|clamp(p.clamp, elem, elem.read(v), s.hi, s.lo)"
  "per-channel-index-off-by-one|a.axis == -1 ? 0 : static_cast<std::size_t>(ch);|a.axis == -1 ? 0 : static_cast<std::size_t>((ch + 1) % channels);"
  "narrow-range-ignored|integer_range(p, host, a);|integer_range(p, host, Attrs{a.signed_input, a.num_bits, a.range_given, a.round_mode, false, a.axis});"
  "gradient-bounds-exclusive|dev.le(dev.load(c.input_min.bits(ch)), x) \&\& dev.le(x, dev.load(c.input_max.bits(ch)))|dev.lt(dev.load(c.input_min.bits(ch)), x) \&\& dev.lt(x, dev.load(c.input_max.bits(ch)))"
  "cuda-scale-side-flipped|element.h|if (h.lt(s_lo, s_hi)) {|if (h.lt(s_hi, s_lo)) {"
  "cuda-daz-dropped|soft_env.h|QDQ_HD C read(C x) const { return daz \&\& below_normal(x) ? zero_like(x) : x; }|QDQ_HD C read(C x) const { return x; }"
  "cuda-last-row-lost|geometry.h|if ((last_row - 1) * g.period + j >= g.n) --last_row;|if ((last_row - 1) * g.period + j >= g.n) last_row -= 2;"
  "cuda-16-bit-rounded-once|soft_env.h|return narrow_each_op \&\& (storage == DType::BFloat16|return false \&\& (storage == DType::BFloat16"
  "cuda-pair-halves-swapped|thread_batch.h|v[2 * i] = static_cast<U>(w \& 0xffffu);|v[2 * i] = static_cast<U>(w >> 16);"
  "cuda-pair-run-tail-lost|geometry.h|if (chunk == 0 \&\& tx == 1 \&\& paired + 2 * pairs < end) split(end - 1, 1, 1, 0);|"
  "cuda-pair-off-its-word|geometry.h|paired = base + ((base + g.pair_skew) \& 1)|paired = base"
  # The GMP path's exact op: n/s computed in float64 (s and the quotient each rounded), then rounded
  # to T: the double rounding that no random case exposes (conformance/rounding_traps.h).
  "ref-output-through-float64|exact/exact_op.cc|XFloat::of(Rational(n) / *scale);|XFloat::of(Rational(n.convert_to<double>() / scale->convert_to<double>()));"
  "ref-gmp-ties-away|exact/exact_float.cc|if (twice_r > d |if (twice_r >= d "
  # The fast path: ties rounded away from zero, FTZ's tininess taken before rounding, DAZ ignored, a
  # quotient's remainder dropped, the exact op's negative HALF_UP ties rounded the wrong way.
  "ref-fixed-ties-away|fixed/fixed_arith.h|sig = rem > half |sig = rem >= half "
  "ref-fixed-ftz-before-rounding|fixed/fixed_arith.h|if (!(k > 0 \&\& (detail::shift_round(m, k) >> p))) return {0, 0, false};|return {0, 0, false};"
  "ref-fixed-daz-dropped|fixed/fixed_arith.h|if (daz_flushes_subnormals_only_ \&\& (a \& s_.exp_mask) == 0) return|if (false) return"
  "ref-fixed-remainder-dropped|fixed/fixed_arith.h|const bool sticky = num - q * y.sig != 0;|const bool sticky = false;"
  # The fast lanes (fixed_arith.h): the sum's sticky bit lost, a tiny product encoded as a normal,
  # rint's values in [1/2, 1) taken for zeros.
  "ref-fixed-add-lane-sticky-dropped|fixed/fixed_arith.h|((mb \& ((Bits{1} << d) - 1)) != 0 ? 1 : 0);|0;"
  "ref-fixed-mul-lane-tiny-kept|fixed/fixed_arith.h|if (top < s_.emin) return false;|if (false) return false;"
  "ref-fixed-rint-lane-halves-lost|fixed/fixed_arith.h|if (e < -1) return detail::signed_zero(s_, neg);|if (e < 0) return detail::signed_zero(s_, neg);"
  "ref-fixed-half-up-negative-ties|fixed/fixed_exact_op.cc|half_up ? (x.neg ? half > 0 : half >= 0)|half_up ? (half >= 0)"
  # The HALF_UP lane's separate form taken from the exact product (the fused form twice), its sums
  # rounded once where XLA's 16-bit dtypes round twice (to float32, then to T); narrow's lane
  # breaking ties away from zero; widen's lane keeping T's exponent bias.
  "ref-fixed-half-up-lane-one-form|fixed/fixed_arith.h|return floor_of_sum(rounded, separate);|return floor_of_sum(prod, separate);"
  "ref-fixed-half-up-lane-rounded-once|fixed/fixed_arith.h|if (s_.p < c_.p) r = detail::round_bits(r, s_.p);|"
  "ref-fixed-narrow-lane-ties-away|fixed/fixed_arith.h|(dropped == half_ulp \&\& (q \& 1))|(dropped == half_ulp)"
  "ref-fixed-widen-lane-bias-kept|fixed/fixed_arith.h|+ static_cast<Bits>(w.emax - s_.emax);|;"
  # The SIMD backend (impl/cpu/simd/), judged by its own tests against the scalar code: the flush
  # of subnormal inputs skipped always (every dtype: one place makes the parameters), or on a bound 16 times
  # too loose; AVX512-BF16's packing of two vectors with its halves swapped; a clamp's operands
  # swapped (maxps returns its second operand for NaN and for equal zeros); the split bfloat16
  # vectors put back in the order of the wrong number of rounds, or their odd lanes keeping the
  # even lanes' bits in their low halves. (The instructions never
  # used would change no output, only the speed, which `qdq bench --kernels` shows, not a test.)
  # The scale selection in SIMD lanes (scales.cc) leaving to IEEE a lane that FTZ/DAZ or a NaN's
  # narrowing may change (a tiny product or quotient, a subnormal or NaN bound), skipping the
  # rounding to a 16-bit dtype, or taking the other side's scale.
  "simd-flush-always-skipped|simd_backend.cc|params[ch].flush = subnormals_matter(params[ch], clamp);|params[ch].flush = false;"
  "simd-flush-bound-loose|simd_backend.cc|<= T(0.25) / m);|<= T(4) / m);"
  "simd-bf16-pack-halves-swapped|kernels.cc|: \"v\"(b.raw), \"v\"(a.raw));|: \"v\"(a.raw), \"v\"(b.raw));"
  "simd-bf16-split-order-off|kernels.cc|PackedOrder<r == Rounding::HalfToEven ? 2 : 3>|PackedOrder<r == Rounding::HalfToEven ? 3 : 2>"
  "simd-bf16-split-odd-low-halves-kept|kernels.cc|odd = hn::BitCast(df, hn::And(u, hn::Set(du, 0xFFFF0000u)));|odd = hn::BitCast(df, u);"
  "simd-clamp-operands-swapped|kernels.cc|return PickLess(hi, PickGreater(v, lo));|return PickLess(hi, PickGreater(lo, v));"
  # tf-gpu's clamp: a NaN input left to the min (it then meets lo, not hi), and a NaN left by the min
  # (input and hi both NaN) kept instead of giving lo
  "simd-nonnanwins-nan-input-to-min|kernels.cc|const V m = hn::IfThenElse(hn::IsNaN(v), hi, PickLess(hi, v));|const V m = PickLess(hi, v);"
  "simd-nonnanwins-nan-kept-past-max|kernels.cc|return hn::IfThenElse(hn::IsNaN(m), lo, PickGreater(lo, m));|return PickGreater(lo, m);"
  # float16 lanes with AVX512-FP16: a clamp's min or max with its operands swapped
  "simd-fp16-keep-input-min-swapped|kernels.cc|v = MaxF16(p.lo, MinF16(p.hi, v));|v = MaxF16(p.lo, MinF16(v, p.hi));"
  "simd-fp16-max-then-min-min-swapped|kernels.cc|v = MinF16(p.hi, MaxF16(v, p.lo));|v = MinF16(MaxF16(v, p.lo), p.hi);"
  "simd-fp16-prefer-hi-min-swapped|kernels.cc|(c == Clamp::MaxThenMinPreferHi) v = MinF16(MaxF16(v, p.lo), p.hi);|(c == Clamp::MaxThenMinPreferHi) v = MinF16(p.hi, MaxF16(v, p.lo));"
  "simd-scales-mul-tiny-unflagged|scales.cc|flag(hn::And(active, hn::And(tiny(r), hn::And(hn::Ne(a, hn::Zero(d_)), hn::Ne(b, hn::Zero(d_))))));|"
  "simd-scales-div-tiny-unflagged|scales.cc|flag(hn::And(active, hn::And(tiny(r), hn::And(hn::Ne(a, hn::Zero(d_)), hn::IsFinite(b)))));|"
  "simd-scales-subnormal-bound-unflagged|scales.cc|hn::And(hn::Lt(hn::Abs(x), min_), hn::Ne(x, hn::Zero(d_)))|hn::FirstN(d_, 0)"
  "simd-scales-nan-bound-unflagged|scales.cc|flag(hn::Or(hn::IsNaN(x),|flag(hn::Or(hn::FirstN(d_, 0),"
  "simd-scales-narrowing-skipped|scales.cc|if (r_.narrowed) return|if (false) return"
  "simd-scales-side-flipped|scales.cc|hn::And(all, hn::Lt(s_lo, s_hi))|hn::And(all, hn::Lt(s_hi, s_lo))"
  "simd-minmax-lanes-tail-skipped|kernels.cc|for (size_t i = whole; i < n; ++i) MinMax1(d1, load(d1, at + k * stride + i), l1, h1);|"
  # The min/max passes over runs take a channel's runs kRowsABlock rows at a time in two chains:
  # a block one row short (the loop still steps a whole block), and either chain left out.
  "simd-minmax-runs-block-row-short|kernels.cc|const size_t m = std::min(kRowsABlock, end - o);|const size_t m = std::min(kRowsABlock - 1, end - o);"
  "simd-minmax-runs-second-chain-lost|kernels.cc|MergeLanes(d, hn::Min(vl, vl1), hn::Max(vh, vh1), l, h);|MergeLanes(d, vl, vh, l, h);"
  "simd-narrow32-runs-second-chain-lost|kernels.cc|        if (m > 1) a.Merge(a1);|"
  # measure_runs' tiles counted in blocks of rows: a tile's row count taken as its number of blocks
  "simd-run-tile-rows-as-blocks|simd_backend.cc|return {row, std::min(outer, r.rows().end() * simd::kRowsABlock) - row,|return {row, r.rows().size(),"
  # The min/max step with its operands swapped (a NaN element then becomes the extreme), and a
  # run's minima folded into its channel's accumulator lanes by max.
  "simd-minmax-nan-kept|kernels.cc|  lo = PickLess(v, lo);|  lo = PickLess(lo, v);"
  "simd-minmax-fold-by-max|kernels.cc|kMax ? hn::Max(a, b) : hn::Min(a, b)|hn::Max(a, b)"
  # The 16-bit min/max passes 32 elements a step (AVX-512): a NaN let into float16's extremes, the
  # odd bfloat16 lanes left out, an accumulator of the four lost, a run's steps not merged into its
  # channel; and the float16 rows kernel's parameters all taken from position 0.
  "simd-fp16-minmax-nan-kept|kernels.cc|asm(\"vminph %2, %0, %0%{%1%}\"|asm(\"vminph %2, %0, %0\""
  "simd-bf16-minmax-odd-lanes-skipped|kernels.cc|    MinMax1(d, o, lo, hi);|"
  "simd-narrow32-accumulator-lost|kernels.cc|a0.Merge(a1), a2.Merge(a3), a0.Merge(a2);|a0.Merge(a1), a0.Merge(a2);"
  "simd-narrow32-run-not-merged|kernels.cc|        MergeInto(a, lanes, l, h);|"
  "simd-runs-parameters-of-channel-0|kernels.cc|      const auto step_of = make_step(rp.params[ch]);|      const auto step_of = make_step(rp.params[0]);"
  "simd-fp16-rows-parameters-of-position-0|kernels.cc|QuantizeF16x32<r, c>(x + i, F16Lanes(p.f16, walk.pos))|QuantizeF16x32<r, c>(x + i, F16Lanes(p.f16, 0))"
  "simd-narrow-rows-inverse-of-position-0|kernels.cc|(dv, x + i, hn::LoadU(dv, p.scale + k), hn::LoadU(dv, p.inv + k),|(dv, x + i, hn::LoadU(dv, p.scale + k), hn::LoadU(dv, p.inv),"
  "simd-rows-position-never-wraps|kernels.cc|      if (pos >= length) pos -= length;|"
  "simd-minmax-rows-block-skips-a-row|kernels.cc|for (size_t r = 0; r < kRows; ++r) MinMax1(d, load(d,|for (size_t r = 0; r < (kRows > 1 ? kRows - 1 : 1); ++r) MinMax1(d, load(d,"
  "simd-wide-rows-fold-skips-a-row|simd_backend.cc|simd::min_max_rows(part.second.data() + L, k - 1, L,|simd::min_max_rows(part.second.data() + L, k > 1 ? k - 2 : 0, L,"
  "simd-wide-rows-rest-left-out|simd_backend.cc|  if (outer % k != 0) {|  if (false) {"
  "simd-minmax-lanes-reduced-as-one|simd_backend.cc|lo.size(), lanes, lo.data(), hi.data());|lo.size(), 1, lo.data(), hi.data());"
)

survivors=0
printf '%-30s %s\n' "mutant" "caught by (passing cases before the failing one)"
for m in "${mutants[@]}"; do
  [[ ${m%%|*} =~ $only ]] || continue
  if [[ $m == cuda-* ]]; then
    IFS='|' read -r name file from to <<<"$m"
    target=$scratch/src/impl/cuda/core/$file
  elif [[ $m == ref-* ]]; then
    IFS='|' read -r name file from to <<<"$m"
    target=$scratch/src/reference/$file
  elif [[ $m == simd-* ]]; then
    IFS='|' read -r name file from to <<<"$m"
    target=$scratch/src/impl/cpu/simd/$file
  else
    IFS='|' read -r name from to <<<"$m"
    target=$scratch/src/impl/cpu/scalar/scalar_backend.cc
  fi
  [ -n "${last:-}" ] && cp "$scratch/original/${last#"$scratch/src/"}" "$last"  # undo the previous mutant
  last=$target
  python3 - "$target" "$from" "$to" <<'PY'
import sys
path, old, new = sys.argv[1], sys.argv[2].replace("\\&", "&"), sys.argv[3].replace("\\&", "&")
text = open(path).read()
if text.count(old) != 1:
    sys.exit("mutant does not apply: %r occurs %d times" % (old, text.count(old)))
open(path, "w").write(text.replace(old, new))
PY
  if [[ $name == ref-* ]]; then
    cmake --build "$scratch/build" --target rounding_traps_test fixed_arith_test qdq >/dev/null
    # The tests that reported a failure (or crashed: a mutant may divide by a zero it makes), then
    # the GMP path's failed cases against the fast path.
    caught=""
    for t in rounding_traps_test fixed_arith_test; do
      found=$({ RC_PARAMS="seed=20261202 max_success=20000" "$scratch/build/bin/$t" 2>&1; echo "exit $?"; } | python3 -c '
import re, sys
text = sys.stdin.read()
status = text.rsplit("exit ", 1)[1].strip()
found = []
for block in re.split(r"\[ RUN      \] ", text)[1:]:
    test = block.split("\n", 1)[0]
    if "Failure" in block or "Falsifiable" in block:
        ended = "[       OK ]" in block or "[  FAILED  ]" in block
        found.append(test + ("" if ended else " (then the binary ended: exit status " + status + ")"))
print(", ".join(found))')
      [ -n "$found" ] && caught="${caught:+$caught, }$found"
    done
    run=$("$scratch/build/bin/qdq" conformance --suite known --suite edge --suite traps --backend reference-gmp 2>/dev/null; echo "exit $?")
    failed=$(printf '%s\n' "$run" | sed -n 's/^qdq conformance: [0-9]* passed, \([0-9]*\) failed$/\1/p')
    status=$(printf '%s\n' "$run" | tail -1)
    if [ "${failed:-0}" -gt 0 ]; then caught="${caught:+$caught, }reference-gmp vs the fast path ($failed failed cases)"
    elif [ "$status" != "exit 0" ]; then caught="${caught:+$caught, }reference-gmp vs the fast path (qdq ended: $status)"; fi
  elif [[ $name == simd-* ]]; then
    cmake --build "$scratch/build" --target cpu_simd_test >/dev/null
    caught=$({ "$scratch/build/bin/cpu_simd_test" 2>&1 || true; } | sed -n 's/^\[  FAILED  \] \([A-Za-z0-9_./]*\) (.*/\1/p' | paste -sd, -)
  else
    cmake --build "$scratch/build" --target fuzz_properties_test >/dev/null
    out=$(RC_PARAMS="seed=20261127 max_success=5000" "$scratch/build/bin/fuzz_properties_test" \
            --gtest_filter='Properties.*' 2>&1 || true)
    caught=$(printf '%s\n' "$out" | python3 -c '
import re, sys
text = sys.stdin.read()
found = []
for block in re.split(r"\[ RUN      \] ", text)[1:]:
    test = block.split("\n", 1)[0]
    m = re.search(r"Falsifiable after (\d+) tests", block)
    if "[  FAILED  ]" in block and m:
        found.append("%s (%d)" % (test.replace("Properties.", ""), int(m.group(1)) - 1))
print(", ".join(found))')
  fi
  if [[ $name == cuda-* ]]; then
    # The CUDA core's indexing shows on tensors larger than the properties make: the layout suite
    # on cuda-host, as CTest's qdq.conformance_host_backends runs it, is asked too.
    cmake --build "$scratch/build" --target qdq >/dev/null
    failed=$({ "$scratch/build/bin/qdq" conformance --suite layout --backend cuda-host 2>/dev/null || true; } |
               sed -n 's/^qdq conformance: [0-9]* passed, \([0-9]*\) failed$/\1/p')
    if [ "${failed:-0}" -gt 0 ]; then caught="${caught:+$caught, }layout suite ($failed failed cases)"; fi
    # and the core's own tests (indexing and alignment of every launch, the 16-bit pairs' words)
    cmake --build "$scratch/build" --target cuda_core_test >/dev/null
    core=$({ "$scratch/build/bin/cuda_core_test" 2>&1 || true; } | sed -n 's/^\[  FAILED  \] \([A-Za-z0-9_./]*\) (.*/\1/p' | paste -sd, -)
    if [ -n "$core" ]; then caught="${caught:+$caught, }$core"; fi
  fi
  if [ -z "$caught" ]; then
    caught="SURVIVED"
    [ "$name" = ftz-missing-alone ] && caught="survived (equivalent mutant, expected)" || survivors=$((survivors + 1))
  fi
  printf '%-30s %s\n' "$name" "$caught"
done
cp "$scratch/original/${last#"$scratch/src/"}" "$last"
exit $((survivors > 0))
