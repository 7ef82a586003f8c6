// The image-folder reader: a class folder whose name is the input up to "|||" (any bytes but
// '/' and NUL), holding one image whose bytes are the rest; the first byte picks its extension.
#include "core/data/image_folder.h"
#include "core/util/error.h"
#include "core/util/utf8.h"
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
    static const char* const kExtensions[] = {".png", ".jpg", ".bmp", ".jpeg"};
    auto [rawName, image] = fuzz::splitAt(input, "|||");
    std::string name;
    for (char c : rawName.substr(0, 200))
        if (c != '/' && c != '\0')
            name += c;
    if (name.empty() || name == "." || name == ".." || name[0] == '.')
        name = "class" + name;
    fuzz::clear();
    const auto root = fuzz::scratch() / "images";
    fuzz::writeFile(root / name / (std::string("0") + kExtensions[data[0] % 4]), image);
    try {
        ImageFolderDataset ds(root, 16, 1 + 2 * (data[0] / 4 % 2));
        for (const auto& n : ds.classNames())
            fuzz::require(isValidUtf8(n), "a class name that is not UTF-8");
        fuzz::require(isValidUtf8(ds.imageSource(0, 0)), "an image source that is not UTF-8");
        const auto t = ds.image(0, 0);
        fuzz::require(t.size(1) == 16 && t.size(2) == 16, "an image of the wrong size");
    } catch (const Error&) {
    }
    return 0;
}
