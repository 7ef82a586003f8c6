// The config JSON: parse with the limits, read the settings, validate; a config that
// validates must dump again and read back to the same settings.
#include "core/engine/config.h"
#include "core/text/transformer.h"
#include "core/util/error.h"
#include "core/util/json_limits.h"
#include "fuzz_support.h"

using namespace maml;

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto config = ExperimentConfig::fromJson(parseJsonText(text, "fuzz.json"));
        if (!config.validate().empty())
            return 0;
        const std::string dumped = config.toJson().dump();
        const auto again = ExperimentConfig::fromJson(parseJsonText(dumped, "again.json"));
        fuzz::require(again.toJson() == config.toJson(), "a config that does not read back the same");
        if (config.model == "transformer")
            TransformerOptions::fromConfig(config, 1000);
    } catch (const Error&) {
    }
    return 0;
}
