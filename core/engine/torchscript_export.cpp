#include "core/engine/torchscript_export.h"

#include "core/util/atomic_file.h"
#include "core/util/error.h"

#include <torch/script.h>

#include <sstream>

namespace maml {

namespace {
void check(const TorchScriptExport& r)
{
    const std::string where = "TorchScript export";
    if (!r.model)
        throw Error("no model to export", where, "Load a checkpoint first");
    auto params = const_cast<FunctionalModel*>(r.model)->named_parameters(/*recurse=*/false);
    if (r.weights.size() != params.size())
        throw Error("expected " + std::to_string(params.size()) + " weight tensors, got " +
                        std::to_string(r.weights.size()),
                    where);
    if (r.classNames.empty() || static_cast<int>(r.classNames.size()) > r.config.ways)
        throw Error("the model has " + std::to_string(r.config.ways) +
                        " outputs; give 1 to that many class names",
                    where);
}

std::string forwardSource(bool withSupport)
{
    std::string code = "def forward(self, x: Tensor) -> Tensor:\n"
                       "    n = x.size(0)\n";
    if (withSupport)
        code += "    x = torch.cat([self.support.to(x.dtype), x], 0)\n";
    code += "    logits = self.net(x)\n"
            "    logits = logits.narrow(0, logits.size(0) - n, n).narrow(1, 0, len(self.class_names))\n"
            "    return torch.softmax(logits, 1)\n";
    return code;
}
} // namespace

void exportTorchScript(const TorchScriptExport& r, const std::filesystem::path& out)
{
    check(r);
    torch::jit::Module m("MamlWorkbenchModel");
    auto& model = const_cast<FunctionalModel&>(*r.model);
    size_t i = 0;
    for (const auto& p : model.named_parameters(/*recurse=*/false))
        m.register_parameter(p.key(), r.weights[i++].detach().to(torch::kCPU, torch::kFloat32).contiguous(),
                             /*is_buffer=*/false);
    for (const auto& b : model.named_buffers(/*recurse=*/false))
        m.register_buffer(b.key(), b.value().detach().to(torch::kCPU).contiguous());
    const bool withSupport = model.normalisesOverTheBatch() && r.support.defined() && r.support.numel() > 0;
    m.register_buffer("support",
                      withSupport ? r.support.detach().to(torch::kCPU).contiguous() : torch::zeros({0}));
    m.register_attribute("kind", c10::StringType::get(), r.kind);
    m.register_attribute("class_names", c10::ListType::ofStrings(), c10::List<std::string>(r.classNames));
    m.register_attribute("model", c10::StringType::get(), r.config.model);
    m.register_attribute("config_json", c10::StringType::get(), r.config.toJson().dump());
    if (r.kind == "image") {
        m.register_attribute("image_size", c10::IntType::get(), static_cast<int64_t>(r.config.imageSize));
        m.register_attribute("channels", c10::IntType::get(), static_cast<int64_t>(r.config.channels));
        m.register_attribute("value_range", c10::StringType::get(),
                             std::string("[0, 1]: pixels divided by 255, no mean/std normalisation"));
    }
    try {
        if (r.extras)
            r.extras(m);
        m.define(model.torchScriptNet());
        m.define(forwardSource(withSupport));
    } catch (const c10::Error& e) {
        throw Error(std::string("the model's TorchScript does not compile: ") + e.what_without_backtrace(),
                    "TorchScript export", "Report this: it is a bug of the workbench");
    }
    m.eval();
    std::ostringstream bytes;
    m.save(bytes);
    writeFileAtomic(out, bytes.str());
}

} // namespace maml
