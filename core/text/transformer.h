#pragma once
/// \file
/// A Transformer encoder for few-shot text classification whose forward pass runs on explicit
/// ("fast") weights, so MAML can differentiate through its inner-loop updates.

#include "core/engine/functional_model.h"
#include "core/text/transformer_options.h"

#include <string>
#include <vector>

namespace maml {

/// Embedding + sinusoidal positions, `layers` post-norm encoder layers (multi-head
/// self-attention with a padding mask, ReLU feed-forward, residuals, LayerNorm; no dropout),
/// then the head. Parameter layout per layer is that of torch::nn::TransformerEncoderLayer.
/// For speed every batch is cut to its longest sequence: padding is masked everywhere, so
/// the logits equal those of the full-length computation.
class TransformerEncoder final : public FunctionalModel {
public:
    explicit TransformerEncoder(TransformerOptions options);

    std::vector<torch::Tensor> weights() override { return m_params; }
    using FunctionalModel::forward;
    /// x: token ids int64 [n, L] with L <= length (0 = [PAD]). Returns logits [n, ways].
    torch::Tensor forward(const torch::Tensor& x, const std::vector<torch::Tensor>& params,
                          bool training) override;
    nlohmann::json architecture() const override;
    std::string torchScriptNet() const override;

    /// The encoder output [n, L', dModel] (L' = the longest sequence of x) and the mask of real
    /// tokens [n, L'] (bool). Used by forward and by tests.
    std::pair<torch::Tensor, torch::Tensor> encode(const torch::Tensor& x,
                                                   const std::vector<torch::Tensor>& params) const;

    const TransformerOptions& options() const { return m_options; }
    /// Seeds the embedding with a sentiment lexicon: the first `dims` coordinates of every
    /// word become 0, those of the words in `prior` ([[token id, score], ...], in AFINN's units,
    /// -5..5 for AFINN alone) score / 2.5.
    /// Words from id `lexiconOnlyFrom` on (the lexicon's words that the training text lacks,
    /// which training never updates) get 0 in every other coordinate, so that they carry
    /// their score and no random features. A fresh model's starting point only (a
    /// checkpoint's weights replace it). Throws maml::Error on ids outside the vocabulary or
    /// dims outside 1..dModel.
    void applyLexiconPrior(const nlohmann::json& prior, int dims, int64_t lexiconOnlyFrom = -1);
    /// Number of tensors per encoder layer in weights() (after the embedding).
    static constexpr int kLayerTensors = 12;

private:
    torch::Tensor& addParam(const std::string& name, torch::Tensor value);
    torch::Tensor layer(const torch::Tensor& h, const torch::Tensor& keyBias, const torch::Tensor* p) const;
    torch::Tensor attention(const torch::Tensor& h, const torch::Tensor& keyBias,
                            const torch::Tensor* p) const;
    torch::Tensor headLogits(const torch::Tensor& h, const torch::Tensor& mask, const torch::Tensor& weight,
                             const torch::Tensor& bias) const;

    TransformerOptions m_options;
    std::vector<torch::Tensor> m_params;
    torch::Tensor m_positions; ///< sinusoidal encoding [length, dModel] (a buffer)
};

} // namespace maml
