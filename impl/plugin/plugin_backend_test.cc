// The plug-in backends: answers equal in and out of process, a crash or a hang costs only the case
// it happened on, load errors name their cause, the ABI's output checks, and the wire's decoding
// of what the plug-in process sends (every truncation and lie refused, never read out of bounds).
#include "impl/plugin/plugin_backend.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "impl/plugin/abi_call.h"
#include "impl/plugin/wire.h"
#include "reference/exact/reference_backend.h"

namespace qdq::plugin {
namespace {

std::string example(const std::string& name) { return std::string(QDQ_EXAMPLE_PLUGINS) + "/" + name + ".so"; }

Tensor floats(Shape shape, std::vector<float> values) {
  std::vector<std::uint64_t> bits;
  for (float v : values) bits.push_back(std::bit_cast<std::uint32_t>(v));
  return make_tensor(DType::Float32, std::move(shape), bits);
}

OpCase forward_case(std::vector<float> values) {
  OpCase c;
  c.input = floats({static_cast<std::int64_t>(values.size())}, values);
  c.input_min = floats({}, {0});
  c.input_max = floats({}, {0});
  return c;
}

OpCase gradient_case() {
  OpCase c;
  c.op = Op::Gradient;
  c.input = floats({3}, {-2, 0.5f, 3});
  c.gradients = floats({3}, {1, 2, 3});
  c.input_min = floats({}, {-1});
  c.input_max = floats({}, {1});
  return c;
}

const float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(PluginBackend, IsolatedAndInProcessAnswerAsTheReference) {
  IsolatedBackend isolated(example("tf_cpu_float32"), 10);
  InProcessBackend in_process(example("tf_cpu_float32"));
  ReferenceBackend reference;
  EXPECT_EQ(isolated.name(), "plugin tf_cpu_float32");
  EXPECT_TRUE(isolated.supports_op(Op::Gradient, ProfileId::TfCpu, DType::Float32));
  EXPECT_FALSE(isolated.supports(ProfileId::TfXla, DType::Float32));
  EXPECT_FALSE(isolated.supports(ProfileId::TfCpu, DType::Float64));
  OpCase rejected = forward_case({1, 2});
  rejected.attrs.num_bits = 0;
  const std::vector<OpCase> cases = {forward_case({-1, -0.5f, 0, 0.3f}), gradient_case(), rejected, forward_case({})};
  std::vector<const OpCase*> batch;
  for (const OpCase& c : cases) batch.push_back(&c);
  const std::vector<BatchAnswer> a = isolated.run_batch(batch), b = in_process.run_batch(batch);
  ASSERT_EQ(a.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Outcome expected = reference.run(cases[i]);
    EXPECT_EQ(a[i].failure, "") << i;
    EXPECT_EQ(a[i].outcome.status, expected.status) << i;
    EXPECT_EQ(a[i].outcome.outputs, expected.outputs) << i;
    EXPECT_EQ(b[i].outcome.status, a[i].outcome.status) << i;
    EXPECT_EQ(b[i].outcome.outputs, a[i].outcome.outputs) << i;
  }
  EXPECT_EQ(a[2].outcome.status.message, "num_bits is out of range: 0 with signed_input_ 1");
}

TEST(PluginBackend, ACrashFailsOnlyItsCaseAndTheRestAreAnswered) {
  IsolatedBackend b(example("broken_segfault_on_nan"), 10);
  const OpCase good = forward_case({-1, 0.25f, 1}), bad = forward_case({1, kNaN});
  const std::vector<const OpCase*> batch = {&good, &bad, &good, &bad, &good};
  const std::vector<BatchAnswer> a = b.run_batch(batch);
  const Outcome expected = ReferenceBackend().run(good);
  for (std::size_t i : {0, 2, 4}) {
    EXPECT_EQ(a[i].failure, "") << i;
    EXPECT_EQ(a[i].outcome.outputs, expected.outputs) << i;
  }
  for (std::size_t i : {1, 3}) EXPECT_NE(a[i].failure.find("killed by signal 11 (SIGSEGV"), std::string::npos) << a[i].failure;
  EXPECT_THROW(b.run(bad), std::runtime_error);
  EXPECT_EQ(b.run(good).outputs, expected.outputs);  // restarted once more
}

TEST(PluginBackend, AHangIsCutOffAfterTheCaseTimeout) {
  IsolatedBackend b(example("broken_hang_on_empty"), 0.5);
  const OpCase empty = forward_case({}), good = forward_case({2, 3});
  const std::vector<const OpCase*> batch = {&good, &empty, &good};
  const std::vector<BatchAnswer> a = b.run_batch(batch);
  EXPECT_EQ(a[0].failure, "");
  EXPECT_NE(a[1].failure.find("no answer within 0.5 s (--case-timeout): the plug-in hung"), std::string::npos) << a[1].failure;
  EXPECT_EQ(a[2].failure, "");
  EXPECT_EQ(a[2].outcome.outputs, ReferenceBackend().run(good).outputs);
}

TEST(PluginBackend, LoadErrorsNameTheirCause) {
  auto message = [](const std::string& path, bool isolated) {
    try {
      if (isolated) IsolatedBackend b(path, 10);
      else InProcessBackend b(path);
    } catch (const LoadError& e) {
      return std::string(e.what());
    }
    return std::string("loaded");
  };
  for (bool isolated : {true, false}) {
    EXPECT_NE(message(example("broken_abi_version"), isolated).find("speaks plug-in ABI version 2; this harness speaks version 1"),
              std::string::npos);
    EXPECT_NE(message(example("broken_missing_entry"), isolated).find("has no symbol qdq_plugin_entry"), std::string::npos);
    EXPECT_NE(message("/nonexistent/plugin.so", isolated).find("does not load"), std::string::npos);
  }
}

// A plug-in written here, one behaviour per test (captureless lambdas are C function pointers).
qdq_plugin fake(std::int32_t (*forward)(const qdq_call*)) {
  return {QDQ_PLUGIN_ABI_VERSION, sizeof(qdq_plugin), "fake", [](const char*, std::int32_t, std::int32_t) { return 1; }, forward,
          forward};
}

TEST(AbiCall, ChecksWhatThePluginReturns) {
  const OpCase c = forward_case({1, 2, 3});
  auto failure = [&](std::int32_t (*f)(const qdq_call*)) { return call_plugin(fake(f), c).failure; };
  EXPECT_EQ(failure([](const qdq_call*) { return 0; }), "the plug-in returned OK without allocating output 0");
  EXPECT_EQ(failure([](const qdq_call*) { return 77; }), "the plug-in returned 77, which is no qdq_code");
  EXPECT_EQ(failure([](const qdq_call* k) {
              k->allocate_output(k->result, 1, 0, nullptr);
              return 0;
            }),
            "the plug-in returned OK after allocate_output(1, ...) refused: the op has 1 output(s)");
  EXPECT_EQ(failure([](const qdq_call* k) {
              const std::int64_t huge[] = {std::int64_t{1} << 40};
              return k->allocate_output(k->result, 0, 1, huge) ? 0 : 0;
            }),
            "the plug-in returned OK after allocate_output(0, ...) refused: shape [1099511627776] has 1099511627776 elements; "
            "the case's output [3] has 3");
  EXPECT_EQ(failure([](const qdq_call* k) {
              const std::int64_t negative[] = {-3};
              k->allocate_output(k->result, 0, 1, negative);
              return 0;
            }),
            "the plug-in returned OK after allocate_output(0, ...) refused: shape [-3] has a negative dimension or too many elements");
  EXPECT_EQ(failure([](const qdq_call* k) {
              k->allocate_output(k->result, 0, 1, k->input.dims);
              k->allocate_output(k->result, 0, 1, k->input.dims);
              return 0;
            }),
            "the plug-in returned OK after allocate_output(0, ...) refused: output 0 is already allocated");
  const BatchAnswer rejected = call_plugin(fake([](const qdq_call* k) {
                                             k->set_message(k->result, "no");
                                             return 3;
                                           }),
                                           c);
  EXPECT_EQ(rejected.failure, "");
  EXPECT_EQ(rejected.outcome.status, (Status{Code::InvalidArgument, "no"}));
  // A wrongly shaped output within the allowance is the plug-in's answer, for the comparison to judge.
  const BatchAnswer short_output = call_plugin(fake([](const qdq_call* k) {
                                                 const std::int64_t two[] = {2};
                                                 k->allocate_output(k->result, 0, 1, two);
                                                 return 0;
                                               }),
                                               c);
  ASSERT_EQ(short_output.failure, "");
  EXPECT_EQ(short_output.outcome.outputs.at(0).shape, (Shape{2}));
}

TEST(Wire, EveryTruncationOfAnAnswerIsRefused) {
  const OpCase c = gradient_case();
  const Outcome o = ReferenceBackend().run(c);
  const std::vector<std::uint8_t> payload = wire::encode_outcome(o);
  const Outcome back = wire::decode_outcome(payload, c);
  EXPECT_EQ(back.outputs, o.outputs);
  for (std::size_t n = 0; n < payload.size(); ++n) {
    EXPECT_THROW(wire::decode_outcome(std::vector<std::uint8_t>(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(n)), c),
                 wire::WireError)
        << n;
  }
  std::vector<std::uint8_t> longer = payload;
  longer.push_back(0);
  EXPECT_THROW(wire::decode_outcome(longer, c), wire::WireError);
}

TEST(Wire, LiesAboutShapesAndKindsAreRefused) {
  const OpCase c = forward_case({1, 2, 3});
  Outcome o = ReferenceBackend().run(c);
  o.outputs[0].shape = {1 << 30};  // claims far more elements than its bytes
  EXPECT_THROW(wire::decode_outcome(wire::encode_outcome(o), c), wire::WireError);
  o.outputs[0].shape = {std::numeric_limits<std::int64_t>::max(), 4};  // overflows int64
  EXPECT_THROW(wire::decode_outcome(wire::encode_outcome(o), c), wire::WireError);
  o = ReferenceBackend().run(c);
  o.outputs[0].dtype = DType::Float64;
  o.outputs[0].bytes.resize(24);
  EXPECT_THROW(wire::decode_outcome(wire::encode_outcome(o), c), wire::WireError);
  o = ReferenceBackend().run(c);
  o.outputs.push_back(o.outputs[0]);  // two outputs for the forward op
  EXPECT_THROW(wire::decode_outcome(wire::encode_outcome(o), c), wire::WireError);

  std::vector<std::uint8_t> header = wire::frame(wire::Kind::Answer, std::vector<std::uint8_t>(100));
  EXPECT_THROW(wire::read_header(header.data(), 99), wire::WireError);
  EXPECT_EQ(wire::read_header(header.data(), 100).second, 100u);
  header[0] = 9;
  EXPECT_THROW(wire::read_header(header.data(), 100), wire::WireError);
}

TEST(Wire, CasesRoundTrip) {
  for (const OpCase& c : {forward_case({1, kNaN, -0.0f}), gradient_case()}) {
    const OpCase back = wire::decode_case(wire::encode_case(c));
    EXPECT_EQ(back.op, c.op);
    EXPECT_EQ(back.attrs, c.attrs);
    EXPECT_EQ(back.input, c.input);
    EXPECT_EQ(back.input_min, c.input_min);
    EXPECT_EQ(back.input_max, c.input_max);
    EXPECT_EQ(back.gradients, c.gradients);
  }
}

}  // namespace
}  // namespace qdq::plugin
