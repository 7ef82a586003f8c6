#include "core/engine/second_order_ops.h"

#include "core/engine/max_pool.h"

#include <ATen/Parallel.h>

#include <cstdlib>
#include <sstream>

namespace maml {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// ---------------------------------------------------------------------------------------------
// Convolution
//
// y = conv(x, w) + b. First backward: gx = conv_transpose(gy, w), gw = conv_weight_grad(x, gy),
// gb = sum(gy). Its backward, given the incoming Gx, Gw, Gb:
//   d/dgy = conv(Gx, w) + conv(x, Gw) + Gb
//   d/dx  = input gradient of a convolution with weight Gw, for output gradient gy
//   d/dw  = weight gradient of a convolution with input Gx, for output gradient gy
// All three are oneDNN calls. at::convolution and at::convolution_backward are themselves
// differentiable, so under grad mode (a third order) the same code records a graph.

torch::Tensor convForward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b,
                          int64_t padding)
{
    return at::convolution(x, w, b, {1, 1}, {padding, padding}, {1, 1}, /*transposed=*/false, {0, 0}, 1);
}

std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> convBackward(const torch::Tensor& gy,
                                                                     const torch::Tensor& x,
                                                                     const torch::Tensor& w, int64_t padding,
                                                                     std::array<bool, 3> mask)
{
    const std::vector<int64_t> biasSizes{w.size(0)};
    return at::convolution_backward(
        gy, x, w, mask[2] ? c10::optional<at::IntArrayRef>(biasSizes) : c10::nullopt, {1, 1},
        {padding, padding}, {1, 1}, /*transposed=*/false, {0, 0}, 1, mask);
}

/// The first backward as a function of (gy, x, w), so that it can be differentiated.
/// Outputs: gw, gb, and gx only when the convolution's input needs a gradient (the first
/// block's images do not), so no output is ever undefined.
struct ConvBackwardFn : torch::autograd::Function<ConvBackwardFn> {
    static tensor_list forward(AutogradContext* ctx, const torch::Tensor& gy, const torch::Tensor& x,
                               const torch::Tensor& w, int64_t padding, bool needInputGrad)
    {
        ctx->set_materialize_grads(false);
        ctx->save_for_backward({gy, x, w});
        ctx->saved_data["padding"] = padding;
        ctx->saved_data["needInputGrad"] = needInputGrad;
        auto [gx, gw, gb] = convBackward(gy, x, w, padding, {needInputGrad, true, true});
        if (needInputGrad)
            return {gw, gb, gx};
        return {gw, gb};
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto &gy = saved[0], &x = saved[1], &w = saved[2];
        const int64_t padding = ctx->saved_data["padding"].toInt();
        const bool needInputGrad = ctx->saved_data["needInputGrad"].toBool();
        const torch::Tensor Gw = grads[0], Gb = grads[1];
        const torch::Tensor Gx = needInputGrad ? grads[2] : torch::Tensor();

        torch::Tensor ggy;
        if (Gw.defined())
            ggy = convForward(x, Gw, Gb, padding);
        else if (Gb.defined())
            ggy = Gb.view({1, -1, 1, 1}).expand(gy.sizes()).clone();
        if (Gx.defined()) {
            auto term = convForward(Gx, w, torch::Tensor(), padding);
            ggy = ggy.defined() ? ggy + term : term;
        }
        torch::Tensor gx, gw;
        if (Gw.defined() && ctx->needs_input_grad(1))
            gx = std::get<0>(convBackward(gy, x, Gw, padding, {true, false, false}));
        if (Gx.defined() && ctx->needs_input_grad(2))
            gw = std::get<1>(convBackward(gy, Gx, w, padding, {false, true, false}));
        return {ggy, gx, gw, torch::Tensor(), torch::Tensor()};
    }
};

struct ConvFn : torch::autograd::Function<ConvFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& w,
                                 const torch::Tensor& b, int64_t padding)
    {
        ctx->save_for_backward({x, w});
        ctx->saved_data["padding"] = padding;
        return convForward(x, w, b, padding);
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto &x = saved[0], &w = saved[1];
        const int64_t padding = ctx->saved_data["padding"].toInt();
        const bool needX = ctx->needs_input_grad(0);
        if (torch::GradMode::is_enabled()) {
            auto out = ConvBackwardFn::apply(grads[0], x, w, padding, needX);
            return {needX ? out[2] : torch::Tensor(), out[0], out[1], torch::Tensor()};
        }
        auto [gx, gw, gb] = convBackward(grads[0], x, w, padding,
                                         {needX, ctx->needs_input_grad(1), ctx->needs_input_grad(2)});
        return {gx, gw, gb, torch::Tensor()};
    }
};

// ---------------------------------------------------------------------------------------------
// Batch normalisation with batch statistics
//
// Per channel, over its M = n*h*w elements: xhat = (x - mean) * invstd, y = gamma * xhat + beta.
// First backward (torch's native kernel): with a = gamma * invstd, m1 = mean(gy),
// m2 = mean(gy * xhat): gx = a * (gy - m1 - xhat * m2), dgamma = sum(gy * xhat), dbeta = sum(gy).
// Its backward, given the incoming Gx, Ggamma, Gbeta (mG = mean(Gx), mGx = mean(Gx * xhat),
// S = sum(Gx * gy) - M * (mG * m1 + mGx * m2)):
//   d/dgy    = a * (Gx - mG - xhat * mGx) + Ggamma * xhat + Gbeta
//   d/dgamma = invstd * S
//   d/dx     = invstd * (H - mean(H) - xhat * mean(H * xhat)) - gamma * S * invstd^2 * xhat / M
//              where H = a * (-gy * mGx - m2 * Gx) + Ggamma * gy
// (H is the gradient with respect to xhat at fixed invstd; the last term is the path through
// invstd.) Computed in three passes per channel (bnDoubleBackwardFused).

struct BnSaved {
    torch::Tensor gy, x, gamma, mean, invstd;
};

/// The double backward as differentiable torch operations (used under grad mode, i.e. for a
/// third order; the third-order tests exercise it). Recomputes the statistics from x so that
/// their dependence on x is part of the graph.
tensor_list bnDoubleBackwardOps(const BnSaved& s, const torch::Tensor& Gx, const torch::Tensor& Gg,
                                const torch::Tensor& Gb, double eps)
{
    const std::vector<int64_t> dims{0, 2, 3};
    const auto view = [](const torch::Tensor& t) { return t.view({1, -1, 1, 1}); };
    const double M = static_cast<double>(s.x.numel() / s.x.size(1));
    const auto mean = s.x.mean(dims, true);
    const auto invstd = ((s.x - mean).pow(2).mean(dims, true) + eps).rsqrt();
    const auto xhat = (s.x - mean) * invstd;
    const auto a = view(s.gamma) * invstd;
    const auto m1 = s.gy.mean(dims, true);
    const auto m2 = (s.gy * xhat).mean(dims, true);
    const auto G = Gx.defined() ? Gx : torch::zeros_like(s.x);
    const auto mG = G.mean(dims, true);
    const auto mGx = (G * xhat).mean(dims, true);
    auto ggy = a * (G - mG - xhat * mGx);
    auto H = a * (-s.gy * mGx - m2 * G);
    if (Gg.defined()) {
        ggy = ggy + view(Gg) * xhat;
        H = H + view(Gg) * s.gy;
    }
    if (Gb.defined())
        ggy = ggy + view(Gb);
    const auto S = (G * s.gy).sum(dims, true) - M * (mG * m1 + mGx * m2);
    const auto dgamma = (invstd * S).view({-1});
    const auto gx = invstd * (H - H.mean(dims, true) - xhat * (H * xhat).mean(dims, true)) -
                    view(s.gamma) * S * invstd * invstd * xhat / M;
    return {ggy, gx, dgamma};
}

/// The same in plain loops: three passes per channel over contiguous float32 tensors.
tensor_list bnDoubleBackwardFused(const BnSaved& s, const torch::Tensor& GxIn, const torch::Tensor& GgIn,
                                  const torch::Tensor& GbIn)
{
    const auto gy = s.gy.contiguous(), x = s.x.contiguous();
    // An undefined incoming gradient counts as zero (MAML always brings one for gx).
    const auto Gx = GxIn.defined() ? GxIn.contiguous() : torch::zeros_like(x);
    const auto gamma = s.gamma.contiguous(), mean = s.mean.contiguous(), invstd = s.invstd.contiguous();
    const auto Gg = GgIn.defined() ? GgIn.contiguous() : GgIn;
    const auto Gb = GbIn.defined() ? GbIn.contiguous() : GbIn;
    const int64_t N = x.size(0), C = x.size(1), HW = x.numel() / (N * C);
    const double M = static_cast<double>(N * HW);

    auto ggy = torch::empty_like(x), gx = torch::empty_like(x), dgamma = torch::empty({C}, x.options());
    const float *gyp = gy.data_ptr<float>(), *xp = x.data_ptr<float>();
    const float* Gxp = Gx.data_ptr<float>();
    const float *gammap = gamma.data_ptr<float>(), *meanp = mean.data_ptr<float>(),
                *ivp = invstd.data_ptr<float>();
    const float* Ggp = Gg.defined() ? Gg.data_ptr<float>() : nullptr;
    const float* Gbp = Gb.defined() ? Gb.data_ptr<float>() : nullptr;
    float *ggyp = ggy.data_ptr<float>(), *gxp = gx.data_ptr<float>(), *dgp = dgamma.data_ptr<float>();

    // Sums run in kLanes float partial sums along a row (at most h*w elements), added to double
    // per row: independent lanes let the compiler vectorise without reordering a single sum.
    constexpr int kLanes = 8;
    at::parallel_for(0, C, 1, [&](int64_t begin, int64_t end) {
        for (int64_t c = begin; c < end; ++c) {
            const float mu = meanp[c], iv = ivp[c], g = gammap[c], a = g * iv;
            // Pass 1: the sums of the first backward and of the incoming gradient.
            double sGy = 0, sGyXh = 0, sG = 0, sGXh = 0, sGGy = 0;
            for (int64_t n = 0; n < N; ++n) {
                const int64_t off = (n * C + c) * HW;
                const float *xr = xp + off, *dyr = gyp + off, *Gr = Gxp + off;
                float l0[kLanes] = {}, l1[kLanes] = {}, l2[kLanes] = {}, l3[kLanes] = {}, l4[kLanes] = {};
                int64_t k = 0;
                for (; k + kLanes <= HW; k += kLanes)
                    for (int l = 0; l < kLanes; ++l) {
                        const float xh = (xr[k + l] - mu) * iv, dy = dyr[k + l], G = Gr[k + l];
                        l0[l] += dy;
                        l1[l] += dy * xh;
                        l2[l] += G;
                        l3[l] += G * xh;
                        l4[l] += G * dy;
                    }
                for (; k < HW; ++k) {
                    const float xh = (xr[k] - mu) * iv, dy = dyr[k], G = Gr[k];
                    l0[0] += dy;
                    l1[0] += dy * xh;
                    l2[0] += G;
                    l3[0] += G * xh;
                    l4[0] += G * dy;
                }
                for (int l = 0; l < kLanes; ++l) {
                    sGy += l0[l];
                    sGyXh += l1[l];
                    sG += l2[l];
                    sGXh += l3[l];
                    sGGy += l4[l];
                }
            }
            const double m1 = sGy / M, m2 = sGyXh / M, mG = sG / M, mGx = sGXh / M;
            const double S = sGGy - M * (mG * m1 + mGx * m2);
            dgp[c] = static_cast<float>(iv * S);
            const float gg = Ggp ? Ggp[c] : 0.f, gb = Gbp ? Gbp[c] : 0.f;
            const float fm2 = static_cast<float>(m2), fmG = static_cast<float>(mG),
                        fmGx = static_cast<float>(mGx);
            // H: the gradient with respect to xhat at fixed invstd (see above).
            const auto H = [&](float dy, float G) { return a * (-dy * fmGx - fm2 * G) + gg * dy; };
            // Pass 2: d/dgy, and the sums of H.
            double sH = 0, sHXh = 0;
            for (int64_t n = 0; n < N; ++n) {
                const int64_t off = (n * C + c) * HW;
                const float *xr = xp + off, *dyr = gyp + off, *Gr = Gxp + off;
                float* out = ggyp + off;
                float l0[kLanes] = {}, l1[kLanes] = {};
                int64_t k = 0;
                for (; k + kLanes <= HW; k += kLanes)
                    for (int l = 0; l < kLanes; ++l) {
                        const float xh = (xr[k + l] - mu) * iv, G = Gr[k + l];
                        out[k + l] = a * (G - fmG - xh * fmGx) + gg * xh + gb;
                        const float h = H(dyr[k + l], G);
                        l0[l] += h;
                        l1[l] += h * xh;
                    }
                for (; k < HW; ++k) {
                    const float xh = (xr[k] - mu) * iv, G = Gr[k];
                    out[k] = a * (G - fmG - xh * fmGx) + gg * xh + gb;
                    const float h = H(dyr[k], G);
                    l0[0] += h;
                    l1[0] += h * xh;
                }
                for (int l = 0; l < kLanes; ++l) {
                    sH += l0[l];
                    sHXh += l1[l];
                }
            }
            // Pass 3: d/dx.
            const float mH = static_cast<float>(sH / M), mHx = static_cast<float>(sHXh / M);
            const float k3 = static_cast<float>(g * S * iv * iv / M);
            for (int64_t n = 0; n < N; ++n) {
                const int64_t off = (n * C + c) * HW;
                const float *xr = xp + off, *dyr = gyp + off, *Gr = Gxp + off;
                float* out = gxp + off;
                for (int64_t k = 0; k < HW; ++k) {
                    const float xh = (xr[k] - mu) * iv, G = Gr[k];
                    out[k] = iv * (H(dyr[k], G) - mH - xh * mHx) - k3 * xh;
                }
            }
        }
    });
    return {ggy, gx, dgamma};
}

BnSaved bnSaved(AutogradContext* ctx)
{
    const auto v = ctx->get_saved_variables();
    return {v[0], v[1], v[2], v[3], v[4]};
}

/// torch's native first backward with the forward's saved statistics (training mode).
std::tuple<torch::Tensor, torch::Tensor, torch::Tensor>
bnFirstBackward(const torch::Tensor& gy, const torch::Tensor& x, const torch::Tensor& gamma,
                const torch::Tensor& mean, const torch::Tensor& invstd, double eps,
                std::array<bool, 3> mask = {true, true, true})
{
    return at::native_batch_norm_backward(gy, x, gamma, {}, {}, mean, invstd, /*train=*/true, eps, mask);
}

/// The double backward: fused loops, or differentiable operations under grad mode (a third order).
tensor_list bnDoubleBackward(const BnSaved& s, const tensor_list& grads, double eps)
{
    return torch::GradMode::is_enabled() ? bnDoubleBackwardOps(s, grads[0], grads[1], grads[2], eps)
                                         : bnDoubleBackwardFused(s, grads[0], grads[1], grads[2]);
}

/// The first backward as a function of (gy, x, gamma); mean and invstd are the forward's saved
/// statistics (functions of x, which the double backward accounts for).
struct BatchNormBackwardFn : torch::autograd::Function<BatchNormBackwardFn> {
    static tensor_list forward(AutogradContext* ctx, const torch::Tensor& gy, const torch::Tensor& x,
                               const torch::Tensor& gamma, const torch::Tensor& mean,
                               const torch::Tensor& invstd, double eps)
    {
        ctx->set_materialize_grads(false);
        ctx->save_for_backward({gy, x, gamma, mean, invstd});
        ctx->saved_data["eps"] = eps;
        auto [gx, dgamma, dbeta] = bnFirstBackward(gy, x, gamma, mean, invstd, eps);
        return {gx, dgamma, dbeta};
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads)
    {
        const tensor_list out = bnDoubleBackward(bnSaved(ctx), grads, ctx->saved_data["eps"].toDouble());
        return {out[0], out[1], out[2], torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

struct BatchNormFn : torch::autograd::Function<BatchNormFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& gamma,
                                 const torch::Tensor& beta, double eps)
    {
        auto [y, mean, invstd] = at::native_batch_norm(x, gamma, beta, {}, {}, /*training=*/true, 0.0, eps);
        ctx->save_for_backward({x, gamma, mean, invstd});
        ctx->saved_data["eps"] = eps;
        return y;
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads)
    {
        const auto v = ctx->get_saved_variables();
        const double eps = ctx->saved_data["eps"].toDouble();
        if (torch::GradMode::is_enabled()) {
            auto out = BatchNormBackwardFn::apply(grads[0], v[0], v[1], v[2], v[3], eps);
            return {out[0], out[1], out[2], torch::Tensor()};
        }
        auto [gx, dgamma, dbeta] =
            bnFirstBackward(grads[0], v[0], v[1], v[2], v[3], eps,
                            {ctx->needs_input_grad(0), ctx->needs_input_grad(1), ctx->needs_input_grad(2)});
        return {gx, dgamma, dbeta, torch::Tensor()};
    }
};

// ---------------------------------------------------------------------------------------------
// BatchNorm followed by Conv-4's 2x2 max-pool, as one function
//
// The BatchNorm's first backward receives gy = unpool(gp): a full-size tensor three quarters
// zeros, which its double backward would have to keep. Fused, the function keeps the pooled
// gradient gp (a quarter of the size) and the pool's 1-byte codes, rebuilds gy when the double
// backward needs it, and hands back gather(d/dgy) as the gradient of gp.

struct BnPoolBackwardFn : torch::autograd::Function<BnPoolBackwardFn> {
    static tensor_list forward(AutogradContext* ctx, const torch::Tensor& gp, const torch::Tensor& x,
                               const torch::Tensor& gamma, const torch::Tensor& mean,
                               const torch::Tensor& invstd, const torch::Tensor& code, double eps)
    {
        ctx->set_materialize_grads(false);
        ctx->save_for_backward({gp, x, gamma, mean, invstd, code});
        ctx->saved_data["eps"] = eps;
        auto [gx, dgamma, dbeta] =
            bnFirstBackward(detail::unpool(gp, code, x.size(2), x.size(3)), x, gamma, mean, invstd, eps);
        return {gx, dgamma, dbeta};
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads)
    {
        const auto v = ctx->get_saved_variables();
        const auto &gp = v[0], &x = v[1], &code = v[5];
        const bool graph = torch::GradMode::is_enabled();
        const auto gy = graph ? detail::unpoolDifferentiable(gp, code, x.size(2), x.size(3))
                              : detail::unpool(gp, code, x.size(2), x.size(3));
        const tensor_list out =
            bnDoubleBackward({gy, x, v[2], v[3], v[4]}, grads, ctx->saved_data["eps"].toDouble());
        const auto ggp = graph ? detail::gatherDifferentiable(out[0], code) : detail::gather(out[0], code);
        return {ggp, out[1], out[2], torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

struct BnPoolFn : torch::autograd::Function<BnPoolFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& gamma,
                                 const torch::Tensor& beta, double eps)
    {
        auto [y, mean, invstd] = at::native_batch_norm(x, gamma, beta, {}, {}, /*training=*/true, 0.0, eps);
        auto [pooled, code] = detail::poolForward(y);
        ctx->save_for_backward({x, gamma, mean, invstd, code});
        ctx->saved_data["eps"] = eps;
        return pooled;
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads)
    {
        const auto v = ctx->get_saved_variables();
        const auto &x = v[0], &code = v[4];
        const double eps = ctx->saved_data["eps"].toDouble();
        if (torch::GradMode::is_enabled()) {
            auto out = BnPoolBackwardFn::apply(grads[0], x, v[1], v[2], v[3], code, eps);
            return {out[0], out[1], out[2], torch::Tensor()};
        }
        auto [gx, dgamma, dbeta] =
            bnFirstBackward(detail::unpool(grads[0], code, x.size(2), x.size(3)), x, v[1], v[2], v[3], eps,
                            {ctx->needs_input_grad(0), ctx->needs_input_grad(1), ctx->needs_input_grad(2)});
        return {gx, dgamma, dbeta, torch::Tensor()};
    }
};

bool fastPathTensor(const torch::Tensor& t)
{
    return t.defined() && t.scalar_type() == torch::kFloat32 && t.is_cpu() && t.layout() == torch::kStrided;
}

/// A 4-d input and its two parameter tensors that our kernels take.
bool fastPath(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias)
{
    return x.dim() == 4 && fastPathTensor(x) && fastPathTensor(weight) && fastPathTensor(bias);
}

bool anyNeedsGraph(std::initializer_list<const torch::Tensor*> ts)
{
    if (!torch::GradMode::is_enabled())
        return false;
    for (const auto* t : ts)
        if (t->requires_grad())
            return true;
    return false;
}

} // namespace

torch::Tensor conv2dSecondOrder(const torch::Tensor& x, const torch::Tensor& weight,
                                const torch::Tensor& bias, int64_t padding)
{
    if (!fastPath(x, weight, bias) || !anyNeedsGraph({&x, &weight, &bias}))
        return torch::conv2d(x, weight, bias, 1, padding);
    return ConvFn::apply(x, weight, bias, padding);
}

torch::Tensor batchNormSecondOrder(const torch::Tensor& x, const torch::Tensor& weight,
                                   const torch::Tensor& bias, double eps)
{
    if (!fastPath(x, weight, bias) || !anyNeedsGraph({&x, &weight, &bias}))
        return torch::batch_norm(x, weight, bias, {}, {}, /*training=*/true, 0.0, eps,
                                 /*cudnn_enabled=*/false);
    return BatchNormFn::apply(x, weight, bias, eps);
}

torch::Tensor batchNormMaxPoolSecondOrder(const torch::Tensor& x, const torch::Tensor& weight,
                                          const torch::Tensor& bias, double eps)
{
    const bool fast = fastPath(x, weight, bias) && x.size(2) >= 2 && x.size(3) >= 2;
    if (!fast || !anyNeedsGraph({&x, &weight, &bias}))
        return maxPool2x2(batchNormSecondOrder(x, weight, bias, eps));
    return BnPoolFn::apply(x, weight, bias, eps);
}

} // namespace maml
