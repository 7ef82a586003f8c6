// Fashion-MNIST's IDX reader. Mode 0: the input is the images and labels content (split at
// "|||"), gzip-compressed by the harness; mode 1: the input is the raw .gz images file.
#include "core/data/fashion_mnist.h"
#include "core/util/error.h"
#include "fuzz_support.h"

#include <torch/torch.h>

using namespace maml;

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    fuzz::clear();
    const auto dir = fuzz::scratch() / "fmnist";
    const auto [images, labels] = fuzz::splitAt(input, "|||");
    const std::string imagesGz = data[0] % 2 == 0 ? fuzz::gzip(images) : std::string(input);
    const std::string labelsGz = fuzz::gzip(labels);
    for (const char* part : {"train", "t10k"}) {
        fuzz::writeFile(dir / (std::string(part) + "-images-idx3-ubyte.gz"), imagesGz);
        fuzz::writeFile(dir / (std::string(part) + "-labels-idx1-ubyte.gz"), labelsGz);
    }
    try {
        FashionMnistDataset ds(dir, 0, 1);
        for (int c = 0; c < ds.classCount(); ++c)
            for (int i = 0; i < std::min(ds.imageCount(c), 2); ++i)
                fuzz::require(ds.image(c, i).dim() == 3, "an image that is not [C,H,W]");
    } catch (const Error&) {
    }
    return 0;
}
