#pragma once
/// \file
/// Convolution and batch normalisation with a fast double backward, for second-order MAML.
///
/// Second-order MAML differentiates the inner loop's gradients, so every convolution and
/// BatchNorm of every inner step is differentiated twice. torch's generic double backwards are
/// slow on the CPU: BatchNorm's is about twenty separate full-size tensor operations, and the
/// convolution's computes one term with a non-oneDNN transposed convolution
/// (slow_conv_transpose2d) and another with a convolution over transposed tensors.
///
/// These functions compute the same forward and first backward with the same torch kernels
/// (oneDNN convolution, native batch norm), but their first backward is itself a custom
/// autograd function whose backward is
///  - for the convolution: three oneDNN convolution calls (a forward for the gradient of the
///    output gradient, the input- and the weight-gradient kernels for the other two terms);
///  - for BatchNorm: three passes of plain loops per channel.
/// Beyond second order (a backward of the double backward), they fall back to differentiable
/// torch operations, so any order still works. Results equal torch's up to float rounding
/// (tests/core/test_second_order_ops.cpp compares all three orders).
///
/// Conv4Options::torchOperators switches Conv-4 back to torch's own operators, for the
/// benchmark's ablation.

#include <torch/torch.h>

namespace maml {

/// conv2d(x, weight, bias) with stride 1 and the given zero padding. Float32 CPU tensors take
/// the fast path; anything else goes to torch's conv2d.
torch::Tensor conv2dSecondOrder(const torch::Tensor& x, const torch::Tensor& weight,
                                const torch::Tensor& bias, int64_t padding);

/// batch_norm(x, weight, bias) with batch statistics (training mode, no running statistics),
/// for x [n, c, h, w]. Float32 CPU tensors take the fast path; anything else goes to torch.
torch::Tensor batchNormSecondOrder(const torch::Tensor& x, const torch::Tensor& weight,
                                   const torch::Tensor& bias, double eps);

/// maxPool2x2(batchNormSecondOrder(x, weight, bias, eps)) as one autograd function: its first
/// backward keeps the pooled gradient (a quarter of the size) and the pool's 1-byte codes
/// instead of the full-size, three-quarters-zero gradient a separate BatchNorm would keep for
/// its double backward. Same values; float32 CPU tensors take the fast path.
torch::Tensor batchNormMaxPoolSecondOrder(const torch::Tensor& x, const torch::Tensor& weight,
                                          const torch::Tensor& bias, double eps);

} // namespace maml
