/* A port of TensorFlow's CPU kernel of QuantizeAndDequantizeV4 and V4Grad for float32, in plain
 * C: what a kernel under test looks like behind the qdq plug-in ABI. tf_cpu_float32.c exports it;
 * the broken_*.c plug-ins reuse it with one defect each. */
#ifndef TF_CPU_FLOAT32_KERNEL_H_
#define TF_CPU_FLOAT32_KERNEL_H_

#include <qdq/plugin.h>

/* 1 for the profile "tf-cpu" (TF 2.21's CPU kernel) with float32, either op. */
int32_t kernel_supports(const char* profile, int32_t dtype, int32_t op);

/* HALF_TO_EVEN's rounding of v * scale to an integer value (the port uses nearbyintf). */
typedef float (*round_fn)(float);

/* The ops: TF's checks with TF's messages, then the arithmetic in float32 with x86's flush to zero
 * and denormals-are-zero set, as TF's CPU threads run. */
int32_t kernel_forward(const qdq_call* call, round_fn half_to_even);
int32_t kernel_gradient(const qdq_call* call);

#endif
