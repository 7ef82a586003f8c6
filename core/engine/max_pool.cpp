#include "core/engine/max_pool.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <cstdint>
#include <cstring>

namespace maml {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

struct PoolShape {
    int64_t planes, h, w, ho, wo;
};

PoolShape shapeOf(int64_t n, int64_t c, int64_t h, int64_t w)
{
    return {n * c, h, w, h / 2, w / 2};
}

} // namespace

namespace detail {

/// out[p, i, j] = max of the 2x2 window, code = 2 * row + column of its first maximum.
std::pair<torch::Tensor, torch::Tensor> poolForward(const torch::Tensor& input)
{
    const auto x = input.contiguous();
    const PoolShape s = shapeOf(x.size(0), x.size(1), x.size(2), x.size(3));
    auto out = torch::empty({x.size(0), x.size(1), s.ho, s.wo}, x.options());
    auto code = torch::empty({x.size(0), x.size(1), s.ho, s.wo}, x.options().dtype(torch::kUInt8));
    const float* xp = x.data_ptr<float>();
    float* op = out.data_ptr<float>();
    uint8_t* cp = code.data_ptr<uint8_t>();
    at::parallel_for(0, s.planes, 1, [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p) {
            const float* plane = xp + p * s.h * s.w;
            float* o = op + p * s.ho * s.wo;
            uint8_t* k = cp + p * s.ho * s.wo;
            for (int64_t i = 0; i < s.ho; ++i) {
                const float* r0 = plane + 2 * i * s.w;
                const float* r1 = r0 + s.w;
                for (int64_t j = 0; j < s.wo; ++j) {
                    // torch's rule: a value replaces the maximum if it is larger or NaN. Written
                    // as selects, not branches: which position wins is random, so branches
                    // would be mispredicted about every other window.
                    float m = r0[2 * j];
                    uint8_t c = 0;
                    const float v1 = r0[2 * j + 1], v2 = r1[2 * j], v3 = r1[2 * j + 1];
                    const bool t1 = (v1 > m) | std::isnan(v1);
                    m = t1 ? v1 : m;
                    c = t1 ? 1 : c;
                    const bool t2 = (v2 > m) | std::isnan(v2);
                    m = t2 ? v2 : m;
                    c = t2 ? 2 : c;
                    const bool t3 = (v3 > m) | std::isnan(v3);
                    m = t3 ? v3 : m;
                    c = t3 ? 3 : c;
                    o[i * s.wo + j] = m;
                    k[i * s.wo + j] = c;
                }
            }
        }
    });
    return {out, code};
}

/// The gradient of the input: g at the winning position of every window, 0 elsewhere.
torch::Tensor unpool(const torch::Tensor& gradIn, const torch::Tensor& code, int64_t h, int64_t w)
{
    const auto g = gradIn.contiguous();
    const PoolShape s = shapeOf(g.size(0), g.size(1), h, w);
    const bool even = h % 2 == 0 && w % 2 == 0;
    auto out = even ? torch::empty({g.size(0), g.size(1), h, w}, g.options())
                    : torch::zeros({g.size(0), g.size(1), h, w}, g.options());
    const float* gp = g.data_ptr<float>();
    const uint8_t* cp = code.data_ptr<uint8_t>();
    float* op = out.data_ptr<float>();
    at::parallel_for(0, s.planes, 1, [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p) {
            const float* gs = gp + p * s.ho * s.wo;
            const uint8_t* k = cp + p * s.ho * s.wo;
            float* plane = op + p * s.h * s.w;
            for (int64_t i = 0; i < s.ho; ++i) {
                float* r0 = plane + 2 * i * s.w;
                float* r1 = r0 + s.w;
                // Bit masks instead of branches (the winning position is random, so branches
                // are mispredicted) or multiplications (0 * inf would give NaN).
                for (int64_t j = 0; j < s.wo; ++j) {
                    uint32_t v;
                    std::memcpy(&v, &gs[i * s.wo + j], sizeof v);
                    const uint32_t c = k[i * s.wo + j];
                    const uint32_t out[4] = {v & (0u - (c == 0)), v & (0u - (c == 1)), v & (0u - (c == 2)),
                                             v & (0u - (c == 3))};
                    std::memcpy(&r0[2 * j], &out[0], 2 * sizeof(float));
                    std::memcpy(&r1[2 * j], &out[2], 2 * sizeof(float));
                }
            }
        }
    });
    return out;
}

/// The value at the winning position of every window (the adjoint of unpool).
torch::Tensor gather(const torch::Tensor& input, const torch::Tensor& code)
{
    const auto x = input.contiguous();
    const PoolShape s = shapeOf(x.size(0), x.size(1), x.size(2), x.size(3));
    auto out = torch::empty({x.size(0), x.size(1), s.ho, s.wo}, x.options());
    const float* xp = x.data_ptr<float>();
    const uint8_t* cp = code.data_ptr<uint8_t>();
    float* op = out.data_ptr<float>();
    at::parallel_for(0, s.planes, 1, [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p) {
            const float* plane = xp + p * s.h * s.w;
            const uint8_t* k = cp + p * s.ho * s.wo;
            float* o = op + p * s.ho * s.wo;
            for (int64_t i = 0; i < s.ho; ++i)
                for (int64_t j = 0; j < s.wo; ++j) {
                    const uint8_t c = k[i * s.wo + j];
                    o[i * s.wo + j] = plane[(2 * i + (c >> 1)) * s.w + 2 * j + (c & 1)];
                }
        }
    });
    return out;
}

} // namespace detail

namespace {

using detail::gather;
using detail::poolForward;
using detail::unpool;

struct Gather;

/// g [n, c, h/2, w/2] -> [n, c, h, w]; backward: Gather.
struct Unpool : torch::autograd::Function<Unpool> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& g, const torch::Tensor& code,
                                 int64_t h, int64_t w)
    {
        ctx->save_for_backward({code});
        return unpool(g, code, h, w);
    }
    static tensor_list backward(AutogradContext* ctx, tensor_list grads);
};

/// x [n, c, h, w] -> [n, c, h/2, w/2]; backward: Unpool.
struct Gather : torch::autograd::Function<Gather> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& code)
    {
        ctx->save_for_backward({code});
        ctx->saved_data["h"] = x.size(2);
        ctx->saved_data["w"] = x.size(3);
        return gather(x, code);
    }
    static tensor_list backward(AutogradContext* ctx, tensor_list grads)
    {
        const auto code = ctx->get_saved_variables()[0];
        return {Unpool::apply(grads[0], code, ctx->saved_data["h"].toInt(), ctx->saved_data["w"].toInt()),
                torch::Tensor()};
    }
};

tensor_list Unpool::backward(AutogradContext* ctx, tensor_list grads)
{
    const auto code = ctx->get_saved_variables()[0];
    return {Gather::apply(grads[0], code), torch::Tensor(), torch::Tensor(), torch::Tensor()};
}

/// The pool itself; saves only the codes (1 byte per output).
struct Pool : torch::autograd::Function<Pool> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x)
    {
        auto [out, code] = poolForward(x);
        ctx->save_for_backward({code});
        ctx->saved_data["h"] = x.size(2);
        ctx->saved_data["w"] = x.size(3);
        return out;
    }
    static tensor_list backward(AutogradContext* ctx, tensor_list grads)
    {
        const auto code = ctx->get_saved_variables()[0];
        return {Unpool::apply(grads[0], code, ctx->saved_data["h"].toInt(), ctx->saved_data["w"].toInt())};
    }
};

} // namespace

namespace detail {
torch::Tensor unpoolDifferentiable(const torch::Tensor& grad, const torch::Tensor& code, int64_t h, int64_t w)
{
    return Unpool::apply(grad, code, h, w);
}

torch::Tensor gatherDifferentiable(const torch::Tensor& x, const torch::Tensor& code)
{
    return Gather::apply(x, code);
}
} // namespace detail

torch::Tensor maxPool2x2(const torch::Tensor& x)
{
    if (x.dim() != 4 || x.scalar_type() != torch::kFloat32 || !x.is_cpu() || x.size(2) < 2 || x.size(3) < 2)
        return torch::max_pool2d(x, {2, 2}, {2, 2});
    if (x.requires_grad() && torch::GradMode::is_enabled())
        return Pool::apply(x);
    return poolForward(x).first;
}

} // namespace maml
