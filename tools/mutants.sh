#!/usr/bin/env bash
# Proof that the quick fuzzing bites: plants known defects, one at a time, into a copy of the
# scalar backend (impl/cpu/scalar/scalar_backend.cc, in a scratch copy of the tree) and runs the
# property tests as CTest's `quick` label runs them (fixed seed, 5,000 cases a property). Prints,
# per mutant, the properties that caught it and after how many passing cases; exits 1 if a mutant
# survives. Takes a few minutes (one build of the copy, then one small rebuild per mutant).
#   tools/mutants.sh [SCRATCH_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
scratch=${1:-/tmp/qdq-mutants}
mkdir -p "$scratch/src"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$scratch/src"
cmake -S "$scratch/src" -B "$scratch/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
target=$scratch/src/impl/cpu/scalar/scalar_backend.cc
cp "$target" "$scratch/original.cc"

# name | text in scalar_backend.cc | replacement
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
)

survivors=0
printf '%-30s %s\n' "mutant" "caught by (passing cases before the failing one)"
for m in "${mutants[@]}"; do
  IFS='|' read -r name from to <<<"$m"
  cp "$scratch/original.cc" "$target"
  python3 - "$target" "$from" "$to" <<'PY'
import sys
path, old, new = sys.argv[1], sys.argv[2].replace("\\&", "&"), sys.argv[3].replace("\\&", "&")
text = open(path).read()
if text.count(old) != 1:
    sys.exit("mutant does not apply: %r occurs %d times" % (old, text.count(old)))
open(path, "w").write(text.replace(old, new))
PY
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
  if [ -z "$caught" ]; then
    caught="SURVIVED"
    [ "$name" = ftz-missing-alone ] && caught="survived (equivalent mutant, expected)" || survivors=$((survivors + 1))
  fi
  printf '%-30s %s\n' "$name" "$caught"
done
cp "$scratch/original.cc" "$target"
exit $((survivors > 0))
