#include "core/text/transformer.h"

#include "core/util/error.h"

#include <cmath>
#include <cstdio>

namespace maml {
namespace {

namespace F = torch::nn::functional;

torch::Tensor sinusoidalPositions(int length, int d)
{
    auto pos = torch::arange(length, torch::kFloat32).unsqueeze(1);
    auto i = torch::arange(0, d, 2, torch::kFloat32);
    auto freq = torch::exp(i * (-std::log(10000.0) / d));
    auto pe = torch::zeros({length, d});
    pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)},
                  torch::sin(pos * freq));
    pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(1, torch::indexing::None, 2)},
                  torch::cos(pos * freq.narrow(0, 0, d / 2)));
    return pe;
}

/// torch::nn::Linear's default initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
torch::Tensor linearInit(int64_t out, int64_t in, bool bias)
{
    double bound = 1.0 / std::sqrt(static_cast<double>(in));
    return bias ? torch::empty({out}).uniform_(-bound, bound)
                : torch::empty({out, in}).uniform_(-bound, bound);
}

} // namespace

TransformerEncoder::TransformerEncoder(TransformerOptions o) : m_options(std::move(o))
{
    const int64_t d = m_options.dModel, ff = m_options.ff;
    addParam("embedding", torch::randn({m_options.vocabSize, d}));
    for (int l = 0; l < m_options.layers; ++l) {
        std::string p = "layer" + std::to_string(l) + "_";
        auto inProj = torch::empty({3 * d, d});
        torch::nn::init::xavier_uniform_(inProj);
        addParam(p + "in_proj_weight", inProj);
        addParam(p + "in_proj_bias", torch::zeros({3 * d}));
        addParam(p + "out_proj_weight", linearInit(d, d, false));
        addParam(p + "out_proj_bias", torch::zeros({d}));
        addParam(p + "linear1_weight", linearInit(ff, d, false));
        addParam(p + "linear1_bias", linearInit(ff, d, true));
        addParam(p + "linear2_weight", linearInit(d, ff, false));
        addParam(p + "linear2_bias", linearInit(d, ff, true));
        addParam(p + "norm1_weight", torch::ones({d}));
        addParam(p + "norm1_bias", torch::zeros({d}));
        addParam(p + "norm2_weight", torch::ones({d}));
        addParam(p + "norm2_bias", torch::zeros({d}));
    }
    int64_t headIn = m_options.head == "flatten" ? m_options.length * d : d;
    addParam("head_weight", linearInit(m_options.ways, headIn, false));
    addParam("head_bias", linearInit(m_options.ways, headIn, true));
    m_positions = register_buffer("positions", sinusoidalPositions(m_options.length, static_cast<int>(d)));
}

void TransformerEncoder::applyLexiconPrior(const nlohmann::json& prior, int dims, int64_t lexiconOnlyFrom)
{
    const std::string where = "lexicon prior (config extra \"lexiconPrior\")";
    if (dims < 1 || dims > m_options.dModel)
        throw Error("lexiconDims must be between 1 and dModel (" + std::to_string(m_options.dModel) + ")",
                    where);
    if (!prior.is_array())
        throw Error("expected a list of [token id, score] pairs", where);
    torch::NoGradGuard noGrad;
    if (lexiconOnlyFrom > 1 && lexiconOnlyFrom < m_options.vocabSize)
        m_params[0].narrow(0, lexiconOnlyFrom, m_options.vocabSize - lexiconOnlyFrom).zero_();
    auto lexicon = m_params[0].narrow(1, 0, dims);
    lexicon.zero_();
    for (const auto& entry : prior) {
        if (!entry.is_array() || entry.size() != 2 || !entry[0].is_number_integer() || !entry[1].is_number())
            throw Error("expected a list of [token id, score] pairs", where);
        const auto id = entry[0].get<int64_t>();
        if (id < 2 || id >= m_options.vocabSize)
            throw Error("token id " + std::to_string(id) + " is outside the vocabulary", where);
        lexicon[id].fill_(entry[1].get<double>() / 2.5);
    }
}

torch::Tensor& TransformerEncoder::addParam(const std::string& name, torch::Tensor value)
{
    m_params.push_back(register_parameter(name, std::move(value)));
    return m_params.back();
}

namespace {
/// A double as TorchScript source, to the last bit.
std::string exactNumber(double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}
} // namespace

std::string TransformerEncoder::torchScriptNet() const
{
    // encode() and headLogits() written out: the batch is cut to its longest sequence, padded
    // keys get -1e9 before the softmax, post-norm layers, then the mean or flatten head.
    const std::string d = std::to_string(m_options.dModel), heads = std::to_string(m_options.heads),
                      dh = std::to_string(m_options.dModel / m_options.heads);
    std::string code =
        "def net(self, x: Tensor) -> Tensor:\n"
        "    n = x.size(0)\n"
        "    mask = x.ne(0)\n"
        "    used = max(1, int((mask.long() * torch.arange(1, x.size(1) + 1)).max()))\n"
        "    mask = mask.narrow(1, 0, used)\n"
        "    h = torch.embedding(self.embedding, x.narrow(1, 0, used)) + self.positions.narrow(0, 0, used)\n"
        "    key_bias = torch.zeros([n, used]).masked_fill(mask.logical_not(), "
        "-1e9).unsqueeze(1).unsqueeze(1)\n";
    for (int l = 0; l < m_options.layers; ++l) {
        const std::string p = "self.layer" + std::to_string(l) + "_";
        code += "    qkv = torch.linear(h, " + p + "in_proj_weight, " + p +
                "in_proj_bias).view([n, used, 3, " + heads + ", " + dh +
                "]).permute([2, 0, 3, 1, 4])\n"
                "    scores = torch.matmul(qkv[0], qkv[1].transpose(-2, -1)) / " +
                exactNumber(std::sqrt(static_cast<double>(m_options.dModel / m_options.heads))) +
                "\n"
                "    att = torch.matmul(torch.softmax(scores + key_bias, -1), qkv[2]).transpose(1, "
                "2).reshape([n, used, " +
                d +
                "])\n"
                "    h = torch.layer_norm(h + torch.linear(att, " +
                p + "out_proj_weight, " + p + "out_proj_bias), [" + d + "], " + p + "norm1_weight, " + p +
                "norm1_bias, 1e-5, False)\n"
                "    ff = torch.linear(torch.relu(torch.linear(h, " +
                p + "linear1_weight, " + p + "linear1_bias)), " + p + "linear2_weight, " + p +
                "linear2_bias)\n" + "    h = torch.layer_norm(h + ff, [" + d + "], " + p + "norm2_weight, " +
                p + "norm2_bias, 1e-5, False)\n";
    }
    code += "    m = mask.unsqueeze(-1).to(h.dtype)\n";
    if (m_options.head == "mean")
        code += "    return torch.linear((h * m).sum(1) / m.sum(1).clamp_min(1.0), self.head_weight, "
                "self.head_bias)\n";
    else
        code += "    w = self.head_weight.reshape([" + std::to_string(m_options.ways) + ", " +
                std::to_string(m_options.length) + ", " + d + "]).narrow(1, 0, used).reshape([" +
                std::to_string(m_options.ways) + ", used * " + d +
                "])\n"
                "    return torch.linear((h * m).reshape([n, used * " +
                d + "]), w, self.head_bias)\n";
    return code;
}

nlohmann::json TransformerEncoder::architecture() const
{
    return m_options.toJson();
}

std::pair<torch::Tensor, torch::Tensor>
TransformerEncoder::encode(const torch::Tensor& x, const std::vector<torch::Tensor>& params) const
{
    if (x.dim() != 2 || x.scalar_type() != torch::kInt64 || x.size(1) > m_options.length)
        throw Error("expected token ids int64 [n, L] with L <= " + std::to_string(m_options.length),
                    "transformer input");
    if (params.size() != m_params.size())
        throw Error("expected " + std::to_string(m_params.size()) + " weight tensors, got " +
                        std::to_string(params.size()),
                    "transformer forward");
    auto mask = x.ne(0);
    // Cut to the longest sequence: padded positions are masked everywhere.
    int64_t used = std::max<int64_t>(1, (mask * torch::arange(1, x.size(1) + 1)).max().item<int64_t>());
    auto ids = x.narrow(1, 0, used);
    mask = mask.narrow(1, 0, used);
    auto h = torch::embedding(params[0], ids) + m_positions.narrow(0, 0, used).to(params[0].dtype());
    auto keyBias = torch::zeros(mask.sizes(), h.options()).masked_fill(mask.logical_not(), -1e9);
    keyBias = keyBias.unsqueeze(1).unsqueeze(1); // [n, 1, 1, L'] added to [n, heads, L', L']
    for (int l = 0; l < m_options.layers; ++l)
        h = layer(h, keyBias, &params[1 + l * kLayerTensors]);
    return {h, mask};
}

torch::Tensor TransformerEncoder::attention(const torch::Tensor& h, const torch::Tensor& keyBias,
                                            const torch::Tensor* p) const
{
    const int64_t n = h.size(0), len = h.size(1), d = m_options.dModel, heads = m_options.heads;
    auto qkv = F::linear(h, p[0], p[1]).view({n, len, 3, heads, d / heads}).permute({2, 0, 3, 1, 4});
    auto scores = torch::matmul(qkv[0], qkv[1].transpose(-2, -1)) / std::sqrt(static_cast<double>(d / heads));
    auto weights = torch::softmax(scores + keyBias, -1);
    auto out = torch::matmul(weights, qkv[2]).transpose(1, 2).reshape({n, len, d});
    return F::linear(out, p[2], p[3]);
}

torch::Tensor TransformerEncoder::layer(const torch::Tensor& h, const torch::Tensor& keyBias,
                                        const torch::Tensor* p) const
{
    std::vector<int64_t> shape{m_options.dModel};
    auto x = torch::layer_norm(h + attention(h, keyBias, p), shape, p[8], p[9]);
    auto ff = F::linear(torch::relu(F::linear(x, p[4], p[5])), p[6], p[7]);
    return torch::layer_norm(x + ff, shape, p[10], p[11]);
}

torch::Tensor TransformerEncoder::headLogits(const torch::Tensor& h, const torch::Tensor& mask,
                                             const torch::Tensor& weight, const torch::Tensor& bias) const
{
    auto m = mask.unsqueeze(-1).to(h.dtype());
    if (m_options.head == "mean") {
        auto pooled = (h * m).sum(1) / m.sum(1).clamp_min(1.0);
        return F::linear(pooled, weight, bias);
    }
    // Flatten: the missing positions beyond L' are zeros, so only the first L' * d columns count.
    const int64_t n = h.size(0), used = h.size(1), d = m_options.dModel;
    auto w = weight.reshape({m_options.ways, m_options.length, d})
                 .narrow(1, 0, used)
                 .reshape({m_options.ways, used * d});
    return F::linear((h * m).reshape({n, used * d}), w, bias);
}

torch::Tensor TransformerEncoder::forward(const torch::Tensor& x, const std::vector<torch::Tensor>& params,
                                          bool training)
{
    auto [h, mask] = encode(x, params);
    return headLogits(h, mask, params[params.size() - 2], params.back());
}

} // namespace maml
