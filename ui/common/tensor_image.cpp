#include "ui/common/tensor_image.h"

namespace maml::ui {

QImage tensorToImage(const torch::Tensor& image)
{
    auto t = image.detach().to(torch::kFloat32).cpu();
    if (t.dim() == 2)
        t = t.unsqueeze(0);
    const int c = static_cast<int>(t.size(0));
    const int h = static_cast<int>(t.size(1));
    const int w = static_cast<int>(t.size(2));
    auto bytes = (t.clamp(0, 1) * 255.0f).round().to(torch::kUInt8).permute({1, 2, 0}).contiguous();
    const auto* data = bytes.data_ptr<uint8_t>();
    const bool rgb = c >= 3;
    QImage out(w, h, rgb ? QImage::Format_RGB888 : QImage::Format_Grayscale8);
    for (int y = 0; y < h; ++y) {
        uchar* line = out.scanLine(y);
        for (int x = 0; x < w; ++x) {
            const uint8_t* px = data + (static_cast<size_t>(y) * w + x) * c;
            if (rgb) {
                line[3 * x] = px[0];
                line[3 * x + 1] = px[1];
                line[3 * x + 2] = px[2];
            } else {
                line[x] = px[0];
            }
        }
    }
    return out;
}

} // namespace maml::ui
