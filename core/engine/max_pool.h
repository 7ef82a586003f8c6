#pragma once
/// \file
/// 2x2 max-pooling with stride 2 for Conv-4, written for second-order MAML.
///
/// torch's max_pool2d keeps its whole input and 64-bit indices alive for the backward, and its
/// CPU kernel is slow on NCHW tensors. In second-order MAML the pool's input is a BatchNorm
/// output of every inner step, the largest tensor of the graph. maxPool2x2 keeps one byte per
/// output (which of the four window positions won) and runs plain loops; its backward is again
/// a differentiable function (unpool, whose backward is a gather by the same codes), so
/// create_graph works to any order. Values and gradients equal torch's max_pool2d(x, 2)
/// exactly: the first maximum in row-major order wins ties, NaN wins like in torch, odd last
/// rows and columns are dropped.

#include <torch/torch.h>

namespace maml {

/// max_pool2d(x, kernel 2, stride 2) for x [n, c, h, w]. Float32 CPU tensors take the fast
/// path; any other tensor goes to torch's max_pool2d.
torch::Tensor maxPool2x2(const torch::Tensor& x);

/// The kernels, for operators that fuse the pool with what comes before it
/// (second_order_ops.h). All take contiguous-able float32 CPU tensors [n, c, h, w].
namespace detail {
/// The pooled values and the 1-byte code (2 * row + column of the winner) of every window.
std::pair<torch::Tensor, torch::Tensor> poolForward(const torch::Tensor& x);
/// g [n, c, h/2, w/2] placed at the winning positions of a [n, c, h, w] tensor, 0 elsewhere.
torch::Tensor unpool(const torch::Tensor& grad, const torch::Tensor& code, int64_t h, int64_t w);
/// The value at the winning position of every window (the adjoint of unpool).
torch::Tensor gather(const torch::Tensor& x, const torch::Tensor& code);
/// unpool and gather as autograd functions (each the other's backward).
torch::Tensor unpoolDifferentiable(const torch::Tensor& grad, const torch::Tensor& code, int64_t h,
                                   int64_t w);
torch::Tensor gatherDifferentiable(const torch::Tensor& x, const torch::Tensor& code);
} // namespace detail

} // namespace maml
