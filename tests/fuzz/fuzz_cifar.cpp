// CIFAR-100 binary reader: the first byte chooses which file the rest replaces (train.bin, the
// fine or the coarse label names); the other files are small and valid.
#include "core/data/cifar100.h"
#include "core/util/error.h"
#include "core/util/utf8.h"
#include "fuzz_support.h"
#include "test_support.h"

#include <torch/torch.h>

using namespace maml;

namespace {
std::string lines(const std::vector<std::string>& names)
{
    std::string s;
    for (const auto& n : names)
        s += n + "\n";
    return s;
}
} // namespace

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
    const int mode = data[0] % 3;
    fuzz::clear();
    const auto dir = fuzz::scratch() / "cifar-100-binary";
    static const std::string valid =
        test::cifarRecord(test::cifarCoarseOf(3), 3, 0) + test::cifarRecord(test::cifarCoarseOf(7), 7, 1);
    fuzz::writeFile(dir / "train.bin", mode == 0 ? input : std::string_view(valid));
    fuzz::writeFile(dir / "test.bin", valid);
    fuzz::writeFile(dir / "fine_label_names.txt",
                    mode == 1 ? std::string(input) : lines(test::cifarFineNames()));
    fuzz::writeFile(dir / "coarse_label_names.txt",
                    mode == 2 ? std::string(input) : lines(test::cifarCoarseNames()));
    try {
        Cifar100Dataset ds(fuzz::scratch());
        for (int c = 0; c < ds.classCount(); ++c) {
            fuzz::require(isValidUtf8(ds.classNames()[c]), "a class name that is not UTF-8");
            for (int i = 0; i < std::min(ds.imageCount(c), 2); ++i) {
                const auto t = ds.image(c, i);
                fuzz::require(t.size(0) == 3 && t.size(1) == 32, "an image of the wrong shape");
            }
        }
        ds.splits();
    } catch (const Error&) {
    }
    return 0;
}
